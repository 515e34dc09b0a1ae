package kpi

import (
	"github.com/sagekey/sagekey/internal/history"
	"github.com/sagekey/sagekey/internal/store"
)

// IncompleteSweep is a sweep whose shards had not all stored a run by the
// window's end: its runs still count for the units they scanned, but it
// has no point on the trend, which would otherwise show part of the estate
// as if it were all of it.
type IncompleteSweep struct {
	ID      string `json:"id"`
	Stored  []int  `json:"stored_shards"`
	Missing []int  `json:"missing_shards"`
	// Mismatched says its runs disagree on the shard count.
	Mismatched bool `json:"mismatched,omitempty"`
}

// sweepPoints maps the run that completes each complete sweep (the last of
// its runs in replay order, retries included) to the sweep, so the trend
// has one point per sweep, placed when its last shard is in.
func sweepPoints(runs []store.Run) map[int64]store.SweepSet {
	last := map[string]int64{}
	for _, r := range runs {
		if r.Shard != nil {
			last[r.Shard.Sweep] = r.ID
		}
	}
	points := map[int64]store.SweepSet{}
	for _, s := range store.GroupSweeps(runs) {
		if s.Complete() {
			points[last[s.Status.ID]] = s
		}
	}
	return points
}

// sweepTally is a complete sweep's point: the verdicts of each shard's
// latest run, which together cover the estate once.
func sweepTally(s store.SweepSet, obs map[int64][]history.Observation) TrendPoint {
	var t Tally
	for _, r := range s.Latest {
		for _, ob := range obs[r.ID] {
			t.Add(ob.Status)
		}
	}
	t.Group = "run"
	t.Finish()
	var id int64
	for _, r := range s.Latest {
		id = max(id, r.ID)
	}
	return TrendPoint{At: s.Status.Started, Run: id, Tally: t}
}

// incompleteSweeps lists the sweeps with a run in the window that are
// missing shards among the runs up to its end.
func incompleteSweeps(runs []store.Run, o Options) []IncompleteSweep {
	var out []IncompleteSweep
	for _, s := range store.GroupSweeps(runs) {
		if s.Complete() || s.Status.Finished.Before(o.From) {
			continue
		}
		out = append(out, IncompleteSweep{ID: s.Status.ID, Stored: s.Status.Stored, Missing: s.Status.Missing,
			Mismatched: s.Status.Mismatched})
	}
	return out
}

// unitsOf is the (account, region) units a run scanned. A shard's accounts
// and regions are those of the units it owns, whose cross product may hold
// units another shard owns; its scope lists the units it reached.
func unitsOf(r store.Run) []pair {
	var out []pair
	if r.Shard != nil {
		for _, c := range r.Scope.Complete {
			out = append(out, pair{c.Account, c.Region})
		}
		return out
	}
	for _, a := range r.Scope.Accounts {
		for _, g := range r.Scope.Regions {
			out = append(out, pair{a, g})
		}
	}
	return out
}
