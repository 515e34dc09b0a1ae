package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"
)

// OutboxItem is one alert waiting for (or done with) one sink. The outbox
// gives at-least-once delivery: an alert is enqueued in the store before it
// is sent, claimed by one sender at a time, and marked delivered or failed.
type OutboxItem struct {
	// ID is the alert's idempotency key; (ID, Sink) is unique.
	ID string
	// Sink is the configured sink's name. Never a URL: URLs carry secrets
	// (Slack and webhook tokens) and stay in the configuration.
	Sink    string
	Payload json.RawMessage
	Created time.Time
	// NextAttempt is when the item is next due. Zero on enqueue means
	// Created.
	NextAttempt time.Time
	// Attempts counts claims, so an attempt whose sender crashed counts too
	// and a poison alert still reaches the caller's dead-letter limit.
	Attempts  int
	LastError string
	Delivered time.Time // zero while not delivered
	Dead      time.Time // zero unless given up
}

// OutboxStat counts one sink's items for the dashboard. An item is
// delivered once MarkDelivered was called, else dead once MarkFailed gave
// up, else pending.
type OutboxStat struct {
	Sink      string
	Pending   int
	Dead      int
	Delivered int
}

// maxErrorLen bounds last_error: an error body echoed by a sink must not
// grow the database.
const maxErrorLen = 1000

