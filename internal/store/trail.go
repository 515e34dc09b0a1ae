package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sagekey/sagekey/internal/trail"
)

// The trail store (migrations/0003_trail.sql) keeps each unit's aggregates
// beside the unit, and merges them when read. The window of a trail.Filter
// is the same everywhere: from the UTC day of From (a zero From: from the
// start) to To inclusive (a zero To: no end). Day-grouped counts, units and
// coverage are selected by their day, creators and key events by their time,
// so a window that starts mid-day still covers that whole day, as its
// counts and coverage do. Accounts and Regions, when not empty, select on
// each row's own account and region; a unit that does not say its account,
// region or day (a loose file) is counted in Events, Matched and Problems
// only by a filter that does not ask about them.

// TrailUnitsRead returns, for source, the ETag of every unit already read
// and stored (by unit key), so a run reads only new or changed units.
func (s *Store) TrailUnitsRead(ctx context.Context, source string) (map[string]string, error) {
	rows, err := s.db.QueryContext(ctx, s.d.rebind("SELECT unit_key, etag FROM trail_units WHERE source = ?"), source)
	if err != nil {
		return nil, fmt.Errorf("trail units read: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var key, etag string
		if err := rows.Scan(&key, &etag); err != nil {
			return nil, err
		}
		out[key] = etag
	}
	return out, rows.Err()
}

// SaveTrail stores read units with their aggregates, and the coverage
// they complete, in one transaction under the writer lock: a unit is
// marked read exactly when its aggregates are stored, so a run stopped
// half-way neither double-counts nor skips anything when run again. A unit
// stored before under the same source and key has its aggregates replaced.
// A unit with Err set is skipped, so the next run reads it again; a unit
// listed twice counts once, as its last read.
// Creators are kept one per resource ARN, the create trail.Merge picks
// (the latest), and key events once per event and key.
//
// SaveTrail does not check that a day is covered by one source only: the
// caller asks TrailCoveredElsewhere before reading (see there).
func (s *Store) SaveTrail(ctx context.Context, units []trail.UnitResult, coverage []trail.Coverage) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	if err := s.d.lockWriters(ctx, tx); err != nil {
		return fmt.Errorf("writer lock: %w", err)
	}
	w, err := s.prepareTrailWriter(ctx, tx)
	if err != nil {
		return err
	}
	defer w.close()
	// A unit listed twice is stored once, as its last read: its rows wait in
	// the batches below, so an earlier copy cannot be replaced by deleting
	// it the way a unit of an earlier save is.
	last := map[[2]string]int{}
	for i, u := range units {
		if u.Err == nil {
			last[[2]string{u.Unit.Source, u.Unit.Key}] = i
		}
	}
	now := ms(time.Now())
	var creators []trail.Creator
	for i, u := range units {
		if u.Err != nil || last[[2]string{u.Unit.Source, u.Unit.Key}] != i {
			continue
		}
		if err := w.saveUnit(ctx, u, now); err != nil {
			return fmt.Errorf("store trail unit %s %s: %w", u.Unit.Source, u.Unit.Key, err)
		}
		if u.Aggregates != nil {
			for _, c := range u.Aggregates.Creators {
				c.Time = fromMS(ms(c.Time)) // as stored, so it compares with stored creates on equal terms
				creators = append(creators, c)
			}
		}
	}
	for _, b := range []*rowBatch{w.denials, w.blocked, w.requests} {
		if err := b.flush(ctx); err != nil {
			return err
		}
	}
	if err := s.saveCreators(ctx, tx, w.creator, creators); err != nil {
		return err
	}
	for _, c := range coverage {
		if _, err := w.coverage.ExecContext(ctx, c.Source, c.Account, c.Region, ms(trail.Day(c.Day)), now); err != nil {
			return fmt.Errorf("store trail coverage: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// trailWriter holds SaveTrail's statements, prepared once per transaction:
// a save carries tens of units, each with tens of rows. The group counts,
// the bulk of the rows, go in batches of rows, one statement per batch
// rather than a round trip per row.
type trailWriter struct {
	deleteUnit, insertUnit, creator, keyEvent, coverage *sql.Stmt
	denials, blocked, requests                          *rowBatch
}

func (s *Store) prepareTrailWriter(ctx context.Context, tx *sql.Tx) (*trailWriter, error) {
	w := &trailWriter{
		denials:  s.newRowBatch(tx, "trail_denials", "unit_id, ord, day_ms, account, region, key_arn, principal, operation, via, error_code, policy, count, samples"),
		blocked:  s.newRowBatch(tx, "trail_blocked", "unit_id, ord, day_ms, account, region, action, policy_type, policy_arn, guardrail, principal, count, samples"),
		requests: s.newRowBatch(tx, "trail_requests", "unit_id, ord, day_ms, account, region, key_arn, operation, count"),
	}
	for _, p := range []struct {
		stmt **sql.Stmt
		sql  string
	}{
		// The cascade removes the old unit's counts with it.
		{&w.deleteUnit, `DELETE FROM trail_units WHERE source = ? AND unit_key = ?`},
		{&w.insertUnit, `INSERT INTO trail_units
			(source, unit_key, etag, account, region, day_ms, size, events, matched, bad_records, read_ms)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`},
		// saveCreators decides which create wins before it writes.
		{&w.creator, `INSERT INTO trail_creators
			(resource_arn_lc, resource_arn, account, region, action, event_id, time_ms, principal, identity, source_ip, user_agent, tool)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (resource_arn_lc) DO UPDATE SET resource_arn = excluded.resource_arn, account = excluded.account,
			 region = excluded.region, action = excluded.action, event_id = excluded.event_id, time_ms = excluded.time_ms,
			 principal = excluded.principal, identity = excluded.identity, source_ip = excluded.source_ip,
			 user_agent = excluded.user_agent, tool = excluded.tool`},
		// An event ID names one event: read twice, it is the same event.
		{&w.keyEvent, `INSERT INTO trail_key_events
			(event_id, key_arn, time_ms, account, region, action, principal, identity, source_ip, user_agent, tool, detail)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (event_id, key_arn) DO NOTHING`},
		{&w.coverage, `INSERT INTO trail_coverage (source, account, region, day_ms, read_ms) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (account, region, day_ms, source) DO UPDATE SET read_ms = excluded.read_ms`},
	} {
		st, err := tx.PrepareContext(ctx, s.d.rebind(p.sql))
		if err != nil {
			w.close()
			return nil, fmt.Errorf("prepare trail statement: %w", err)
		}
		*p.stmt = st
	}
	return w, nil
}

func (w *trailWriter) close() {
	for _, st := range []*sql.Stmt{w.deleteUnit, w.insertUnit, w.creator, w.keyEvent, w.coverage} {
		if st != nil {
			st.Close()
		}
	}
	for _, b := range []*rowBatch{w.denials, w.blocked, w.requests} {
		b.close()
	}
}

// rowBatchSize is how many rows one batched INSERT carries: enough to
// make round trips rare, and at 13 columns far below either dialect's limit
// on bound parameters.
const rowBatchSize = 64

// rowBatch inserts rows into one table rowBatchSize at a time, through a
// statement prepared once per transaction; flush writes the rest. Rows go
// only to tables without ON CONFLICT, where several rows in one statement
// behave as several statements would.
type rowBatch struct {
	tx     *sql.Tx
	rebind func(string) string
	table  string
	prefix string // INSERT INTO table (columns) VALUES
	ncols  int
	args   []any     // the rows waiting, flattened
	full   *sql.Stmt // prepared on the first full batch
}

func (s *Store) newRowBatch(tx *sql.Tx, table, cols string) *rowBatch {
	return &rowBatch{tx: tx, rebind: s.d.rebind, table: table, prefix: "INSERT INTO " + table + " (" + cols + ") VALUES ",
		ncols: strings.Count(cols, ",") + 1}
}

// sql is the INSERT of n rows.
func (b *rowBatch) sql(n int) string {
	row := "(" + placeholders(b.ncols) + ")"
	return b.rebind(b.prefix + strings.TrimSuffix(strings.Repeat(row+", ", n), ", "))
}

func (b *rowBatch) add(ctx context.Context, row ...any) error {
	b.args = append(b.args, row...)
	if len(b.args) < rowBatchSize*b.ncols {
		return nil
	}
	if b.full == nil {
		st, err := b.tx.PrepareContext(ctx, b.sql(rowBatchSize))
		if err != nil {
			return fmt.Errorf("prepare %s batch: %w", b.table, err)
		}
		b.full = st
	}
	if _, err := b.full.ExecContext(ctx, b.args...); err != nil {
		return fmt.Errorf("insert %s: %w", b.table, err)
	}
	b.args = b.args[:0]
	return nil
}

func (b *rowBatch) flush(ctx context.Context) error {
	if len(b.args) == 0 {
		return nil
	}
	if _, err := b.tx.ExecContext(ctx, b.sql(len(b.args)/b.ncols), b.args...); err != nil {
		return fmt.Errorf("insert %s: %w", b.table, err)
	}
	b.args = b.args[:0]
	return nil
}

func (b *rowBatch) close() {
	if b.full != nil {
		b.full.Close()
	}
}

// saveUnit replaces whatever the unit's source and key held with u, but
// for its creators, which SaveTrail stores with saveCreators.
func (w *trailWriter) saveUnit(ctx context.Context, u trail.UnitResult, now int64) error {
	g := u.Aggregates
	if g == nil {
		g = &trail.Aggregates{} // read completely, nothing in it
	}
	var bad int64
	for _, p := range g.Problems {
		bad += p.Count
	}
	var day sql.NullInt64
	if !u.Unit.Day.IsZero() {
		day = sql.NullInt64{Int64: ms(trail.Day(u.Unit.Day)), Valid: true}
	}
	if _, err := w.deleteUnit.ExecContext(ctx, u.Unit.Source, u.Unit.Key); err != nil {
		return fmt.Errorf("replace: %w", err)
	}
	var id int64
	if err := w.insertUnit.QueryRowContext(ctx, u.Unit.Source, u.Unit.Key, u.Unit.ETag, u.Unit.Account, u.Unit.Region, day,
		u.Unit.Size, g.Events, g.Matched, bad, now).Scan(&id); err != nil {
		return fmt.Errorf("insert: %w", err)
	}
	for i, d := range g.Denials {
		if err := w.denials.add(ctx, id, i, ms(trail.Day(d.Day)), d.Account, d.Region, d.KeyARN, d.Principal,
			d.Operation, d.Via, d.ErrorCode, d.Policy, d.Count, samplesJSON(d.Samples)); err != nil {
			return err
		}
	}
	for i, b := range g.Blocked {
		if err := w.blocked.add(ctx, id, i, ms(trail.Day(b.Day)), b.Account, b.Region, b.Action, b.PolicyType,
			b.PolicyARN, b.Guardrail, b.Principal, b.Count, samplesJSON(b.Samples)); err != nil {
			return err
		}
	}
	for i, r := range g.Requests {
		if err := w.requests.add(ctx, id, i, ms(trail.Day(r.Day)), r.Account, r.Region, r.KeyARN, r.Operation, r.Count); err != nil {
			return err
		}
	}
	for _, e := range g.KeyEvents {
		if _, err := w.keyEvent.ExecContext(ctx, e.EventID, e.KeyARN, ms(e.Time), e.Account, e.Region, e.Action, e.Principal,
			e.Identity, e.SourceIP, e.UserAgent, e.Tool, e.Detail); err != nil {
			return fmt.Errorf("key event %s: %w", e.EventID, err)
		}
	}
	return nil
}

// samplesJSON is the stored form of sample event IDs: a JSON array, never
// null.
func samplesJSON(ids []string) string {
	if len(ids) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(ids) // a []string always marshals
	return string(b)
}

// saveCreators stores, per resource, the create trail.Merge picks among the
// stored one and those read: the rule (the later create, then the greater
// event ID) lives in one place, and which create wins does not depend on
// the order units are saved in. SQL cannot compare event IDs the way Go
// does under every PostgreSQL collation, so the choice is made here, under
// the writer lock, and only winners are written.
func (s *Store) saveCreators(ctx context.Context, tx *sql.Tx, upsert *sql.Stmt, read []trail.Creator) error {
	if len(read) == 0 {
		return nil
	}
	lcs := make([]string, 0, len(read))
	for _, c := range read {
		lcs = append(lcs, strings.ToLower(c.ResourceARN))
	}
	slices.Sort(lcs)
	stored := map[string]trail.Creator{}
	for chunk := range slices.Chunk(slices.Compact(lcs), trailCreatorChunk) {
		if err := s.queryCreators(ctx, tx, chunk, func(c trail.Creator) { stored[strings.ToLower(c.ResourceARN)] = c }); err != nil {
			return err
		}
	}
	all := make([]trail.Creator, 0, len(stored)+len(read))
	for _, c := range stored {
		all = append(all, c)
	}
	for _, c := range trail.Merge(&trail.Aggregates{Creators: append(all, read...)}).Creators {
		if have, ok := stored[strings.ToLower(c.ResourceARN)]; ok && have.EventID == c.EventID && have.Time.Equal(c.Time) {
			continue // the stored create stays
		}
		if _, err := upsert.ExecContext(ctx, strings.ToLower(c.ResourceARN), c.ResourceARN, c.Account, c.Region, c.Action,
			c.EventID, ms(c.Time), c.Principal, c.Identity, c.SourceIP, c.UserAgent, c.Tool); err != nil {
			return fmt.Errorf("store creator %s: %w", c.ResourceARN, err)
		}
	}
	return nil
}

// trailWindow is the WHERE clause (with its arguments) selecting f's window
// on a table whose day or time is timeCol; the table has account and region
// columns. A NULL timeCol (a unit of unknown day) never satisfies a bound.
func trailWindow(f trail.Filter, timeCol string) (string, []any) {
	conds := []string{"1 = 1"}
	var args []any
	if !f.From.IsZero() {
		conds = append(conds, timeCol+" >= ?")
		args = append(args, ms(trail.Day(f.From)))
	}
	if !f.To.IsZero() {
		conds = append(conds, timeCol+" <= ?")
		args = append(args, ms(f.To))
	}
	in := func(col string, values []string) {
		if len(values) == 0 {
			return
		}
		conds = append(conds, col+" IN ("+placeholders(len(values))+")")
		for _, v := range values {
			args = append(args, v)
		}
	}
	in("account", f.Accounts)
	in("region", f.Regions)
	return " WHERE " + strings.Join(conds, " AND "), args
}

// placeholders is "?, ?, ..." for n values.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// TrailCoverage returns the stored coverage (account, region, day, source)
// within f, sorted by account, region, day and source.
func (s *Store) TrailCoverage(ctx context.Context, f trail.Filter) ([]trail.Coverage, error) {
	where, args := trailWindow(f, "day_ms")
	rows, err := s.db.QueryContext(ctx, s.d.rebind("SELECT source, account, region, day_ms FROM trail_coverage"+where+
		" ORDER BY account, region, day_ms, source"), args...)
	if err != nil {
		return nil, fmt.Errorf("trail coverage: %w", err)
	}
	defer rows.Close()
	out := []trail.Coverage{}
	for rows.Next() {
		var (
			c   trail.Coverage
			day int64
		)
		if err := rows.Scan(&c.Source, &c.Account, &c.Region, &day); err != nil {
			return nil, err
		}
		c.Day = fromMS(day)
		out = append(out, c)
	}
	return out, rows.Err()
}

// TrailSources returns every source that stored coverage names, sorted.
func (s *Store) TrailSources(ctx context.Context) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT DISTINCT source FROM trail_coverage ORDER BY source")
	if err != nil {
		return nil, fmt.Errorf("trail sources: %w", err)
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var src string
		if err := rows.Scan(&src); err != nil {
			return nil, err
		}
		out = append(out, src)
	}
	return out, rows.Err()
}

// Trail returns the stored aggregates within f, merged across units:
// day-grouped counts whose day lies in [From, To], creators and key events
// whose time does. Creators are returned whatever their time when f.From is
// zero. Events and Matched are summed over the units of a day in the
// window; each unit with records it could not use gives one bad-record
// Problem counting them. The result is what trail.Merge makes of the
// units' aggregates, sorted the same way.
//
// It reads in one read-only transaction (a repeatable-read snapshot on
// PostgreSQL), so a save committing meanwhile is seen whole or not at all.
func (s *Store) Trail(ctx context.Context, f trail.Filter) (*trail.Aggregates, error) {
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // read-only
	m := &trailMerger{}
	for _, read := range []func(context.Context, *sql.Tx, trail.Filter, *trailMerger) error{
		s.readTrailUnits, s.readTrailDenials, s.readTrailBlocked, s.readTrailRequests, s.readTrailCreators, s.readTrailKeyEvents,
	} {
		if err := read(ctx, tx, f, m); err != nil {
			return nil, err
		}
	}
	return m.result(), nil
}

// trailMerger folds stored rows with trail.Merge itself, so the store
// cannot drift from its semantics (sums, which sample IDs a group keeps,
// sorting). Merge is commutative (a group keeps its smallest sample IDs),
// so rows are read in whatever order the database finds cheapest. Rows
// are compacted every
// trailMergeBatch, so memory follows the number of groups, not of rows: a
// denial repeating every few minutes for a year is one group.
type trailMerger struct {
	acc  trail.Aggregates
	rows int
	// problems are one per unit, built from stored counts; they bypass
	// Merge, which would fold two units of the same key (from two sources)
	// into one problem.
	problems []trail.Problem
}

const trailMergeBatch = 4096

func (m *trailMerger) added() {
	if m.rows++; m.rows >= trailMergeBatch {
		m.acc = *trail.Merge(&m.acc)
		m.rows = 0
	}
}

func (m *trailMerger) result() *trail.Aggregates {
	out := trail.Merge(&m.acc)
	out.Problems = m.problems
	out.Sort()
	return out
}

func (s *Store) readTrailUnits(ctx context.Context, tx *sql.Tx, f trail.Filter, m *trailMerger) error {
	where, args := trailWindow(f, "day_ms")
	if err := tx.QueryRowContext(ctx, s.d.rebind("SELECT COALESCE(SUM(events), 0), COALESCE(SUM(matched), 0) FROM trail_units"+where),
		args...).Scan(&m.acc.Events, &m.acc.Matched); err != nil {
		return fmt.Errorf("trail units: %w", err)
	}
	rows, err := tx.QueryContext(ctx, s.d.rebind("SELECT unit_key, bad_records FROM trail_units"+where+" AND bad_records > 0 ORDER BY id"),
		args...)
	if err != nil {
		return fmt.Errorf("trail problems: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		p := trail.Problem{Kind: trail.ProblemBadRecord}
		if err := rows.Scan(&p.Unit, &p.Count); err != nil {
			return err
		}
		p.Reason = strconv.FormatInt(p.Count, 10) + " records could not be used"
		m.problems = append(m.problems, p)
	}
	return rows.Err()
}

func (s *Store) readTrailDenials(ctx context.Context, tx *sql.Tx, f trail.Filter, m *trailMerger) error {
	where, args := trailWindow(f, "day_ms")
	rows, err := tx.QueryContext(ctx, s.d.rebind(`SELECT day_ms, account, region, key_arn, principal, operation, via, error_code,
		policy, count, samples FROM trail_denials`+where), args...)
	if err != nil {
		return fmt.Errorf("trail denials: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			d       trail.Denial
			day     int64
			samples string
		)
		if err := rows.Scan(&day, &d.Account, &d.Region, &d.KeyARN, &d.Principal, &d.Operation, &d.Via, &d.ErrorCode,
			&d.Policy, &d.Count, &samples); err != nil {
			return err
		}
		d.Day = fromMS(day)
		if err := json.Unmarshal([]byte(samples), &d.Samples); err != nil {
			return fmt.Errorf("trail denial samples: %w", err)
		}
		m.acc.Denials = append(m.acc.Denials, d)
		m.added()
	}
	return rows.Err()
}

func (s *Store) readTrailBlocked(ctx context.Context, tx *sql.Tx, f trail.Filter, m *trailMerger) error {
	where, args := trailWindow(f, "day_ms")
	rows, err := tx.QueryContext(ctx, s.d.rebind(`SELECT day_ms, account, region, action, policy_type, policy_arn, guardrail,
		principal, count, samples FROM trail_blocked`+where), args...)
	if err != nil {
		return fmt.Errorf("trail blocked: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			b       trail.Blocked
			day     int64
			samples string
		)
		if err := rows.Scan(&day, &b.Account, &b.Region, &b.Action, &b.PolicyType, &b.PolicyARN, &b.Guardrail,
			&b.Principal, &b.Count, &samples); err != nil {
			return err
		}
		b.Day = fromMS(day)
		if err := json.Unmarshal([]byte(samples), &b.Samples); err != nil {
			return fmt.Errorf("trail blocked samples: %w", err)
		}
		m.acc.Blocked = append(m.acc.Blocked, b)
		m.added()
	}
	return rows.Err()
}

// readTrailRequests sums in SQL: request counts carry no samples, and they
// are the bulk of the rows.
func (s *Store) readTrailRequests(ctx context.Context, tx *sql.Tx, f trail.Filter, m *trailMerger) error {
	where, args := trailWindow(f, "day_ms")
	rows, err := tx.QueryContext(ctx, s.d.rebind(`SELECT day_ms, account, region, key_arn, operation, SUM(count)
		FROM trail_requests`+where+" GROUP BY day_ms, account, region, key_arn, operation"), args...)
	if err != nil {
		return fmt.Errorf("trail requests: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			r   trail.RequestCount
			day int64
		)
		if err := rows.Scan(&day, &r.Account, &r.Region, &r.KeyARN, &r.Operation, &r.Count); err != nil {
			return err
		}
		r.Day = fromMS(day)
		m.acc.Requests = append(m.acc.Requests, r)
		m.added()
	}
	return rows.Err()
}

const creatorColumns = "resource_arn, account, region, action, event_id, time_ms, principal, identity, source_ip, user_agent, tool"

func scanCreator(row rowScanner) (trail.Creator, error) {
	var (
		c  trail.Creator
		at int64
	)
	if err := row.Scan(&c.ResourceARN, &c.Account, &c.Region, &c.Action, &c.EventID, &at, &c.Principal, &c.Identity,
		&c.SourceIP, &c.UserAgent, &c.Tool); err != nil {
		return trail.Creator{}, err
	}
	c.Time = fromMS(at)
	return c, nil
}

func (s *Store) readTrailCreators(ctx context.Context, tx *sql.Tx, f trail.Filter, m *trailMerger) error {
	if f.From.IsZero() {
		f.To = time.Time{} // every creator, whatever its time: who made a resource does not age out
	}
	where, args := trailWindow(f, "time_ms")
	rows, err := tx.QueryContext(ctx, s.d.rebind("SELECT "+creatorColumns+" FROM trail_creators"+where), args...)
	if err != nil {
		return fmt.Errorf("trail creators: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		c, err := scanCreator(rows)
		if err != nil {
			return err
		}
		m.acc.Creators = append(m.acc.Creators, c)
		m.added()
	}
	return rows.Err()
}

func (s *Store) readTrailKeyEvents(ctx context.Context, tx *sql.Tx, f trail.Filter, m *trailMerger) error {
	where, args := trailWindow(f, "time_ms")
	rows, err := tx.QueryContext(ctx, s.d.rebind(`SELECT event_id, key_arn, time_ms, account, region, action, principal,
		identity, source_ip, user_agent, tool, detail FROM trail_key_events`+where), args...)
	if err != nil {
		return fmt.Errorf("trail key events: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			e  trail.KeyEvent
			at int64
		)
		if err := rows.Scan(&e.EventID, &e.KeyARN, &at, &e.Account, &e.Region, &e.Action, &e.Principal, &e.Identity,
			&e.SourceIP, &e.UserAgent, &e.Tool, &e.Detail); err != nil {
			return err
		}
		e.Time = fromMS(at)
		m.acc.KeyEvents = append(m.acc.KeyEvents, e)
		m.added()
	}
	return rows.Err()
}

// trailCreatorChunk bounds the IN list of one creators query, well under
// either dialect's limit on bound parameters.
const trailCreatorChunk = 500

// TrailCreators returns the stored creator of each resource ARN asked for
// (matched case-insensitively), whatever its time, keyed by the ARN as
// asked. An ARN with no stored creator is absent.
func (s *Store) TrailCreators(ctx context.Context, arns []string) (map[string]trail.Creator, error) {
	asked := map[string][]string{} // lower-case ARN → the spellings asked
	for _, a := range arns {
		lc := strings.ToLower(a)
		if !slices.Contains(asked[lc], a) {
			asked[lc] = append(asked[lc], a)
		}
	}
	keys := make([]string, 0, len(asked))
	for lc := range asked {
		keys = append(keys, lc)
	}
	slices.Sort(keys) // one query order whatever the map's
	out := map[string]trail.Creator{}
	for chunk := range slices.Chunk(keys, trailCreatorChunk) {
		if err := s.queryCreators(ctx, s.db, chunk, func(c trail.Creator) {
			for _, a := range asked[strings.ToLower(c.ResourceARN)] {
				out[a] = c
			}
		}); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// queryCreators hands each stored creator of one chunk of lower-case ARNs
// to found. resource_arn_lc is always the lower case of the stored
// resource_arn, so found can key by either.
func (s *Store) queryCreators(ctx context.Context, q querier, chunk []string, found func(trail.Creator)) error {
	args := make([]any, len(chunk))
	for i, k := range chunk {
		args[i] = k
	}
	rows, err := q.QueryContext(ctx, s.d.rebind("SELECT "+creatorColumns+
		" FROM trail_creators WHERE resource_arn_lc IN ("+placeholders(len(chunk))+")"), args...)
	if err != nil {
		return fmt.Errorf("trail creators: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		c, err := scanCreator(rows)
		if err != nil {
			return err
		}
		found(c)
	}
	return rows.Err()
}
