package store_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/history"
	"github.com/sagekey/sagekey/internal/inventory"
	"github.com/sagekey/sagekey/internal/keys"
	"github.com/sagekey/sagekey/internal/store"
)

var t0 = time.Date(2026, 11, 2, 8, 30, 0, 0, time.UTC)

const acct = "123456789012"

func notebook(name, region string) history.Subject {
	return history.Subject{
		CheckID: "notebook-instance.cmk", Kind: "notebook-instance", Account: acct, Region: region,
		ResourceARN: fmt.Sprintf("arn:aws:sagemaker:%s:%s:notebook-instance/%s", region, acct, name),
	}
}

func observe(s history.Subject, st finding.Status) history.Observation {
	return history.Observation{Subject: s, Status: st, Severity: finding.High, Message: "volume: " + string(st),
		Tags: map[string]string{"team": "risk"}}
}

func scope(regions ...string) history.Scope {
	sc := history.Scope{Accounts: []string{acct}, Regions: regions, Checks: []string{"notebook-instance.cmk"}}
	for _, r := range regions {
		sc.Complete = append(sc.Complete, history.Coverage{Account: acct, Region: r, Kinds: []string{"notebook-instance"}})
	}
	return sc
}

func record(at time.Time, sc history.Scope, obs ...history.Observation) store.RunRecord {
	counts := map[finding.Status]int{}
	for _, o := range obs {
		counts[o.Status]++
	}
	return store.RunRecord{
		Run: store.Run{Started: at, Finished: at.Add(90 * time.Second), Principal: "arn:aws:iam::" + acct + ":role/auditor",
			User: "ci", ToolVersion: "test", Scope: sc, Counts: counts},
		Observations: obs,
		Snapshot: store.Snapshot{SchemaVersion: inventory.SchemaVersion,
			Inventory: inventory.Inventory{SchemaVersion: inventory.SchemaVersion, Resources: []inventory.Resource{{Kind: "notebook-instance", ARN: "arn:x", Name: "x", Account: acct, Region: "us-east-1", Slots: []inventory.Slot{{Type: "volume", Name: "volume", KeyRef: "alias/ml"}}}}, Gaps: []inventory.Gap{}},
			Keys:      []keys.Key{{Ref: "alias/ml", ARN: "arn:aws:kms:us-east-1:" + acct + ":key/k1", Manager: keys.ManagerCustomer, State: keys.StateEnabled, Tags: map[string]string{"cost-center": "cc-1"}}}},
	}
}

func save(t *testing.T, s *store.Store, rec store.RunRecord) int64 {
	t.Helper()
	id, err := s.SaveRun(context.Background(), rec)
	if err != nil {
		t.Fatalf("save run: %v", err)
	}
	return id
}

func states(t *testing.T, s *store.Store) map[string]history.State {
	t.Helper()
	list, err := s.States(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]history.State{}
	for _, st := range list {
		m[st.ResourceARN] = st
	}
	return m
}

func TestConformanceMigrations(t *testing.T) {
	forEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		s := open(t, dsn)
		v, err := s.SchemaVersion(ctx)
		if err != nil || v < 1 {
			t.Fatalf("schema version %d, %v", v, err)
		}
		s.Close()
		again := open(t, dsn) // reopening applies nothing twice
		if v2, _ := again.SchemaVersion(ctx); v2 != v {
			t.Errorf("reopen changed schema version %d -> %d", v, v2)
		}
		if err := store.ForceSchemaVersionForTest(ctx, again, v+1); err != nil {
			t.Fatal(err)
		}
		again.Close()
		if _, err := store.Open(ctx, dsn); err == nil {
			t.Error("a database newer than the binary was opened; want an upgrade error")
		}
	})
}

func TestConformanceRoundTrip(t *testing.T) {
	forEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		s := open(t, dsn)
		created := t0.Add(-48 * time.Hour)
		o := observe(notebook("a", "us-east-1"), finding.Fail)
		o.ResourceCreated, o.Slot = created, "volume"
		rec := record(t0, scope("us-east-1"), o, observe(notebook("b", "us-east-1"), finding.Pass))
		id := save(t, s, rec)

		got, err := s.Run(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		want := rec.Run
		want.ID = id
		if !reflect.DeepEqual(got, want) {
			t.Errorf("run\n got %+v\nwant %+v", got, want)
		}
		obs, err := s.Observations(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if len(obs) != 2 {
			t.Fatalf("observations: %+v", obs)
		}
		byARN := map[string]history.Observation{}
		for _, o := range obs {
			byARN[o.ResourceARN] = o
		}
		if !reflect.DeepEqual(byARN[o.ResourceARN], o) {
			t.Errorf("observation\n got %+v\nwant %+v", byARN[o.ResourceARN], o)
		}
		snap, err := s.Snapshot(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(snap, rec.Snapshot) {
			t.Errorf("snapshot\n got %+v\nwant %+v", snap, rec.Snapshot)
		}
		if _, err := s.Run(ctx, id+100); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("missing run: %v, want ErrNotFound", err)
		}
		runs, err := s.Runs(ctx)
		if err != nil || len(runs) != 1 || runs[0].ID != id {
			t.Errorf("runs %+v, %v", runs, err)
		}
	})
}

