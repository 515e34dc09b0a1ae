package store

import "slices"

// SweepSet is one sweep as its stored runs show it: its status, and the
// run of each stored shard that counts.
type SweepSet struct {
	Status SweepStatus
	// Latest is the last run of each stored shard, by shard index: a
	// retried shard's later run replaces the earlier one, as a later scan
	// of the same units does.
	Latest []Run
	// Last is the highest run id of the sweep (retries included): where the
	// sweep sits among the runs, stored order being the order of "newer".
	Last int64
}

// Complete reports whether every shard has a run.
func (s SweepSet) Complete() bool { return s.Status.Complete() }

// GroupSweeps groups the sharded runs among runs by sweep, in the order
// each sweep's first run appears. It is pure, so callers can group the
// runs they already read (Runs, or only those up to some time) and get the
// same status the Sweeps query would give for them.
func GroupSweeps(runs []Run) []SweepSet {
	var (
		out []SweepSet
		at  = map[string]int{}
	)
	for _, r := range runs {
		if r.Shard == nil {
			continue
		}
		i, ok := at[r.Shard.Sweep]
		if !ok {
			i, at[r.Shard.Sweep] = len(out), len(out)
			out = append(out, SweepSet{Status: SweepStatus{ID: r.Shard.Sweep, Count: r.Shard.Count, Started: r.Started}})
		}
		out[i].add(r)
	}
	for i := range out {
		out[i].finish()
	}
	return out
}

func (s *SweepSet) add(r Run) {
	st := &s.Status
	if r.Shard.Count != st.Count {
		st.Mismatched, st.Count = true, max(st.Count, r.Shard.Count)
	}
	st.Runs++
	if r.Started.Before(st.Started) {
		st.Started = r.Started
	}
	if r.Finished.After(st.Finished) {
		st.Finished = r.Finished
	}
	s.Last = max(s.Last, r.ID)
	for j, l := range s.Latest {
		if l.Shard.Index == r.Shard.Index {
			if later(r, l) {
				s.Latest[j] = r
			}
			return
		}
	}
	s.Latest = append(s.Latest, r)
}

func (s *SweepSet) finish() {
	slices.SortFunc(s.Latest, func(a, b Run) int { return a.Shard.Index - b.Shard.Index })
	st := &s.Status
	st.Stored, st.Missing = []int{}, []int{}
	next := 0
	for idx := range st.Count {
		if next < len(s.Latest) && s.Latest[next].Shard.Index == idx {
			st.Stored = append(st.Stored, idx)
			next++
		} else {
			st.Missing = append(st.Missing, idx)
		}
	}
}

// later orders two runs of one shard: by start, then by id (stored order).
func later(a, b Run) bool {
	if !a.Started.Equal(b.Started) {
		return a.Started.After(b.Started)
	}
	return a.ID > b.ID
}
