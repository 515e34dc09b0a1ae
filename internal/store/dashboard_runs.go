package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
)

// LatestRunID is the id of the most recently stored run, 0 when none is.
// Ids only grow, so a new id means a new run: the dashboard keys its
// cached aggregates on it.
func (s *Store) LatestRunID(ctx context.Context) (int64, error) {
	var id sql.NullInt64
	if err := s.db.QueryRowContext(ctx, "SELECT MAX(id) FROM runs").Scan(&id); err != nil {
		return 0, fmt.Errorf("latest run: %w", err)
	}
	return id.Int64, nil
}

// RunKind is what a stored run, or a row of the dashboard's runs page, is.
type RunKind string

const (
	// KindScan is an unsharded scan of the estate.
	KindScan RunKind = "scan"
	// KindSweep is a whole sweep: every stored shard run of it, one row.
	KindSweep RunKind = "sweep"
	// KindEventCheck is an event-driven check of a few named resources
	// (Scope.Resources), made by `sagekey serve --queue`.
	KindEventCheck RunKind = "event check"
	// KindSweepKeys is the key judgement stored when the last shard of a
	// sweep completes it: key checks only, no named resources.
	KindSweepKeys RunKind = "sweep keys"
)

// Kind says what run r is: a scan, one shard of a sweep (KindSweep), an
// event-driven check or a sweep's key judgement (a targeted run naming its
// sweep, history.Scope.Sweep).
func (r Run) Kind() RunKind {
	switch {
	case r.Shard != nil:
		return KindSweep
	case !r.Targeted:
		return KindScan
	case r.Scope.Sweep != "":
		return KindSweepKeys
	}
	return KindEventCheck
}

// RunRow is one row of the dashboard's runs page: a scan, a targeted run,
// or a whole sweep.
type RunRow struct {
	Kind RunKind
	// Run is the row's run; zero for a sweep.
	Run Run
	// Sweep is a sweep's status and the latest run of each stored shard,
	// read whole; zero for any other row.
	Sweep SweepSet
	// IDs are the row's run ids, ascending: a sweep's every shard run,
	// retries included.
	IDs []int64
}

// runMeta is what paging the runs reads of every run: no scope, no counts.
type runMeta struct {
	started int64
	ids     []int64
	sweep   *SweepSet
	kind    RunKind // of an unsharded run: scan, or targeted (resolved when read whole)
	last    int64
}

