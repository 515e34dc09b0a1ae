package store

import (
	"context"
	"database/sql"
	"fmt"
)

// outboxColumns is the column list scanOutbox reads, in its order.
const outboxColumns = `id, sink, payload, created_ms, next_attempt_ms, attempts, last_error, delivered_ms, dead_ms`

// defaultDeadLetters is how many dead letters DeadLetters returns when no
// positive limit is given: the dashboard never loads the table whole.
const defaultDeadLetters = 100

func scanOutbox(rows *sql.Rows) ([]OutboxItem, error) {
	defer rows.Close()
	var out []OutboxItem
	for rows.Next() {
		var (
			it                OutboxItem
			payload           string
			created, next     int64
			delivered, deadMS sql.NullInt64
		)
		if err := rows.Scan(&it.ID, &it.Sink, &payload, &created, &next, &it.Attempts, &it.LastError, &delivered, &deadMS); err != nil {
			return nil, err
		}
		it.Payload = []byte(payload)
		it.Created, it.NextAttempt = fromMS(created), fromMS(next)
		it.Delivered, it.Dead = fromNullMS(delivered), fromNullMS(deadMS)
		out = append(out, it)
	}
	return out, rows.Err()
}

// DeadLetters returns the most recently given-up items, newest first, at
// most limit of them (100 when limit is not positive).
func (s *Store) DeadLetters(ctx context.Context, limit int) ([]OutboxItem, error) {
	if limit <= 0 {
		limit = defaultDeadLetters
	}
	rows, err := s.db.QueryContext(ctx, s.d.rebind(`SELECT `+outboxColumns+` FROM alert_outbox
		WHERE dead_ms IS NOT NULL ORDER BY dead_ms DESC, id, sink LIMIT ?`), limit)
	if err != nil {
		return nil, fmt.Errorf("dead letters: %w", err)
	}
	items, err := scanOutbox(rows)
	if err != nil {
		return nil, fmt.Errorf("dead letters: %w", err)
	}
	return items, nil
}

// OutboxStats counts pending, dead and delivered items per sink, ordered by
// sink name.
func (s *Store) OutboxStats(ctx context.Context) ([]OutboxStat, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT sink,
		SUM(CASE WHEN delivered_ms IS NULL AND dead_ms IS NULL THEN 1 ELSE 0 END),
		SUM(CASE WHEN delivered_ms IS NULL AND dead_ms IS NOT NULL THEN 1 ELSE 0 END),
		SUM(CASE WHEN delivered_ms IS NOT NULL THEN 1 ELSE 0 END)
		FROM alert_outbox GROUP BY sink ORDER BY sink`)
	if err != nil {
		return nil, fmt.Errorf("outbox stats: %w", err)
	}
	defer rows.Close()
	var out []OutboxStat
	for rows.Next() {
		var st OutboxStat
		if err := rows.Scan(&st.Sink, &st.Pending, &st.Dead, &st.Delivered); err != nil {
			return nil, fmt.Errorf("outbox stats: %w", err)
		}
		out = append(out, st)
	}
	return out, rows.Err()
}
