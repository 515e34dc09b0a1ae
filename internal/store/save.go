package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/sagekey/sagekey/internal/history"
)

// SaveRun stores a scan and advances every finding's lifecycle in one
// transaction, under the writer lock: a crash leaves the history as it was,
// and two scans saving at once apply one after the other. It returns the new
// run's id.
func (s *Store) SaveRun(ctx context.Context, rec RunRecord) (int64, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	if err := s.d.lockWriters(ctx, tx); err != nil {
		return 0, fmt.Errorf("writer lock: %w", err)
	}
	ranges := fingerprintRanges()
	id, placed, err := s.insertRun(ctx, tx, rec, ranges)
	if err != nil {
		return 0, err
	}
	if err := s.advance(ctx, tx, history.Run{ID: id, At: rec.Run.Started, Scope: rec.Run.Scope}, rec, ranges, placed); err != nil {
		return 0, err
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("commit: %w", err)
	}
	return id, nil
}

// advance moves the lifecycle of every finding run may change, one range
// of fingerprints at a time. A finding's next state depends only on its
// own stored state and observation (history.Advance), so the ranges'
// changes together are the whole run's change; reading and holding the
// stored states of a two-hundred-and-fifty-sixth of the findings at a time keeps a large
// scan's save from holding every state twice.
//
// placed is the range of each observation, in the order observed yields
// them (insertRun places them as it stores them).
func (s *Store) advance(ctx context.Context, tx *sql.Tx, run history.Run, rec RunRecord,
	ranges []fingerprintRange, placed []uint8) error {
	for j, r := range ranges {
		obs := inRange(rec, placed, j)
		prev, err := s.statesFor(ctx, tx, run.Scope, obs, r)
		if err != nil {
			return err
		}
		if err := s.applyChange(ctx, tx, history.Advance(prev, run, obs), currentExtras(obs)); err != nil {
			return err
		}
	}
	return nil
}

