package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/history"
)

// The dashboard's reads. Every list is paginated with LIMIT/OFFSET over one
// of migration 0005's indexes, in the order those indexes keep (worst
// severity first, then fingerprint), so no page loads the table whole.

const findingRowColumns = `fingerprint, check_id, resource_arn, slot, kind, account, region, resource_created_ms,
	status, severity, message, tags, first_seen_ms, last_seen_ms, last_run, gone_ms, opened_ms, resolved_ms, resolution, reopened,
	owner, detail`

// where turns a filter into a WHERE clause and its arguments. Only column
// names written here reach the SQL; values are always arguments.
func (f FindingFilter) where() (string, []any) {
	var (
		conds []string
		args  []any
	)
	eq := func(col, v string) {
		if v != "" {
			conds, args = append(conds, col+" = ?"), append(args, v)
		}
	}
	if !f.IncludeGone {
		conds = append(conds, "gone_ms IS NULL")
	}
	eq("status", string(f.Status))
	if f.Severity != nil {
		conds, args = append(conds, "severity = ?"), append(args, int(*f.Severity))
	}
	eq("kind", f.Kind)
	eq("account", f.Account)
	eq("region", f.Region)
	if f.Owner != nil {
		conds, args = append(conds, "owner = ?"), append(args, *f.Owner)
	}
	eq("check_id", f.CheckID)
	eq("resource_arn", f.ResourceARN)
	if f.OpenOnly {
		conds = append(conds, "opened_ms IS NOT NULL")
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// FindingsPage returns one page of the findings f selects, worst severity
// first, and how many match in all.
func (s *Store) FindingsPage(ctx context.Context, f FindingFilter, p Page) ([]FindingRow, int, error) {
	where, args := f.where()
	var total int
	if err := s.db.QueryRowContext(ctx, s.d.rebind("SELECT COUNT(*) FROM findings"+where), args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count findings: %w", err)
	}
	size := min(max(p.Size, 1), MaxPageSize)
	offset := (max(p.Number, 1) - 1) * size
	if offset >= total {
		return []FindingRow{}, total, nil
	}
	rows, err := s.db.QueryContext(ctx, s.d.rebind("SELECT "+findingRowColumns+" FROM findings"+where+
		" ORDER BY severity DESC, fingerprint LIMIT ? OFFSET ?"), append(args, size, offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("findings page: %w", err)
	}
	out, err := scanFindingRows(rows)
	return out, total, err
}

// EachFinding hands every finding f selects to fn, one row at a time, in
// fingerprint order; fn's error stops the walk and is returned. It is for
// aggregates the dashboard caches per stored run (keys and blast radius),
// which must see every finding but need not hold them all at once.
func (s *Store) EachFinding(ctx context.Context, f FindingFilter, fn func(FindingRow) error) error {
	where, args := f.where()
	rows, err := s.db.QueryContext(ctx, s.d.rebind("SELECT "+findingRowColumns+" FROM findings"+where+" ORDER BY fingerprint"), args...)
	if err != nil {
		return fmt.Errorf("findings: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		r, err := scanFindingRow(rows)
		if err != nil {
			return err
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return rows.Err()
}

// FindingByFingerprint returns one finding's current state, gone or not,
// or ErrNotFound.
func (s *Store) FindingByFingerprint(ctx context.Context, fingerprint string) (FindingRow, error) {
	rows, err := s.db.QueryContext(ctx, s.d.rebind("SELECT "+findingRowColumns+" FROM findings WHERE fingerprint = ?"), fingerprint)
	if err != nil {
		return FindingRow{}, fmt.Errorf("finding %s: %w", fingerprint, err)
	}
	out, err := scanFindingRows(rows)
	if err != nil {
		return FindingRow{}, err
	}
	if len(out) == 0 {
		return FindingRow{}, fmt.Errorf("finding %s: %w", fingerprint, ErrNotFound)
	}
	return out[0], nil
}

func scanFindingRows(rows *sql.Rows) ([]FindingRow, error) {
	defer rows.Close()
	out := []FindingRow{}
	for rows.Next() {
		r, err := scanFindingRow(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func scanFindingRow(row rowScanner) (FindingRow, error) {
	var (
		r                              FindingRow
		created, gone, opened, resolvd sql.NullInt64
		first, last                    int64
		status, tags, resolution       string
		detail                         string
		sev                            int
	)
	st := &r.State
	if err := row.Scan(&st.Fingerprint, &st.CheckID, &st.ResourceARN, &st.Slot, &st.Kind, &st.Account, &st.Region, &created,
		&status, &sev, &st.Message, &tags, &first, &last, &st.LastRun, &gone, &opened, &resolvd, &resolution, &st.Reopened,
		&r.Owner, &detail); err != nil {
		return FindingRow{}, err
	}
	st.ResourceCreated, st.Status, st.Severity = fromNullMS(created), finding.Status(status), finding.Severity(sev)
	st.FirstSeen, st.LastSeen = fromMS(first), fromMS(last)
	st.Gone, st.OpenedAt, st.ResolvedAt = fromNullMS(gone), fromNullMS(opened), fromNullMS(resolvd)
	st.Resolution = history.Resolution(resolution)
	if err := json.Unmarshal([]byte(tags), &st.Tags); err != nil {
		return FindingRow{}, fmt.Errorf("finding %s tags: %w", st.Fingerprint, err)
	}
	if detail != "" {
		if err := json.Unmarshal([]byte(detail), &r.Detail); err != nil {
			return FindingRow{}, fmt.Errorf("finding %s detail: %w", st.Fingerprint, err)
		}
	}
	return r, nil
}

// ViolationsOf returns the violations of one finding, oldest first: when
// each opened (and whether it was a reopening) and how it ended.
func (s *Store) ViolationsOf(ctx context.Context, fingerprint string) ([]history.Episode, error) {
	rows, err := s.db.QueryContext(ctx, s.d.rebind(`SELECT fingerprint, severity, opened_ms, opened_run, reopen, resolved_ms,
		resolved_run, resolution FROM violations WHERE fingerprint = ? ORDER BY opened_ms, id`), fingerprint)
	if err != nil {
		return nil, fmt.Errorf("violations of %s: %w", fingerprint, err)
	}
	defer rows.Close()
	out := []history.Episode{}
	for rows.Next() {
		var (
			ep                    history.Episode
			sev                   int
			opened                int64
			resolved, resolvedRun sql.NullInt64
		)
		var resolution string
		if err := rows.Scan(&ep.Fingerprint, &sev, &opened, &ep.OpenedRun, &ep.Reopen, &resolved, &resolvedRun, &resolution); err != nil {
			return nil, err
		}
		ep.Severity, ep.OpenedAt, ep.ResolvedAt = finding.Severity(sev), fromMS(opened), fromNullMS(resolved)
		ep.ResolvedRun, ep.Resolution = resolvedRun.Int64, history.Resolution(resolution)
		out = append(out, ep)
	}
	return out, rows.Err()
}

// groupColumn is the column a count groups by, by the name callers use;
// nothing else reaches the SQL.
func groupColumn(by string) (string, bool) {
	switch by {
	case "severity", "kind", "account", "region", "owner":
		return by, true
	case "check":
		return "check_id", true
	}
	return "", false
}

// ErrBadGroup is returned for a grouping the counts do not support.
var ErrBadGroup = errors.New("unsupported grouping")

// OpenViolationCounts counts present findings with an open violation by
// severity, kind, account, region, owner or check, largest group first.
// Severity groups are named ("high").
func (s *Store) OpenViolationCounts(ctx context.Context, by string) ([]GroupCount, error) {
	col, ok := groupColumn(by)
	if !ok {
		return nil, fmt.Errorf("open violations by %q: %w", by, ErrBadGroup)
	}
	rows, err := s.db.QueryContext(ctx, "SELECT "+col+", COUNT(*) FROM findings WHERE opened_ms IS NOT NULL AND gone_ms IS NULL GROUP BY "+
		col+" ORDER BY COUNT(*) DESC, "+col)
	if err != nil {
		return nil, fmt.Errorf("open violations by %s: %w", by, err)
	}
	defer rows.Close()
	out := []GroupCount{}
	for rows.Next() {
		var (
			g   GroupCount
			raw any
		)
		if err := rows.Scan(&raw, &g.Count); err != nil {
			return nil, err
		}
		g.Group = groupName(by, raw)
		out = append(out, g)
	}
	return out, rows.Err()
}

// StatusCounts counts present findings by status within groups (by as for
// OpenViolationCounts, or "" for one group named "all"), optionally only the
// per-resource CMK verdicts that define percent compliant.
func (s *Store) StatusCounts(ctx context.Context, by string, cmkOnly bool) ([]StatusCount, error) {
	col, ok := groupColumn(by)
	switch {
	case by == "":
		col = "'all'" // one group: PostgreSQL refuses a constant in GROUP BY, so group by status alone
	case !ok:
		return nil, fmt.Errorf("status counts by %q: %w", by, ErrBadGroup)
	}
	group := col + ", status"
	if by == "" {
		group = "status"
	}
	where := " WHERE gone_ms IS NULL"
	if cmkOnly {
		where += " AND check_id LIKE '%.cmk'"
	}
	rows, err := s.db.QueryContext(ctx, "SELECT "+col+", status, COUNT(*) FROM findings"+where+" GROUP BY "+group+" ORDER BY "+group)
	if err != nil {
		return nil, fmt.Errorf("status counts by %s: %w", by, err)
	}
	defer rows.Close()
	out := []StatusCount{}
	for rows.Next() {
		var (
			c      StatusCount
			raw    any
			status string
		)
		if err := rows.Scan(&raw, &status, &c.Count); err != nil {
			return nil, err
		}
		c.Group, c.Status = groupName(by, raw), finding.Status(status)
		out = append(out, c)
	}
	return out, rows.Err()
}

// groupName prints a grouping value: severities by name, text as is.
func groupName(by string, raw any) string {
	switch v := raw.(type) {
	case int64:
		if by == "severity" {
			return finding.Severity(v).String()
		}
		return fmt.Sprint(v)
	case []byte:
		return string(v)
	case string:
		return v
	case nil:
		return ""
	}
	return fmt.Sprint(raw)
}

// FindingFacets lists the distinct values of present findings for each
// filter, sorted. Each is one DISTINCT over an index of migration 0005.
func (s *Store) FindingFacets(ctx context.Context) (Facets, error) {
	var fc Facets
	for _, c := range []struct {
		col string
		dst *[]string
	}{{"status", &fc.Statuses}, {"kind", &fc.Kinds}, {"account", &fc.Accounts}, {"region", &fc.Regions},
		{"owner", &fc.Owners}, {"check_id", &fc.Checks}} {
		vals, err := s.distinct(ctx, c.col)
		if err != nil {
			return Facets{}, err
		}
		*c.dst = vals
	}
	sevs, err := s.distinct(ctx, "severity")
	if err != nil {
		return Facets{}, err
	}
	for _, v := range sevs {
		var n int
		if _, err := fmt.Sscan(v, &n); err == nil {
			fc.Severities = append(fc.Severities, finding.Severity(n))
		}
	}
	return fc, nil
}

func (s *Store) distinct(ctx context.Context, col string) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT DISTINCT "+col+" FROM findings WHERE gone_ms IS NULL ORDER BY "+col)
	if err != nil {
		return nil, fmt.Errorf("distinct %s: %w", col, err)
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var raw any
		if err := rows.Scan(&raw); err != nil {
			return nil, err
		}
		out = append(out, groupName("", raw))
	}
	return out, rows.Err()
}