// EnqueueAlerts adds items to the outbox in one transaction. It is
// idempotent: an (ID, Sink) already present is left as it is, whatever its
// state, so enqueueing the same lifecycle transition twice (a re-run after a
// crash, two replicas) sends it once.
func (s *Store) EnqueueAlerts(ctx context.Context, items []OutboxItem) error {
	for _, it := range items {
		if err := validOutboxItem(it); err != nil {
			return err
		}
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	stmt, err := tx.PrepareContext(ctx, s.d.rebind(`INSERT INTO alert_outbox
		(id, sink, payload, created_ms, next_attempt_ms, attempts, last_error)
		VALUES (?, ?, ?, ?, ?, 0, '')
		ON CONFLICT (id, sink) DO NOTHING`))
	if err != nil {
		return err
	}
	defer stmt.Close()
	for _, it := range items {
		next := it.NextAttempt
		if next.IsZero() {
			next = it.Created
		}
		if _, err := stmt.ExecContext(ctx, it.ID, it.Sink, string(it.Payload), ms(it.Created), ms(next)); err != nil {
			return fmt.Errorf("enqueue alert %s for %s: %w", it.ID, it.Sink, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

func validOutboxItem(it OutboxItem) error {
	switch {
	case it.ID == "" || it.Sink == "":
		return fmt.Errorf("outbox item %q for sink %q: id and sink are required", it.ID, it.Sink)
	case strings.Contains(it.Sink, "://"):
		// A URL as a sink name would put a webhook secret in the database.
		return fmt.Errorf("outbox item %s: sink must be a configured sink's name, not a URL", it.ID)
	case it.Created.IsZero():
		return fmt.Errorf("outbox item %s for %s: created time is required", it.ID, it.Sink)
	case !json.Valid(it.Payload):
		return fmt.Errorf("outbox item %s for %s: payload is not JSON", it.ID, it.Sink)
	}
	return nil
}

// ClaimDueAlerts hands out up to limit pending items due at now, oldest due
// first, each to one claimer only: on PostgreSQL the rows are selected FOR
// UPDATE SKIP LOCKED, so claimers in other processes pass over them; on
// SQLite the claim runs under the database write lock. A claim pushes the
// item's next attempt to now+lease and counts an attempt, so the item is not
// handed out again while it is being sent, and comes back after the lease
// if its claimer crashed (delivery is at least once, never lost). The lease
// must outlast a send; the claimer then calls MarkDelivered or MarkFailed.
func (s *Store) ClaimDueAlerts(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]OutboxItem, error) {
	if limit <= 0 {
		return nil, nil
	}
	if lease <= 0 {
		return nil, fmt.Errorf("claim alerts: lease must be positive, got %v", lease)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	// One statement selects and pushes out the due rows. The selection is a
	// MATERIALIZED CTE so it runs once: as an IN subquery PostgreSQL may
	// rescan it per row and claim far more than limit. The outer WHERE
	// repeats the due test because PostgreSQL rechecks it against a row's
	// latest version, so a row claimed meanwhile drops out rather than
	// being handed out twice, whatever the locking.
	due := ms(now)
	rows, err := tx.QueryContext(ctx, s.d.rebind(`WITH due AS MATERIALIZED (
			SELECT id, sink FROM alert_outbox
			WHERE delivered_ms IS NULL AND dead_ms IS NULL AND next_attempt_ms <= ?
			ORDER BY next_attempt_ms, created_ms, id, sink
			LIMIT ?`+s.d.skipLocked+`)
		UPDATE alert_outbox
		SET next_attempt_ms = ?, attempts = attempts + 1
		WHERE delivered_ms IS NULL AND dead_ms IS NULL AND next_attempt_ms <= ?
		AND (id, sink) IN (SELECT id, sink FROM due)
		RETURNING `+outboxColumns),
		due, limit, ms(now.Add(lease)), due)
	if err != nil {
		return nil, fmt.Errorf("claim alerts: %w", err)
	}
	items, err := scanOutbox(rows)
	if err != nil {
		return nil, fmt.Errorf("claim alerts: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("commit: %w", err)
	}
	// RETURNING has no order; hand items out oldest first.
	sort.Slice(items, func(i, j int) bool {
		a, b := items[i], items[j]
		if !a.Created.Equal(b.Created) {
			return a.Created.Before(b.Created)
		}
		if a.ID != b.ID {
			return a.ID < b.ID
		}
		return a.Sink < b.Sink
	})
	return items, nil
}

// MarkDelivered records that the sink accepted the item. A late success
// after the item was given up on wins: it was delivered.
func (s *Store) MarkDelivered(ctx context.Context, id, sink string, at time.Time) error {
	res, err := s.db.ExecContext(ctx, s.d.rebind(`UPDATE alert_outbox
		SET delivered_ms = COALESCE(delivered_ms, ?), dead_ms = NULL, last_error = ''
		WHERE id = ? AND sink = ?`), ms(at), id, sink)
	if err != nil {
		return fmt.Errorf("mark alert %s delivered to %s: %w", id, sink, err)
	}
	return mustHaveRow(res, id, sink)
}

// MarkFailed records a failed send: its error (URLs reduced to scheme and
// host, since a sink's error often quotes its secret URL) and when to try
// again. dead gives up on the item, making it a dead letter stamped with
// the current time; how many attempts make an item dead is the caller's
// decision (see OutboxItem.Attempts). An item already delivered, say by a
// claimer whose lease had expired, stays delivered.
func (s *Store) MarkFailed(ctx context.Context, id, sink, errText string, next time.Time, dead bool) error {
	var deadMS sql.NullInt64
	if dead {
		deadMS = nullMS(time.Now())
	}
	res, err := s.db.ExecContext(ctx, s.d.rebind(`UPDATE alert_outbox
		SET last_error = ?, next_attempt_ms = ?, dead_ms = COALESCE(dead_ms, ?)
		WHERE id = ? AND sink = ? AND delivered_ms IS NULL`),
		redactError(errText), ms(next), deadMS, id, sink)
	if err != nil {
		return fmt.Errorf("mark alert %s failed for %s: %w", id, sink, err)
	}
	if n, err := res.RowsAffected(); err != nil || n > 0 {
		return err
	}
	// Nothing updated: delivered already (fine) or never enqueued.
	var one int
	err = s.db.QueryRowContext(ctx, s.d.rebind("SELECT 1 FROM alert_outbox WHERE id = ? AND sink = ?"), id, sink).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("alert %s for %s: %w", id, sink, ErrNotFound)
	}
	return err
}

func mustHaveRow(res sql.Result, id, sink string) error {
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("alert %s for %s: %w", id, sink, ErrNotFound)
	}
	return nil
}

// urlPattern matches URLs in an error text; redactError keeps their scheme
// and host, enough to tell which endpoint failed.
var urlPattern = regexp.MustCompile(`([a-zA-Z][a-zA-Z0-9+.-]*)://(?:[^@/\s"'<>]*@)?([^/?#\s"'<>]*)[^\s"'<>]*`)

func redactError(text string) string {
	text = urlPattern.ReplaceAllString(text, "$1://$2/[redacted]")
	if len(text) > maxErrorLen {
		text = strings.ToValidUTF8(text[:maxErrorLen], "") + "…"
	}
	return text
}