// insertRun stores the run, its snapshot and what it observed, and returns
// its id and the fingerprint range of each observation (see advance).
func (s *Store) insertRun(ctx context.Context, tx *sql.Tx, rec RunRecord, ranges []fingerprintRange) (int64, []uint8, error) {
	r := rec.Run
	scope, err := json.Marshal(r.Scope)
	if err != nil {
		return 0, nil, err
	}
	counts, err := json.Marshal(r.Counts)
	if err != nil {
		return 0, nil, err
	}
	sh, err := shardValues(r.Shard)
	if err != nil {
		return 0, nil, err
	}
	var id int64
	err = tx.QueryRowContext(ctx, s.d.rebind(`INSERT INTO runs
		(started_ms, finished_ms, principal, os_user, tool_version, scope, counts, gaps, sweep_id, shard_index, shard_count, targeted)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
		ms(r.Started), ms(r.Finished), r.Principal, r.User, r.ToolVersion, string(scope), string(counts), r.Gaps,
		sh.sweep, sh.index, sh.count, r.Scope.Targeted).Scan(&id)
	if err != nil {
		return 0, nil, fmt.Errorf("insert run: %w", err)
	}
	body, err := gzipSnapshot(rec.Snapshot)
	if err != nil {
		return 0, nil, err
	}
	if _, err := tx.ExecContext(ctx, s.d.rebind("INSERT INTO run_snapshots (run_id, schema_version, body) VALUES (?, ?, ?)"),
		id, rec.Snapshot.SchemaVersion, body); err != nil {
		return 0, nil, fmt.Errorf("insert snapshot: %w", err)
	}
	stmt, err := tx.PrepareContext(ctx, s.d.rebind(`INSERT INTO run_findings
		(run_id, fingerprint, check_id, resource_arn, slot, kind, account, region, resource_created_ms, status, severity, message, tags)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`))
	if err != nil {
		return 0, nil, err
	}
	defer stmt.Close()
	var placed []uint8
	for o := range rec.Observed() {
		fp := o.Fingerprint()
		placed = append(placed, rangeOf(ranges, fp))
		tags, err := json.Marshal(o.Tags)
		if err != nil {
			return 0, nil, err
		}
		if _, err := stmt.ExecContext(ctx, id, fp, o.CheckID, o.ResourceARN, o.Slot, o.Kind, o.Account, o.Region,
			nullMS(o.ResourceCreated), string(o.Status), int(o.Severity), o.Message, string(tags)); err != nil {
			return 0, nil, fmt.Errorf("insert finding %s %s: %w", o.CheckID, o.ResourceARN, err)
		}
	}
	return id, placed, nil
}

// applyChange writes the changed states. A state the scan observed also
// takes its owner and detail from extras; one it did not (a finding now
// gone, which is always already stored) keeps the stored ones, hence the
// observed flag in the upsert.
func (s *Store) applyChange(ctx context.Context, tx *sql.Tx, ch history.Change, x extras) error {
	upsert, err := tx.PrepareContext(ctx, s.d.rebind(`INSERT INTO findings
		(fingerprint, check_id, resource_arn, slot, kind, account, region, resource_created_ms, status, severity, message, tags,
		 first_seen_ms, last_seen_ms, last_run, gone_ms, opened_ms, resolved_ms, resolution, reopened, owner, detail)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (fingerprint) DO UPDATE SET
		 check_id = excluded.check_id, resource_arn = excluded.resource_arn, slot = excluded.slot, kind = excluded.kind,
		 account = excluded.account, region = excluded.region, resource_created_ms = excluded.resource_created_ms,
		 status = excluded.status, severity = excluded.severity, message = excluded.message, tags = excluded.tags,
		 first_seen_ms = excluded.first_seen_ms, last_seen_ms = excluded.last_seen_ms, last_run = excluded.last_run,
		 gone_ms = excluded.gone_ms, opened_ms = excluded.opened_ms, resolved_ms = excluded.resolved_ms,
		 resolution = excluded.resolution, reopened = excluded.reopened,
		 owner = CASE WHEN ? THEN excluded.owner ELSE findings.owner END,
		 detail = CASE WHEN ? THEN excluded.detail ELSE findings.detail END`))
	if err != nil {
		return err
	}
	defer upsert.Close()
	for _, st := range ch.States {
		tags, err := json.Marshal(st.Tags)
		if err != nil {
			return err
		}
		e, observed, err := x.lookup(st.Fingerprint)
		if err != nil {
			return err
		}
		if _, err := upsert.ExecContext(ctx, st.Fingerprint, st.CheckID, st.ResourceARN, st.Slot, st.Kind, st.Account, st.Region,
			nullMS(st.ResourceCreated), string(st.Status), int(st.Severity), st.Message, string(tags),
			ms(st.FirstSeen), ms(st.LastSeen), st.LastRun, nullMS(st.Gone), nullMS(st.OpenedAt), nullMS(st.ResolvedAt),
			string(st.Resolution), st.Reopened, e.owner, e.detail, observed, observed); err != nil {
			return fmt.Errorf("upsert finding state: %w", err)
		}
	}
	for _, ep := range ch.Closed {
		if _, err := tx.ExecContext(ctx, s.d.rebind(`UPDATE violations SET resolved_ms = ?, resolved_run = ?, resolution = ?
			WHERE fingerprint = ? AND resolved_ms IS NULL`),
			ms(ep.ResolvedAt), ep.ResolvedRun, string(ep.Resolution), ep.Fingerprint); err != nil {
			return fmt.Errorf("resolve violation: %w", err)
		}
	}
	for _, ep := range ch.Opened {
		if _, err := tx.ExecContext(ctx, s.d.rebind(`INSERT INTO violations
			(fingerprint, severity, opened_ms, opened_run, reopen, resolved_ms, resolved_run, resolution)
			VALUES (?, ?, ?, ?, ?, NULL, NULL, '')`),
			ep.Fingerprint, int(ep.Severity), ms(ep.OpenedAt), ep.OpenedRun, ep.Reopen); err != nil {
			return fmt.Errorf("open violation: %w", err)
		}
	}
	return nil
}
