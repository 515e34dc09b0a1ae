package store_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/store"
)

// sweepRecord is one shard's run: its scope lists only the region it owns,
// so the lifecycle leaves the other shards' findings alone.
func sweepRecord(at time.Time, sweep string, index, count int, region string) store.RunRecord {
	rec := record(at, scope(region), observe(notebook("nb-"+region, region), finding.Fail))
	rec.Run.Shard = &store.RunShard{Sweep: sweep, Index: index, Count: count}
	return rec
}

func TestConformanceSweeps(t *testing.T) {
	forEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		s := open(t, dsn)
		plain := save(t, s, record(t0, scope("us-east-1")))
		// Sweep A: 3 shards, shard 1 never stored, shard 2 retried.
		a0 := save(t, s, sweepRecord(t0.Add(time.Hour), "A", 0, 3, "us-east-1"))
		a2 := save(t, s, sweepRecord(t0.Add(time.Hour+time.Minute), "A", 2, 3, "eu-west-1"))
		a2again := save(t, s, sweepRecord(t0.Add(time.Hour+5*time.Minute), "A", 2, 3, "eu-west-1"))
		// Sweep B: complete, 2 shards.
		b1 := save(t, s, sweepRecord(t0.Add(2*time.Hour), "B", 1, 2, "eu-west-1"))
		b0 := save(t, s, sweepRecord(t0.Add(2*time.Hour+time.Second), "B", 0, 2, "us-east-1"))

		got, err := s.Run(ctx, a2)
		if err != nil {
			t.Fatal(err)
		}
		if want := (store.RunShard{Sweep: "A", Index: 2, Count: 3}); got.Shard == nil || *got.Shard != want {
			t.Errorf("run %d shard %+v, want %+v", a2, got.Shard, want)
		}
		if p, err := s.Run(ctx, plain); err != nil || p.Shard != nil {
			t.Errorf("an unsharded run reads back shard %+v (%v), want nil", p.Shard, err)
		}

		runs, err := s.SweepRuns(ctx, "A")
		if err != nil {
			t.Fatal(err)
		}
		if ids := runIDs(runs); !reflect.DeepEqual(ids, []int64{a0, a2, a2again}) {
			t.Errorf("SweepRuns(A) = %v, want %v (by shard, retries oldest first)", ids, []int64{a0, a2, a2again})
		}
		if runs, err := s.SweepRuns(ctx, "B"); err != nil || !reflect.DeepEqual(runIDs(runs), []int64{b0, b1}) {
			t.Errorf("SweepRuns(B) = %v, %v; want %v", runIDs(runs), err, []int64{b0, b1})
		}
		if runs, err := s.SweepRuns(ctx, "none"); err != nil || len(runs) != 0 {
			t.Errorf("SweepRuns(none) = %v, %v; want nothing", runs, err)
		}

		sweeps, err := s.Sweeps(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := []store.SweepStatus{
			{ID: "A", Count: 3, Stored: []int{0, 2}, Missing: []int{1}, Runs: 3,
				Started: t0.Add(time.Hour), Finished: t0.Add(time.Hour + 5*time.Minute + 90*time.Second)},
			{ID: "B", Count: 2, Stored: []int{0, 1}, Missing: []int{}, Runs: 2,
				Started: t0.Add(2 * time.Hour), Finished: t0.Add(2*time.Hour + time.Second + 90*time.Second)},
		}
		if !reflect.DeepEqual(sweeps, want) {
			t.Errorf("Sweeps\n got %+v\nwant %+v", sweeps, want)
		}
		if sweeps[0].Complete() || !sweeps[1].Complete() {
			t.Error("Complete: want A incomplete, B complete")
		}

		// Each shard's scope lists only its units: sweep B's shard 0 must
		// not mark shard 1's finding deleted.
		st := states(t, s)
		if west := st[notebook("nb-eu-west-1", "eu-west-1").ResourceARN]; !west.Gone.IsZero() || !west.Open() {
			t.Errorf("eu-west-1 finding %+v: another shard's run closed it", west)
		}
	})
}

func TestConformanceSweepMismatch(t *testing.T) {
	forEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		s := open(t, dsn)
		save(t, s, sweepRecord(t0, "M", 0, 2, "us-east-1"))
		save(t, s, sweepRecord(t0, "M", 2, 3, "eu-west-1"))
		sweeps, err := s.Sweeps(ctx)
		if err != nil || len(sweeps) != 1 {
			t.Fatalf("Sweeps = %+v, %v", sweeps, err)
		}
		sw := sweeps[0]
		if !sw.Mismatched || sw.Count != 3 || !reflect.DeepEqual(sw.Missing, []int{1}) || sw.Complete() {
			t.Errorf("mismatched counts: %+v", sw)
		}
		for _, bad := range []store.RunShard{{Sweep: "", Index: 0, Count: 2}, {Sweep: "X", Index: 2, Count: 2}, {Sweep: "X", Index: -1, Count: 2}} {
			rec := record(t0, scope("us-east-1"))
			rec.Run.Shard = &bad
			if _, err := s.SaveRun(ctx, rec); err == nil {
				t.Errorf("SaveRun accepted shard %+v", bad)
			}
		}
	})
}

func runIDs(runs []store.Run) []int64 {
	out := []int64{}
	for _, r := range runs {
		out = append(out, r.ID)
	}
	return out
}
