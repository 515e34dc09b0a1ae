package store

import (
	"cmp"
	"slices"
)

// Scan is one scan of the estate as the views read it: an unsharded run,
// or a complete sweep (the latest run of each of its shards).
type Scan struct {
	// ID is the run a view loads for it: the run itself, or the sweep's
	// last run, which a loader reads back as the whole sweep.
	ID   int64
	Runs []Run
	// Sweep is set for a sweep.
	Sweep *SweepSet
}

// Scans returns the scans among runs (as Runs returns them: no targeted
// run), in the order they completed: a sweep counts once its last shard
// is stored, at that run. Incomplete sweeps are left out: until every
// shard is in, the previous scan stands.
func Scans(runs []Run) []Scan {
	var out []Scan
	for _, r := range runs {
		if r.Shard == nil && !r.Targeted {
			out = append(out, Scan{ID: r.ID, Runs: []Run{r}})
		}
	}
	for _, set := range GroupSweeps(runs) {
		if set.Complete() {
			s := set
			out = append(out, Scan{ID: set.Last, Runs: set.Latest, Sweep: &s})
		}
	}
	slices.SortFunc(out, func(a, b Scan) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

// RunIDs are every run of the scan, a sweep's retried shards included.
func (s Scan) RunIDs(all []Run) []int64 {
	if s.Sweep == nil {
		return []int64{s.ID}
	}
	var ids []int64
	for _, r := range all {
		if (r.Shard != nil && r.Shard.Sweep == s.Sweep.Status.ID) || (r.Targeted && r.Scope.Sweep == s.Sweep.Status.ID) {
			ids = append(ids, r.ID)
		}
	}
	return ids
}
