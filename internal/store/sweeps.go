package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// RunShard says which shard of which sweep a run was: one of Count
// processes that each scanned the (account, region) units they own.
type RunShard struct {
	Sweep string `json:"sweep"`
	Index int    `json:"index"`
	Count int    `json:"count"`
}

// SweepStatus is how far a sweep got: which of its shards stored a run.
type SweepStatus struct {
	ID string `json:"id"`
	// Count is the number of shards the sweep expects (the largest count
	// its runs recorded; Mismatched says they disagreed).
	Count      int  `json:"count"`
	Mismatched bool `json:"mismatched,omitempty"`
	// Stored are the shard indexes with at least one run, ascending; Runs
	// counts the runs, more than len(Stored) when a shard was retried.
	Stored  []int `json:"stored"`
	Missing []int `json:"missing"`
	Runs    int   `json:"runs"`
	// Started is the earliest run's start, Finished the latest run's end.
	Started  time.Time `json:"started"`
	Finished time.Time `json:"finished"`
}

// Complete reports whether every shard stored a run.
func (s SweepStatus) Complete() bool { return len(s.Missing) == 0 && !s.Mismatched }

// shardColumns are the runs columns of migration 0007, NULL for a run that
// was not sharded.
type shardColumns struct {
	sweep        sql.NullString
	index, count sql.NullInt64
}

func shardValues(s *RunShard) (shardColumns, error) {
	if s == nil {
		return shardColumns{}, nil
	}
	if s.Sweep == "" || s.Count < 1 || s.Index < 0 || s.Index >= s.Count {
		return shardColumns{}, fmt.Errorf("run shard %+v: want a sweep id and 0 ≤ index < count", *s)
	}
	return shardColumns{
		sweep: sql.NullString{String: s.Sweep, Valid: true},
		index: sql.NullInt64{Int64: int64(s.Index), Valid: true},
		count: sql.NullInt64{Int64: int64(s.Count), Valid: true},
	}, nil
}

func (c shardColumns) shard() *RunShard {
	if !c.sweep.Valid {
		return nil
	}
	return &RunShard{Sweep: c.sweep.String, Index: int(c.index.Int64), Count: int(c.count.Int64)}
}

// SweepRuns returns the runs of one sweep by shard index, a retried
// shard's runs oldest first (the last is the one to merge). An unknown
// sweep has no runs and no error.
func (s *Store) SweepRuns(ctx context.Context, sweepID string) ([]Run, error) {
	rows, err := s.db.QueryContext(ctx, s.d.rebind("SELECT "+runColumns+
		" FROM runs WHERE sweep_id = ? ORDER BY shard_index, started_ms, id"), sweepID)
	if err != nil {
		return nil, fmt.Errorf("sweep %s runs: %w", sweepID, err)
	}
	defer rows.Close()
	var out []Run
	for rows.Next() {
		r, err := scanRun(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Sweeps returns every sweep's status, the earliest started first. It
// reads only the sweep columns, so it stays cheap on a long history.
func (s *Store) Sweeps(ctx context.Context) ([]SweepStatus, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT sweep_id, shard_index, shard_count, started_ms, finished_ms
		FROM runs WHERE sweep_id IS NOT NULL ORDER BY started_ms, id`)
	if err != nil {
		return nil, fmt.Errorf("list sweeps: %w", err)
	}
	defer rows.Close()
	var (
		out    []SweepStatus
		at     = map[string]int{}          // sweep id → index in out
		shards = map[string]map[int]bool{} // sweep id → stored indexes
	)
	for rows.Next() {
		var (
			id                string
			index, count      int
			started, finished int64
		)
		if err := rows.Scan(&id, &index, &count, &started, &finished); err != nil {
			return nil, err
		}
		i, ok := at[id]
		if !ok {
			i, at[id], shards[id] = len(out), len(out), map[int]bool{}
			out = append(out, SweepStatus{ID: id, Count: count, Started: fromMS(started)})
		}
		sw := &out[i]
		if count != sw.Count {
			sw.Mismatched, sw.Count = true, max(sw.Count, count)
		}
		sw.Runs++
		if f := fromMS(finished); f.After(sw.Finished) {
			sw.Finished = f
		}
		shards[id][index] = true
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		sw := &out[i]
		sw.Stored, sw.Missing = []int{}, []int{}
		for idx := range sw.Count {
			if shards[sw.ID][idx] {
				sw.Stored = append(sw.Stored, idx)
			} else {
				sw.Missing = append(sw.Missing, idx)
			}
		}
	}
	return out, nil
}
