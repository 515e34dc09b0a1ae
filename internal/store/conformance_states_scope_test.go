package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/history"
)

// TestConformanceSaveReadsOnlyItsScope: a save reads the states of its own
// accounts and regions and of what it observed, and nothing else changes.
// A key finding whose key lives in another account (outside the scope)
// keeps its history; a finding in another region is neither read nor
// marked gone; a covered finding the run did not see is gone.
func TestConformanceSaveReadsOnlyItsScope(t *testing.T) {
	forEachBackend(t, func(t *testing.T, dsn string) {
		s := open(t, dsn)
		ctx := context.Background()
		key := history.Subject{CheckID: "kms-key.rotation", Kind: "kms-key", Account: "999988887777", Region: "us-east-1",
			ResourceARN: "arn:aws:kms:us-east-1:999988887777:key/shared"}
		east, gone, west := notebook("a", "us-east-1"), notebook("b", "us-east-1"), notebook("w", "eu-west-1")
		sc := scope("us-east-1")
		sc.Checks = append(sc.Checks, "kms-key.rotation")
		save(t, s, record(t0, scope("eu-west-1"), observe(west, finding.Fail)))
		save(t, s, record(t0.Add(time.Hour), sc, observe(east, finding.Fail), observe(gone, finding.Fail), observe(key, finding.Fail)))
		save(t, s, record(t0.Add(2*time.Hour), sc, observe(east, finding.Fail), observe(key, finding.Fail)))

		states, err := s.States(ctx)
		if err != nil {
			t.Fatal(err)
		}
		byFP := map[string]history.State{}
		for _, st := range states {
			byFP[st.Fingerprint] = st
		}
		k := byFP[key.Fingerprint()]
		if !k.FirstSeen.Equal(t0.Add(time.Hour)) || k.Reopened != 0 || !k.OpenedAt.Equal(t0.Add(time.Hour)) {
			t.Errorf("key finding outside the scope lost its history: first seen %v, opened %v, reopened %d", k.FirstSeen, k.OpenedAt, k.Reopened)
		}
		if g := byFP[gone.Fingerprint()]; !g.Gone.Equal(t0.Add(2 * time.Hour)) {
			t.Errorf("covered finding not seen again: gone = %v, want the third run", g.Gone)
		}
		if w := byFP[west.Fingerprint()]; !w.Gone.IsZero() || !w.LastSeen.Equal(t0) {
			t.Errorf("finding in another region changed: %+v", w)
		}
		eps, err := s.Episodes(ctx)
		if err != nil {
			t.Fatal(err)
		}
		opened := map[string]int{}
		for _, e := range eps {
			opened[e.Fingerprint]++
		}
		if opened[key.Fingerprint()] != 1 || opened[east.Fingerprint()] != 1 {
			t.Errorf("episodes = %v, want one each for the key and the notebook", opened)
		}
	})
}

// TestConformanceSaveWideScope: a scope wider than one query's pairs (an
// organization's every region) still finds a covered finding that is gone.
func TestConformanceSaveWideScope(t *testing.T) {
	forEachBackend(t, func(t *testing.T, dsn string) {
		s := open(t, dsn)
		wide := history.Scope{Checks: []string{"notebook-instance.cmk"}}
		for i := range 2500 {
			account := fmt.Sprintf("%012d", 100000000000+i)
			wide.Accounts = append(wide.Accounts, account)
			wide.Complete = append(wide.Complete, history.Coverage{Account: account, Region: "us-east-1", Kinds: []string{"notebook-instance"}})
		}
		wide.Regions = []string{"us-east-1"}
		last := notebook("late", "us-east-1")
		last.Account = wide.Accounts[2400]
		last.ResourceARN = "arn:aws:sagemaker:us-east-1:" + last.Account + ":notebook-instance/late"
		save(t, s, record(t0, wide, observe(last, finding.Fail)))
		save(t, s, record(t0.Add(time.Hour), wide))
		states, err := s.States(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if len(states) != 1 || !states[0].Gone.Equal(t0.Add(time.Hour)) {
			t.Errorf("states = %+v, want the notebook gone at the second run", states)
		}
	})
}
