package store

import (
	"bytes"
	"compress/gzip"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/history"
)

// querier is what *sql.DB and *sql.Tx share.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

const runColumns = "id, started_ms, finished_ms, principal, os_user, tool_version, scope, counts, gaps, sweep_id, shard_index, shard_count, targeted"

// Runs returns every stored scan, oldest first: the runs that looked at
// the estate, not the targeted runs of event-driven checks (Run.Targeted),
// which re-checked a few named resources and would read as a scan that
// found almost nothing. Use AllRuns for both.
func (s *Store) Runs(ctx context.Context) ([]Run, error) {
	return s.listRuns(ctx, "WHERE NOT targeted ")
}

// AllRuns returns every stored run, scans and targeted runs alike, oldest
// first.
func (s *Store) AllRuns(ctx context.Context) ([]Run, error) {
	return s.listRuns(ctx, "")
}

func (s *Store) listRuns(ctx context.Context, where string) ([]Run, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT "+runColumns+" FROM runs "+where+"ORDER BY started_ms, id")
	if err != nil {
		return nil, fmt.Errorf("list runs: %w", err)
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

// Run returns one run, a scan or a targeted run, or ErrNotFound.
func (s *Store) Run(ctx context.Context, id int64) (Run, error) {
	r, err := scanRun(s.db.QueryRowContext(ctx, s.d.rebind("SELECT "+runColumns+" FROM runs WHERE id = ?"), id))
	if errors.Is(err, sql.ErrNoRows) {
		return Run{}, fmt.Errorf("run %d: %w", id, ErrNotFound)
	}
	return r, err
}

type rowScanner interface{ Scan(dest ...any) error }

func scanRun(row rowScanner) (Run, error) {
	var (
		r                 Run
		started, finished int64
		scope, counts     string
		sh                shardColumns
	)
	if err := row.Scan(&r.ID, &started, &finished, &r.Principal, &r.User, &r.ToolVersion, &scope, &counts, &r.Gaps,
		&sh.sweep, &sh.index, &sh.count, &r.Targeted); err != nil {
		return Run{}, err
	}
	r.Shard = sh.shard()
	r.Started, r.Finished = fromMS(started), fromMS(finished)
	if err := json.Unmarshal([]byte(scope), &r.Scope); err != nil {
		return Run{}, fmt.Errorf("run %d scope: %w", r.ID, err)
	}
	if err := json.Unmarshal([]byte(counts), &r.Counts); err != nil {
		return Run{}, fmt.Errorf("run %d counts: %w", r.ID, err)
	}
	return r, nil
}

// Observations returns the findings run id observed.
func (s *Store) Observations(ctx context.Context, runID int64) ([]history.Observation, error) {
	rows, err := s.db.QueryContext(ctx, s.d.rebind(`SELECT check_id, resource_arn, slot, kind, account, region,
		resource_created_ms, status, severity, message, tags FROM run_findings WHERE run_id = ? ORDER BY fingerprint`), runID)
	if err != nil {
		return nil, fmt.Errorf("run %d findings: %w", runID, err)
	}
	defer rows.Close()
	out := []history.Observation{}
	for rows.Next() {
		var (
			o       history.Observation
			created sql.NullInt64
			status  string
			sev     int
			tags    string
		)
		if err := rows.Scan(&o.CheckID, &o.ResourceARN, &o.Slot, &o.Kind, &o.Account, &o.Region,
			&created, &status, &sev, &o.Message, &tags); err != nil {
			return nil, err
		}
		o.ResourceCreated, o.Status, o.Severity = fromNullMS(created), finding.Status(status), finding.Severity(sev)
		if err := json.Unmarshal([]byte(tags), &o.Tags); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// States returns the life of every finding ever stored.
func (s *Store) States(ctx context.Context) ([]history.State, error) {
	m, err := s.loadStates(ctx, s.db)
	if err != nil {
		return nil, err
	}
	out := make([]history.State, 0, len(m))
	for _, st := range m {
		out = append(out, st)
	}
	return out, nil
}

func (s *Store) loadStates(ctx context.Context, q querier) (map[string]history.State, error) {
	out := map[string]history.State{}
	return out, s.queryStates(ctx, q, out, "")
}

// queryStates adds to out the states of the findings where (a SQL
// condition with ? placeholders, "" for all) selects.
func (s *Store) queryStates(ctx context.Context, q querier, out map[string]history.State, where string, args ...any) error {
	query := `SELECT fingerprint, check_id, resource_arn, slot, kind, account, region, resource_created_ms,
		status, severity, message, tags, first_seen_ms, last_seen_ms, last_run, gone_ms, opened_ms, resolved_ms, resolution, reopened
		FROM findings`
	if where != "" {
		query += " WHERE " + where
	}
	rows, err := q.QueryContext(ctx, s.d.rebind(query), args...)
	if err != nil {
		return fmt.Errorf("finding states: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			st                             history.State
			created, gone, opened, resolvd sql.NullInt64
			first, last                    int64
			status, tags, resolution       string
			sev                            int
		)
		if err := rows.Scan(&st.Fingerprint, &st.CheckID, &st.ResourceARN, &st.Slot, &st.Kind, &st.Account, &st.Region, &created,
			&status, &sev, &st.Message, &tags, &first, &last, &st.LastRun, &gone, &opened, &resolvd, &resolution, &st.Reopened); err != nil {
			return err
		}
		st.ResourceCreated, st.Status, st.Severity = fromNullMS(created), finding.Status(status), finding.Severity(sev)
		st.FirstSeen, st.LastSeen = fromMS(first), fromMS(last)
		st.Gone, st.OpenedAt, st.ResolvedAt = fromNullMS(gone), fromNullMS(opened), fromNullMS(resolvd)
		st.Resolution = history.Resolution(resolution)
		if err := json.Unmarshal([]byte(tags), &st.Tags); err != nil {
			return err
		}
		out[st.Fingerprint] = st
	}
	return rows.Err()
}

// Episodes returns every violation, open or resolved, oldest first.
func (s *Store) Episodes(ctx context.Context) ([]history.Episode, error) {
	return s.queryEpisodes(ctx, "")
}

// Snapshot returns the inventory and keys run id collected.
func (s *Store) Snapshot(ctx context.Context, runID int64) (Snapshot, error) {
	var body []byte
	err := s.db.QueryRowContext(ctx, s.d.rebind("SELECT body FROM run_snapshots WHERE run_id = ?"), runID).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return Snapshot{}, fmt.Errorf("snapshot of run %d: %w", runID, ErrNotFound)
	}
	if err != nil {
		return Snapshot{}, err
	}
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		return Snapshot{}, fmt.Errorf("snapshot of run %d: %w", runID, err)
	}
	var snap Snapshot
	if err := json.NewDecoder(zr).Decode(&snap); err != nil {
		return Snapshot{}, fmt.Errorf("snapshot of run %d: %w", runID, err)
	}
	return snap, nil
}
