package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"strings"
	"time"

	"github.com/sagekey/sagekey/internal/inventory"
)

// KnownWindow says that every record of Kind in Account and Region created
// in [From, Until) is stored (a zero From means all history).
type KnownWindow struct {
	Account, Region, Kind string
	From, Until           time.Time
}

// KnownRecords yields the stored records of kind in account and region,
// one row at a time: a history of 100,000 jobs is never held whole.
func (s *Store) KnownRecords(ctx context.Context, account, region, kind string) iter.Seq2[inventory.Resource, error] {
	return func(yield func(inventory.Resource, error) bool) {
		rows, err := s.db.QueryContext(ctx, s.d.rebind(
			"SELECT body FROM known_records WHERE account = ? AND region = ? AND kind = ?"), account, region, kind)
		if err != nil {
			yield(inventory.Resource{}, fmt.Errorf("known records: %w", err))
			return
		}
		defer rows.Close()
		for rows.Next() {
			r, err := scanKnownRecord(rows)
			if !yield(r, err) || err != nil {
				return
			}
		}
		if err := rows.Err(); err != nil {
			yield(inventory.Resource{}, fmt.Errorf("known records: %w", err))
		}
	}
}

// KnownRecordsByARN returns the stored records of kind in account and
// region among arns, by ARN.
func (s *Store) KnownRecordsByARN(ctx context.Context, account, region, kind string, arns []string) (map[string]inventory.Resource, error) {
	out := make(map[string]inventory.Resource, len(arns))
	// Well under SQLite's and PostgreSQL's limits on bound parameters.
	const batch = 500
	for len(arns) > 0 {
		part := arns[:min(len(arns), batch)]
		arns = arns[len(part):]
		args := []any{account, region, kind}
		for _, arn := range part {
			args = append(args, arn)
		}
		rows, err := s.db.QueryContext(ctx, s.d.rebind(
			"SELECT body FROM known_records WHERE account = ? AND region = ? AND kind = ? AND arn IN (?"+
				strings.Repeat(", ?", len(part)-1)+")"), args...)
		if err != nil {
			return nil, fmt.Errorf("known records: %w", err)
		}
		for rows.Next() {
			r, err := scanKnownRecord(rows)
			if err != nil {
				rows.Close()
				return nil, err
			}
			out[r.ARN] = r
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("known records: %w", err)
		}
	}
	return out, nil
}

func scanKnownRecord(rows *sql.Rows) (inventory.Resource, error) {
	var body []byte
	if err := rows.Scan(&body); err != nil {
		return inventory.Resource{}, err
	}
	var r inventory.Resource
	if err := json.Unmarshal(body, &r); err != nil {
		return inventory.Resource{}, fmt.Errorf("known record: %w", err)
	}
	return r, nil
}

// KnownWindow returns the stored window of kind in account and region.
func (s *Store) KnownWindow(ctx context.Context, account, region, kind string) (KnownWindow, bool, error) {
	w := KnownWindow{Account: account, Region: region, Kind: kind}
	var from, until int64
	err := s.db.QueryRowContext(ctx, s.d.rebind(
		"SELECT from_ms, until_ms FROM known_windows WHERE account = ? AND region = ? AND kind = ?"),
		account, region, kind).Scan(&from, &until)
	if errors.Is(err, sql.ErrNoRows) {
		return w, false, nil
	}
	if err != nil {
		return w, false, fmt.Errorf("known window: %w", err)
	}
	if from != 0 {
		w.From = fromMS(from)
	}
	w.Until = fromMS(until)
	return w, true, nil
}

// SaveKnown stores records (replacing any with the same ARN) and windows in
// one transaction, so a window never claims records that are not there.
func (s *Store) SaveKnown(ctx context.Context, records []*inventory.Resource, windows []KnownWindow) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	now := ms(time.Now())
	rec, err := tx.PrepareContext(ctx, s.d.rebind(`INSERT INTO known_records
		(arn, account, region, kind, created_ms, stored_ms, body) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (arn) DO UPDATE SET account = excluded.account, region = excluded.region, kind = excluded.kind,
		 created_ms = excluded.created_ms, stored_ms = excluded.stored_ms, body = excluded.body`))
	if err != nil {
		return err
	}
	defer rec.Close()
	for _, r := range records {
		body, err := json.Marshal(r)
		if err != nil {
			return err
		}
		if _, err := rec.ExecContext(ctx, r.ARN, r.Account, r.Region, r.Kind, ms(r.CreatedAt), now, string(body)); err != nil {
			return fmt.Errorf("store known record %s: %w", r.ARN, err)
		}
	}
	for _, w := range windows {
		var from int64
		if !w.From.IsZero() {
			from = ms(w.From)
		}
		if _, err := tx.ExecContext(ctx, s.d.rebind(`INSERT INTO known_windows (account, region, kind, from_ms, until_ms)
			VALUES (?, ?, ?, ?, ?) ON CONFLICT (account, region, kind) DO UPDATE SET
			from_ms = excluded.from_ms, until_ms = excluded.until_ms`),
			w.Account, w.Region, w.Kind, from, ms(w.Until)); err != nil {
			return fmt.Errorf("store known window: %w", err)
		}
	}
	return tx.Commit()
}