// runRows groups every stored run into rows, newest first: a run per row,
// a sweep's shard runs in one row started at its first shard's start. It
// reads only ids, times and the shard and targeted columns, so paging does
// not read any run's scope, counts or snapshot.
func (s *Store) runRows(ctx context.Context) ([]runMeta, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT id, started_ms, finished_ms, sweep_id, shard_index, shard_count, targeted FROM runs ORDER BY started_ms, id")
	if err != nil {
		return nil, fmt.Errorf("list runs: %w", err)
	}
	defer rows.Close()
	var (
		out     []runMeta
		sharded []Run
	)
	for rows.Next() {
		var (
			r                 Run
			started, finished int64
			sh                shardColumns
		)
		if err := rows.Scan(&r.ID, &started, &finished, &sh.sweep, &sh.index, &sh.count, &r.Targeted); err != nil {
			return nil, err
		}
		r.Started, r.Finished, r.Shard = fromMS(started), fromMS(finished), sh.shard()
		if r.Shard != nil {
			sharded = append(sharded, r)
			continue
		}
		kind := KindScan
		if r.Targeted {
			kind = KindEventCheck
		}
		out = append(out, runMeta{started: started, ids: []int64{r.ID}, kind: kind, last: r.ID})
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	sets := GroupSweeps(sharded)
	ids := map[string][]int64{}
	for _, r := range sharded {
		ids[r.Shard.Sweep] = append(ids[r.Shard.Sweep], r.ID)
	}
	for i := range sets {
		set := &sets[i]
		l := ids[set.Status.ID]
		slices.Sort(l)
		out = append(out, runMeta{started: set.Status.Started.UnixMilli(), ids: l, sweep: set, kind: KindSweep, last: set.Last})
	}
	slices.SortFunc(out, func(a, b runMeta) int {
		if a.started != b.started {
			return cmp.Compare(b.started, a.started)
		}
		return cmp.Compare(b.last, a.last)
	})
	return out, nil
}

// RunRowsPage returns one page of the runs page's rows, most recently
// started first, and how many rows there are. A sweep is one row, however
// many shard runs it stored; it counts as started when its first shard
// started. Only the page's runs are read whole.
func (s *Store) RunRowsPage(ctx context.Context, p Page) ([]RunRow, int, error) {
	all, err := s.runRows(ctx)
	if err != nil {
		return nil, 0, err
	}
	size := min(max(p.Size, 1), MaxPageSize)
	from := min((max(p.Number, 1)-1)*size, len(all))
	out, err := s.fillRows(ctx, all[from:min(from+size, len(all))])
	return out, len(all), err
}

// LatestScanRow returns the latest stored scan or complete sweep (the one
// stored last), never an event-driven check, a sweep's key judgement or an
// incomplete sweep; ok is false when there is none.
func (s *Store) LatestScanRow(ctx context.Context) (row RunRow, ok bool, err error) {
	all, err := s.runRows(ctx)
	if err != nil {
		return RunRow{}, false, err
	}
	var best *runMeta
	for i, m := range all {
		if (m.kind == KindScan || m.kind == KindSweep && m.sweep.Complete()) && (best == nil || m.last > best.last) {
			best = &all[i]
		}
	}
	if best == nil {
		return RunRow{}, false, nil
	}
	rows, err := s.fillRows(ctx, []runMeta{*best})
	if err != nil {
		return RunRow{}, false, err
	}
	return rows[0], true, nil
}

// fillRows reads the runs the rows show whole: each unsharded run, and the
// latest run of each stored shard of a sweep.
func (s *Store) fillRows(ctx context.Context, metas []runMeta) ([]RunRow, error) {
	var want []int64
	for _, m := range metas {
		if m.sweep == nil {
			want = append(want, m.ids...)
			continue
		}
		for _, r := range m.sweep.Latest {
			want = append(want, r.ID)
		}
	}
	byID, err := s.runsByID(ctx, want)
	if err != nil {
		return nil, err
	}
	out := make([]RunRow, 0, len(metas))
	for _, m := range metas {
		row := RunRow{Kind: m.kind, IDs: m.ids}
		if m.sweep == nil {
			row.Run = byID[m.ids[0]]
			row.Kind = row.Run.Kind()
		} else {
			row.Sweep = *m.sweep
			row.Sweep.Latest = make([]Run, len(m.sweep.Latest))
			for i, r := range m.sweep.Latest {
				row.Sweep.Latest[i] = byID[r.ID]
			}
		}
		out = append(out, row)
	}
	return out, nil
}

// runsByID reads runs whole by id, a few hundred ids per query.
func (s *Store) runsByID(ctx context.Context, ids []int64) (map[int64]Run, error) {
	out := make(map[int64]Run, len(ids))
	for chunk := range slices.Chunk(ids, 500) {
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		q := "SELECT " + runColumns + " FROM runs WHERE id IN (?" + strings.Repeat(", ?", len(chunk)-1) + ")"
		rows, err := s.db.QueryContext(ctx, s.d.rebind(q), args...)
		if err != nil {
			return nil, fmt.Errorf("read runs: %w", err)
		}
		for rows.Next() {
			r, err := scanRun(rows)
			if err != nil {
				rows.Close()
				return nil, err
			}
			out[r.ID] = r
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, err
		}
	}
	for _, id := range ids {
		if _, ok := out[id]; !ok {
			return nil, fmt.Errorf("run %d: %w", id, ErrNotFound)
		}
	}
	return out, nil
}
