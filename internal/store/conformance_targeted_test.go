package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sagekey/sagekey/internal/events/consumer"
	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/history"
	"github.com/sagekey/sagekey/internal/rules"
	"github.com/sagekey/sagekey/internal/store"
)

// The store is the event consumers' idempotency store.
var _ consumer.Seen = (*store.Store)(nil)

// targetedScope is the scope of an event-driven check of the named ARNs.
func targetedScope(arns ...string) history.Scope {
	return history.Scope{Accounts: []string{acct}, Regions: []string{"us-east-1"},
		Checks:   []string{"notebook-instance.cmk", "kms-key.rotation"},
		Targeted: true, Resources: arns}
}

// TestConformanceTargetedRun: a targeted run advances exactly the findings
// of the resources it names (ARNs compared without case): a named resource
// it did not observe is gone and its violation resolved as deleted; an
// unnamed resource and a key, even a named one, keep their history; a new
// failing resource opens a violation in the targeted run.
func TestConformanceTargetedRun(t *testing.T) {
	forEachBackend(t, func(t *testing.T, dsn string) {
		s := open(t, dsn)
		ctx := context.Background()
		a, b, c := notebook("a", "us-east-1"), notebook("b", "us-east-1"), notebook("c", "us-east-1")
		key := history.Subject{CheckID: "kms-key.rotation", Kind: rules.KeyKind, Account: acct, Region: "us-east-1",
			ResourceARN: "arn:aws:kms:us-east-1:" + acct + ":key/k1"}
		full := scope("us-east-1")
		full.Checks = append(full.Checks, key.CheckID)
		full.Complete[0].Kinds = append(full.Complete[0].Kinds, rules.KeyKind)

		scan := save(t, s, record(t0, full, observe(a, finding.Fail), observe(b, finding.Fail), observe(key, finding.Fail)))
		// A named in another case, and the key named too: A is gone, the
		// key is not.
		gone := save(t, s, record(t0.Add(time.Hour), targetedScope(strings.ToUpper(a.ResourceARN), key.ResourceARN)))

		st := states(t, s)
		if sa := st[a.ResourceARN]; !sa.Gone.Equal(t0.Add(time.Hour)) || sa.Open() || sa.Resolution != history.ResolvedDeleted ||
			!sa.LastSeen.Equal(t0) {
			t.Errorf("named notebook not observed: gone %v open %v resolution %q last seen %v; want gone and resolved as deleted by run %d",
				sa.Gone, sa.Open(), sa.Resolution, sa.LastSeen, gone)
		}
		for _, subj := range []history.Subject{b, key} {
			if sx := st[subj.ResourceARN]; !sx.Gone.IsZero() || !sx.Open() || !sx.LastSeen.Equal(t0) || sx.LastRun != scan {
				t.Errorf("%s touched by a targeted run that did not observe it: %+v", subj.ResourceARN, sx)
			}
		}
		eps := episodesByFP(t, s)
		if e := eps[a.Fingerprint()]; len(e) != 1 || e[0].ResolvedRun != gone || e[0].Resolution != history.ResolvedDeleted {
			t.Errorf("notebook A violations = %+v, want one resolved as deleted by run %d", e, gone)
		}
		for _, subj := range []history.Subject{b, key} {
			if e := eps[subj.Fingerprint()]; len(e) != 1 || !e[0].ResolvedAt.IsZero() {
				t.Errorf("%s violations = %+v, want one, still open", subj.ResourceARN, e)
			}
		}

		// A new notebook observed failing opens a violation in that run.
		opened := save(t, s, record(t0.Add(2*time.Hour), targetedScope(c.ResourceARN), observe(c, finding.Fail)))
		if e := episodesByFP(t, s)[c.Fingerprint()]; len(e) != 1 || e[0].OpenedRun != opened || !e[0].ResolvedAt.IsZero() {
			t.Errorf("new notebook C violations = %+v, want one opened by run %d", e, opened)
		}
		if sc := states(t, s)[c.ResourceARN]; !sc.FirstSeen.Equal(t0.Add(2*time.Hour)) || !sc.Open() {
			t.Errorf("notebook C = %+v, want first seen and open at the targeted run", sc)
		}

		// C named in mixed case and gone: resolved as deleted.
		mixed := strings.Replace(c.ResourceARN, "notebook-instance/c", "Notebook-Instance/C", 1)
		closed := save(t, s, record(t0.Add(3*time.Hour), targetedScope(mixed)))
		if e := episodesByFP(t, s)[c.Fingerprint()]; len(e) != 1 || e[0].ResolvedRun != closed || e[0].Resolution != history.ResolvedDeleted {
			t.Errorf("notebook C violations = %+v, want resolved as deleted by run %d", e, closed)
		}
		// A stored ARN in mixed case, named in lower case: also gone.
		d := notebook("Dee", "us-east-1")
		save(t, s, record(t0.Add(4*time.Hour), targetedScope(d.ResourceARN), observe(d, finding.Fail)))
		dGone := save(t, s, record(t0.Add(5*time.Hour), targetedScope(strings.ToLower(d.ResourceARN))))
		if e := episodesByFP(t, s)[d.Fingerprint()]; len(e) != 1 || e[0].ResolvedRun != dGone || e[0].Resolution != history.ResolvedDeleted {
			t.Errorf("notebook Dee violations = %+v, want resolved as deleted by run %d", e, dGone)
		}
		st = states(t, s)
		if sb := st[b.ResourceARN]; !sb.Open() || sb.LastRun != scan {
			t.Errorf("notebook B changed by targeted runs: %+v", sb)
		}
		if sk := st[key.ResourceARN]; !sk.Open() || sk.LastRun != scan || !sk.Gone.IsZero() {
			t.Errorf("key finding changed by targeted runs: %+v", sk)
		}

		// Views: Runs lists the scan only; AllRuns, Run, RunsPage and
		// LatestRunID see the targeted runs too.
		runs, err := s.Runs(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(runs) != 1 || runs[0].ID != scan || runs[0].Targeted {
			t.Errorf("Runs = %v, want the scan %d only", runIDs(runs), scan)
		}
		all, err := s.AllRuns(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := fmt.Sprint(runIDs(all)), fmt.Sprint([]int64{scan, gone, opened, closed, dGone - 1, dGone}); got != want {
			t.Errorf("AllRuns = %s, want %s", got, want)
		}
		for _, r := range all {
			if r.Targeted != (r.ID != scan) || r.Scope.Targeted != r.Targeted {
				t.Errorf("run %d: Targeted %v, scope targeted %v", r.ID, r.Targeted, r.Scope.Targeted)
			}
		}
		if r, err := s.Run(ctx, gone); err != nil || !r.Targeted || len(r.Scope.Resources) != 2 {
			t.Errorf("Run(%d) = %+v, %v; want the targeted run", gone, r, err)
		}
		rows, total, err := s.RunRowsPage(ctx, store.Page{Number: 1, Size: 10})
		var page []store.Run
		for _, r := range rows {
			page = append(page, r.Run)
		}
		if err != nil || total != 6 || len(page) != 6 || page[0].ID != dGone || !page[0].Targeted || page[5].Targeted {
			t.Errorf("RunRowsPage = %v (total %d), %v; want all six runs, newest first", runIDs(page), total, err)
		}
		if latest, err := s.LatestRunID(ctx); err != nil || latest != dGone {
			t.Errorf("LatestRunID = %d, %v; want the last targeted run %d", latest, err, dGone)
		}
	})
}

func episodesByFP(t *testing.T, s *store.Store) map[string][]history.Episode {
	t.Helper()
	eps, err := s.Episodes(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]history.Episode{}
	for _, e := range eps {
		out[e.Fingerprint] = append(out[e.Fingerprint], e)
	}
	return out
}

// TestConformanceEventSeen: marked event ids are seen (by every replica:
// a second connection), marking again is harmless, and pruning forgets the
// ids marked before the given instant.
func TestConformanceEventSeen(t *testing.T) {
	forEachBackend(t, func(t *testing.T, dsn string) {
		s, other := open(t, dsn), open(t, dsn)
		ctx := context.Background()
		seen := func(st *store.Store, id string) bool {
			t.Helper()
			ok, err := st.Seen(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			return ok
		}
		if seen(s, "e1") {
			t.Fatal("e1 seen before it was marked")
		}
		if err := s.Mark(ctx, nil); err != nil {
			t.Fatalf("mark nothing: %v", err)
		}
		if err := s.Mark(ctx, []string{"e1", "e2", "e1", ""}); err != nil {
			t.Fatalf("mark: %v", err)
		}
		if !seen(other, "e1") || !seen(other, "e2") || seen(other, "e3") || seen(other, "") {
			t.Error("marked ids not seen by another replica, or unmarked ones seen")
		}
		// Already marked ids are ignored; a batch wider than one INSERT.
		batch := []string{"e2", "e3"}
		for i := range 1200 {
			batch = append(batch, fmt.Sprintf("bulk-%04d", i))
		}
		if err := other.Mark(ctx, batch); err != nil {
			t.Fatalf("mark again: %v", err)
		}
		if !seen(s, "e3") || !seen(s, "bulk-1199") || !seen(s, "bulk-0000") {
			t.Error("ids of a second, wide batch not seen")
		}
		if n, err := s.PruneSeen(ctx, time.Now().Add(-time.Hour)); err != nil || n != 0 {
			t.Errorf("prune an hour ago = %d, %v; want 0", n, err)
		}
		if n, err := s.PruneSeen(ctx, time.Now().Add(time.Minute)); err != nil || n != 1203 {
			t.Errorf("prune now = %d, %v; want 1203", n, err)
		}
		if seen(s, "e1") || seen(other, "bulk-0001") {
			t.Error("pruned ids still seen")
		}
	})
}