func TestConformanceLifecycle(t *testing.T) {
	forEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		s := open(t, dsn)
		fixed, deleted, stays, west := notebook("fixed", "us-east-1"), notebook("deleted", "us-east-1"), notebook("stays", "us-east-1"), notebook("west", "eu-west-1")
		first := save(t, s, record(t0, scope("us-east-1", "eu-west-1"),
			observe(fixed, finding.Fail), observe(deleted, finding.Fail), observe(stays, finding.Fail), observe(west, finding.Fail)))
		// Three days later only us-east-1 is scanned: fixed passes, deleted is
		// gone, west is out of scope.
		second := save(t, s, record(t0.Add(72*time.Hour), scope("us-east-1"), observe(fixed, finding.Pass), observe(stays, finding.Fail)))

		st := states(t, s)
		check := func(sub history.Subject, open bool, resolution history.Resolution, gone bool, lastRun int64) {
			t.Helper()
			got := st[sub.ResourceARN]
			if got.Open() != open || got.Resolution != resolution || got.Gone.IsZero() == gone || got.LastRun != lastRun {
				t.Errorf("%s: open=%v resolution=%q gone=%v last_run=%d; want %v %q %v %d",
					sub.ResourceARN, got.Open(), got.Resolution, !got.Gone.IsZero(), got.LastRun, open, resolution, gone, lastRun)
			}
			if !got.FirstSeen.Equal(t0) {
				t.Errorf("%s first seen %v, want %v", sub.ResourceARN, got.FirstSeen, t0)
			}
		}
		check(fixed, false, history.ResolvedPassed, false, second)
		check(deleted, false, history.ResolvedDeleted, true, first)
		check(stays, true, "", false, second)
		check(west, true, "", false, first) // out of scope: neither resolved nor touched

		eps, err := s.Episodes(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(eps) != 4 {
			t.Fatalf("episodes %+v, want 4", eps)
		}
		resolved := 0
		for _, ep := range eps {
			if ep.ResolvedAt.IsZero() {
				continue
			}
			resolved++
			if ep.ResolvedRun != second || ep.ResolvedAt.Sub(ep.OpenedAt) != 72*time.Hour {
				t.Errorf("episode %+v: want resolved by run %d after 72h", ep, second)
			}
		}
		if resolved != 2 {
			t.Errorf("%d episodes resolved, want 2 (fixed and deleted)", resolved)
		}

		// The fix regresses: a new, reopened violation.
		save(t, s, record(t0.Add(96*time.Hour), scope("us-east-1"), observe(fixed, finding.Fail), observe(stays, finding.Fail)))
		if got := states(t, s)[fixed.ResourceARN]; !got.Open() || got.Reopened != 1 {
			t.Errorf("regressed finding: %+v, want open and reopened once", got)
		}
		eps, _ = s.Episodes(ctx)
		if last := eps[len(eps)-1]; !last.Reopen || last.Fingerprint != fixed.Fingerprint() {
			t.Errorf("last episode %+v, want the reopened one", last)
		}
	})
}

// TestConformanceConcurrentWriters saves many scans at once from separate
// store handles (as separate processes would) and checks that none is lost
// and the lifecycle is consistent.
func TestConformanceConcurrentWriters(t *testing.T) {
	forEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		open(t, dsn) // migrate once up front; writers then race on data only
		const writers = 6
		subjects := []history.Subject{notebook("a", "us-east-1"), notebook("b", "us-east-1")}
		var wg sync.WaitGroup
		errs := make(chan error, writers)
		for i := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				s, err := store.Open(ctx, dsn)
				if err != nil {
					errs <- err
					return
				}
				defer s.Close()
				status := finding.Fail
				if i%2 == 1 {
					status = finding.Pass
				}
				var obs []history.Observation
				for _, sub := range subjects {
					obs = append(obs, observe(sub, status))
				}
				if _, err := s.SaveRun(ctx, record(t0.Add(time.Duration(i)*time.Hour), scope("us-east-1"), obs...)); err != nil {
					errs <- err
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("concurrent save: %v", err)
		}
		s := open(t, dsn)
		runs, err := s.Runs(ctx)
		if err != nil || len(runs) != writers {
			t.Fatalf("%d runs stored (%v), want %d", len(runs), err, writers)
		}
		eps, err := s.Episodes(ctx)
		if err != nil {
			t.Fatal(err)
		}
		open := map[string]int{}
		for _, ep := range eps {
			if ep.ResolvedAt.IsZero() {
				open[ep.Fingerprint]++
			}
		}
		for fp, n := range open {
			if n > 1 {
				t.Errorf("fingerprint %s has %d open violations at once", fp, n)
			}
		}
		// Whatever order the saves landed in, the state reflects the latest scan.
		latest := t0.Add((writers - 1) * time.Hour)
		for arn, st := range states(t, s) {
			if !st.LastSeen.Equal(latest) || st.Status != finding.Pass {
				t.Errorf("%s: last seen %v status %s, want %v PASS", arn, st.LastSeen, st.Status, latest)
			}
		}
	})
}
