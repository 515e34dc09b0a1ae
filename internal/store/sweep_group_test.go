package store_test

import (
	"slices"
	"testing"
	"time"

	"github.com/sagekey/sagekey/internal/store"
)

func TestGroupSweeps(t *testing.T) {
	t0 := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	run := func(id int64, sweep string, index, count int, min int) store.Run {
		at := t0.Add(time.Duration(min) * time.Minute)
		return store.Run{ID: id, Started: at, Finished: at.Add(time.Minute),
			Shard: &store.RunShard{Sweep: sweep, Index: index, Count: count}}
	}
	sets := store.GroupSweeps([]store.Run{
		run(1, "a", 1, 2, 0),
		{ID: 2, Started: t0}, // unsharded: not a sweep
		run(3, "a", 0, 2, 1),
		run(4, "b", 0, 3, 2),
		run(5, "a", 1, 2, 5), // shard 1 retried: this run replaces run 1
		run(6, "c", 0, 2, 6),
		run(7, "c", 1, 3, 7), // disagrees on the count
	})
	if len(sets) != 3 {
		t.Fatalf("%d sweeps, want 3", len(sets))
	}
	a, b, c := sets[0], sets[1], sets[2]
	var latest []int64
	for _, r := range a.Latest {
		latest = append(latest, r.ID)
	}
	if !a.Complete() || !slices.Equal(latest, []int64{3, 5}) || a.Last != 5 || a.Status.Runs != 3 ||
		!a.Status.Started.Equal(t0) || !a.Status.Finished.Equal(t0.Add(6*time.Minute)) {
		t.Errorf("sweep a = %+v, latest %v; want complete from runs 3 and 5", a.Status, latest)
	}
	if b.Complete() || !slices.Equal(b.Status.Missing, []int{1, 2}) || !slices.Equal(b.Status.Stored, []int{0}) {
		t.Errorf("sweep b = %+v, want shards 1 and 2 missing", b.Status)
	}
	if c.Complete() || !c.Status.Mismatched || c.Status.Count != 3 {
		t.Errorf("sweep c = %+v, want mismatched counts, incomplete", c.Status)
	}
}
