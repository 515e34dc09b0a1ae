package store

import (
	"testing"

	"github.com/sagekey/sagekey/internal/history"
)

// TestScans: unsharded runs and complete sweeps, in the order they
// completed; an incomplete sweep and a targeted run are no scan; a sweep's
// run ids include its retried shards and its key judgement.
func TestScans(t *testing.T) {
	shard := func(id int64, sweep string, i, n int) Run {
		return Run{ID: id, Shard: &RunShard{Sweep: sweep, Index: i, Count: n}}
	}
	runs := []Run{
		{ID: 1},
		shard(2, "a", 0, 2), shard(3, "b", 0, 2), shard(4, "a", 1, 2), shard(5, "a", 1, 2),
		{ID: 6},
		{ID: 7, Targeted: true, Scope: history.Scope{Targeted: true, Sweep: "a"}},
	}
	scans := Scans(runs)
	var ids []int64
	for _, s := range scans {
		ids = append(ids, s.ID)
	}
	if len(ids) != 3 || ids[0] != 1 || ids[1] != 5 || ids[2] != 6 {
		t.Fatalf("scans %v, want runs 1, sweep a (completed by run 5), 6", ids)
	}
	if scans[1].Sweep == nil || scans[1].Sweep.Status.ID != "a" || len(scans[1].Runs) != 2 {
		t.Errorf("sweep a: %+v", scans[1])
	}
	got := scans[1].RunIDs(runs)
	if len(got) != 4 || got[0] != 2 || got[3] != 7 {
		t.Errorf("sweep a's run ids %v, want 2, 4, 5 and the key judgement 7", got)
	}
	if ids := scans[0].RunIDs(runs); len(ids) != 1 || ids[0] != 1 {
		t.Errorf("an unsharded scan's run ids %v", ids)
	}
}
