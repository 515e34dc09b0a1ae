package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Names of the serve marks.
const (
	// MarkLastFullScan is when (Unix ms) the last full, not incremental,
	// scan of sagekey serve started.
	MarkLastFullScan = "last_full_scan"
	// MarkAlertedRun is the last run whose alerts were enqueued.
	MarkAlertedRun = "alerted_run"
	// MarkTrailAlerted is the instant (Unix ms) up to which CloudTrail
	// aggregates have raised alerts.
	MarkTrailAlerted = "trail_alerted"
)

// ServeMark reads a named value; ok is false when it was never set.
func (s *Store) ServeMark(ctx context.Context, name string) (v int64, ok bool, err error) {
	err = s.db.QueryRowContext(ctx, s.d.rebind("SELECT value FROM serve_marks WHERE name = ?"), name).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("serve mark %s: %w", name, err)
	}
	return v, true, nil
}

// ServeTime reads a mark that holds an instant; the zero time when unset.
func (s *Store) ServeTime(ctx context.Context, name string) (time.Time, error) {
	v, ok, err := s.ServeMark(ctx, name)
	if err != nil || !ok {
		return time.Time{}, err
	}
	return fromMS(v), nil
}

// SetServeTime sets a mark that holds an instant.
func (s *Store) SetServeTime(ctx context.Context, name string, at time.Time) error {
	return s.SetServeMark(ctx, name, ms(at))
}

// SetServeMark sets a named value, replacing its earlier one.
func (s *Store) SetServeMark(ctx context.Context, name string, v int64) error {
	_, err := s.db.ExecContext(ctx, s.d.rebind(
		"INSERT INTO serve_marks (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value"),
		name, v)
	if err != nil {
		return fmt.Errorf("serve mark %s: %w", name, err)
	}
	return nil
}

// Ping checks that the database answers (readiness probes).
func (s *Store) Ping(ctx context.Context) error { return s.db.PingContext(ctx) }
