package cli

import (
	"fmt"

	"github.com/sagekey/sagekey/internal/store"
)

// historyRow is one line of sagekey history: a stored run, or the runs of
// one sweep read as one scan. A run's JSON is the stored run as before;
// a sweep's adds the sweep object.
type historyRow struct {
	store.Run
	Sweep *historySweep `json:"sweep,omitempty"`
}

// historySweep says how far a sweep got and which runs the row combines.
type historySweep struct {
	ID         string  `json:"id"`
	Count      int     `json:"count"`
	Stored     []int   `json:"stored"`
	Missing    []int   `json:"missing"`
	Mismatched bool    `json:"mismatched,omitempty"`
	Complete   bool    `json:"complete"`
	Runs       []int64 `json:"runs"`
}

// historyRows folds each sweep's runs into one row where its first run
// was, combining the latest run of each stored shard: its counts add up,
// it started with the earliest and finished with the latest.
func historyRows(runs []store.Run) []historyRow {
	sets := map[string]store.SweepSet{}
	for _, s := range store.GroupSweeps(runs) {
		sets[s.Status.ID] = s
	}
	rows := []historyRow{}
	for _, r := range runs {
		if r.Shard == nil {
			rows = append(rows, historyRow{Run: r})
			continue
		}
		set, first := sets[r.Shard.Sweep]
		if !first {
			continue
		}
		delete(sets, r.Shard.Sweep)
		st := set.Status
		sw := &historySweep{ID: st.ID, Count: st.Count, Stored: st.Stored, Missing: st.Missing,
			Mismatched: st.Mismatched, Complete: set.Complete(), Runs: []int64{}}
		for _, l := range set.Latest {
			sw.Runs = append(sw.Runs, l.ID)
		}
		rows = append(rows, historyRow{Run: mergeRuns(set.Latest), Sweep: sw})
	}
	return rows
}

// runCell is the RUN column: the run id, or the runs a sweep row combines.
func (r historyRow) runCell() string {
	if r.Sweep == nil {
		return fmt.Sprint(r.ID)
	}
	ids := r.Sweep.Runs
	if len(ids) <= 3 {
		s := fmt.Sprint(ids[0])
		for _, id := range ids[1:] {
			s += fmt.Sprintf(",%d", id)
		}
		return s
	}
	return fmt.Sprintf("%d,…,%d", ids[0], ids[len(ids)-1])
}

// shardsCell is the SHARDS column: stored of expected, and what is missing.
func (r historyRow) shardsCell() string {
	if r.Sweep == nil {
		return "-"
	}
	sw := r.Sweep
	s := fmt.Sprintf("%d/%d", len(sw.Stored), sw.Count)
	switch {
	case sw.Mismatched:
		s += " incomplete: shard counts disagree"
	case !sw.Complete:
		s += " incomplete: missing shards " + joinInts(sw.Missing)
	}
	return s
}
