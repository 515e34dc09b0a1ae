package store

import (
	"context"
	"database/sql"
	"fmt"
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

// RunsPage returns one page of the stored runs, most recently started
// first, and how many are stored.
func (s *Store) RunsPage(ctx context.Context, p Page) ([]Run, int, error) {
	var total int
	if err := s.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM runs").Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count runs: %w", err)
	}
	size := min(max(p.Size, 1), MaxPageSize)
	rows, err := s.db.QueryContext(ctx, s.d.rebind("SELECT "+runColumns+" FROM runs ORDER BY started_ms DESC, id DESC LIMIT ? OFFSET ?"),
		size, (max(p.Number, 1)-1)*size)
	if err != nil {
		return nil, 0, fmt.Errorf("runs page: %w", err)
	}
	defer rows.Close()
	out := []Run{}
	for rows.Next() {
		r, err := scanRun(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, r)
	}
	return out, total, rows.Err()
}
