package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// seenChunk is how many event ids one INSERT names.
const seenChunk = 500

// Seen reports whether the event eventID was marked handled: the
// idempotency store of the event consumers (consumer.Seen), shared by every
// replica through the database, so an event redelivered to another replica
// is not handled twice.
func (s *Store) Seen(ctx context.Context, eventID string) (bool, error) {
	var one int
	err := s.db.QueryRowContext(ctx, s.d.rebind("SELECT 1 FROM event_seen WHERE event_id = ?"), eventID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("event seen %s: %w", eventID, err)
	}
	return true, nil
}

// Mark records the events eventIDs as handled, now. An id marked before
// keeps its first mark (so pruning counts from when it was first handled),
// and empty ids are skipped. All ids are marked, or none.
func (s *Store) Mark(ctx context.Context, eventIDs []string) error {
	ids := make([]any, 0, len(eventIDs))
	seen := make(map[string]bool, len(eventIDs))
	for _, id := range eventIDs {
		if id != "" && !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	now := ms(time.Now())
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("mark events: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	for len(ids) > 0 {
		n := min(len(ids), seenChunk)
		args := make([]any, 0, 2*n)
		for _, id := range ids[:n] {
			args = append(args, id, now)
		}
		q := "INSERT INTO event_seen (event_id, seen_ms) VALUES " +
			strings.TrimSuffix(strings.Repeat("(?, ?), ", n), ", ") + " ON CONFLICT (event_id) DO NOTHING"
		if _, err := tx.ExecContext(ctx, s.d.rebind(q), args...); err != nil {
			return fmt.Errorf("mark events: %w", err)
		}
		ids = ids[n:]
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("mark events: %w", err)
	}
	return nil
}

// PruneSeen forgets the events marked before before (once the queue can no
// longer redeliver them: SQS keeps a message at most 14 days) and returns
// how many it forgot.
func (s *Store) PruneSeen(ctx context.Context, before time.Time) (int64, error) {
	res, err := s.db.ExecContext(ctx, s.d.rebind("DELETE FROM event_seen WHERE seen_ms < ?"), ms(before))
	if err != nil {
		return 0, fmt.Errorf("prune seen events: %w", err)
	}
	return res.RowsAffected()
}
