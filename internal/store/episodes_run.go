package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/history"
)

// EpisodesOpenedIn returns the violations run opened or reopened, the only
// ones an alert on that run looks at: an event-driven check alerts on its
// own run without reading every violation ever stored.
func (s *Store) EpisodesOpenedIn(ctx context.Context, run int64) ([]history.Episode, error) {
	return s.queryEpisodes(ctx, "WHERE opened_run = ?", run)
}

func (s *Store) queryEpisodes(ctx context.Context, where string, args ...any) ([]history.Episode, error) {
	rows, err := s.db.QueryContext(ctx, s.d.rebind(`SELECT fingerprint, severity, opened_ms, opened_run, reopen, resolved_ms, resolved_run, resolution
		FROM violations `+where+` ORDER BY opened_ms, id`), args...)
	if err != nil {
		return nil, fmt.Errorf("violations: %w", err)
	}
	defer rows.Close()
	var out []history.Episode
	for rows.Next() {
		var (
			ep                    history.Episode
			sev                   int
			opened                int64
			resolved, resolvedRun sql.NullInt64
			resolution            string
		)
		if err := rows.Scan(&ep.Fingerprint, &sev, &opened, &ep.OpenedRun, &ep.Reopen, &resolved, &resolvedRun, &resolution); err != nil {
			return nil, err
		}
		ep.Severity, ep.OpenedAt, ep.ResolvedAt = finding.Severity(sev), fromMS(opened), fromNullMS(resolved)
		ep.ResolvedRun, ep.Resolution = resolvedRun.Int64, history.Resolution(resolution)
		out = append(out, ep)
	}
	return out, rows.Err()
}
