package kpi

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/sagekey/sagekey/internal/report"
	"github.com/sagekey/sagekey/internal/term"
	"github.com/sagekey/sagekey/internal/trail"
)

// Writer writes a KPI report in one format.
type Writer func(w io.Writer, r *Report) error

// Lookup returns the writer of a format: table (the page for a person,
// drawn as o says), json or csv. Only the page reads o: the machine
// formats are the same bytes wherever they go.
func Lookup(format string, o term.Options) (Writer, error) {
	switch format {
	case "table":
		return func(w io.Writer, r *Report) error { return WritePage(w, r, o) }, nil
	case "json":
		return WriteJSON, nil
	case "csv":
		return WriteCSV, nil
	}
	return nil, fmt.Errorf("unknown format %q (want table, json or csv)", format)
}

// WriteJSON writes the sagekey.kpi/v1 document (see README).
func WriteJSON(w io.Writer, r *Report) error { return report.EncodeJSON(w, r) }

// row is one figure in long form: the shape of the CSV, which keeps every
// breakdown a spreadsheet may pivot (the page shows the largest entries).
type row struct{ section, group, metric, value string }

func pct(p *float64) string {
	if p == nil {
		return "n/a"
	}
	return strconv.FormatFloat(*p, 'f', 2, 64)
}

func hours(h *float64) string {
	if h == nil {
		return "n/a"
	}
	return strconv.FormatFloat(*h, 'f', 2, 64)
}

func itoa(n int) string { return strconv.Itoa(n) }

func usd(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) }

func tallyRows(section string, t Tally) []row {
	return []row{
		{section, t.Group, "percent_compliant", pct(t.Percent)},
		{section, t.Group, "pass", itoa(t.Pass)}, {section, t.Group, "fail", itoa(t.Fail)},
		{section, t.Group, "error", itoa(t.Error)}, {section, t.Group, "muted", itoa(t.Muted)},
		{section, t.Group, "not_applicable", itoa(t.NotApplicable)},
	}
}

func statRows(section, group string, s Stats) []row {
	return []row{
		{section, group, "count", itoa(s.Count)}, {section, group, "mean_hours", hours(s.MeanHours)},
		{section, group, "median_hours", hours(s.MedianHours)}, {section, group, "max_hours", hours(s.MaxHours)},
	}
}

func rows(r *Report) []row {
	out := tallyRows("compliance", r.Compliance.Overall)
	for _, g := range r.Compliance.Groups {
		out = append(out, tallyRows("compliance_by_"+r.GroupBy, g)...)
	}
	for _, p := range r.Compliance.Trend {
		label := p.At.UTC().Format(time.DateOnly)
		if p.Run != 0 {
			label = fmt.Sprintf("run %d %s", p.Run, p.At.UTC().Format(time.RFC3339))
		}
		out = append(out, row{"compliance_trend", label, "percent_compliant", pct(p.Tally.Percent)})
	}
	m := r.MTTR
	out = append(out, statRows("mttr", "all", m.Stats)...)
	out = append(out, row{"mttr", "all", "muted", itoa(m.Muted)})
	for _, k := range []string{"passed", "deleted"} {
		out = append(out, row{"mttr", "all", "resolved_" + k, itoa(m.ByResolution[k])})
	}
	for _, s := range m.BySeverity {
		out = append(out, statRows("mttr_by_severity", s.Group, s)...)
	}
	for _, s := range m.Groups {
		out = append(out, statRows("mttr_by_"+r.GroupBy, s.Group, s)...)
	}
	out = append(out, statRows("open", "all", r.Open.Stats)...)
	for _, s := range r.Open.BySeverity {
		out = append(out, statRows("open_by_severity", s.Group, s)...)
	}
	for _, s := range r.Open.Groups {
		out = append(out, statRows("open_by_"+r.GroupBy, s.Group, s)...)
	}
	for _, b := range r.Open.AgeBuckets {
		out = append(out, row{"open_age", b.Bucket, "count", itoa(b.Count)})
	}
	for _, w := range r.NewViolations {
		out = append(out, row{"new_violations", w.Week, "new", itoa(w.New)}, row{"new_violations", w.Week, "reopened", itoa(w.Reopened)})
	}
	k := r.Keys
	out = append(out,
		row{"keys", "all", "customer_managed", itoa(k.CustomerManaged)}, row{"keys", "all", "aws_managed", itoa(k.AWSManaged)},
		row{"keys", "all", "unknown", itoa(k.Unknown)}, row{"keys", "all", "without_rotation", itoa(len(k.WithoutRotation))},
		row{"keys", "all", "rotation_unknown", itoa(len(k.RotationUnknown))},
		row{"keys", "all", "pending_deletion", itoa(len(k.PendingDeletion))},
		row{"cost", "all", "monthly_usd", usd(r.Cost.MonthlyUSD)},
		row{"cost", "all", "unpriced_keys", itoa(len(r.Cost.Unpriced))})
	for _, c := range r.Cost.ByCostCenter {
		out = append(out, row{"cost_by_cost_center", c.CostCenter, "monthly_usd", usd(c.MonthlyUSD)},
			row{"cost_by_cost_center", c.CostCenter, "keys", itoa(c.Keys)})
		if c.RequestMonthlyUSD != nil {
			out = append(out, row{"cost_by_cost_center", c.CostCenter, "request_monthly_usd", usd(*c.RequestMonthlyUSD)})
		}
	}
	return append(out, trailRows(r)...)
}

// trailRows are the CloudTrail KPIs, after every other figure so a report
// without trail data keeps its rows as they were. When no trail covers the
// window each KPI is one n/a row.
func trailRows(r *Report) []row {
	t := r.Trail
	out := []row{{"trail", "all", "covered_cells", itoa(t.CoveredCells)}}
	if r.Denials == nil || r.Blocked == nil || r.Cost.Requests == nil {
		return append(out, row{"trail", "all", "reason", t.Reason},
			row{"kms_access_denials", "all", "total", "n/a"}, row{"violations_blocked", "all", "total", "n/a"},
			row{"cost_requests", "all", "monthly_usd", "n/a"})
	}
	out = append(out, row{"trail", "all", "covered_days", itoa(t.CoveredDays)},
		row{"trail", "all", "window_days", itoa(t.WindowDays)},
		row{"trail", "all", "first_day", deref(t.FirstDay)}, row{"trail", "all", "last_day", deref(t.LastDay)})
	for _, p := range t.Partitions {
		g := p.Account + " " + p.Region
		out = append(out, row{"trail_coverage", g, "covered_days", itoa(p.CoveredDays)},
			row{"trail_coverage", g, "first_day", p.FirstDay}, row{"trail_coverage", g, "last_day", p.LastDay})
	}

	d := r.Denials
	out = append(out, row{"kms_access_denials", "all", "total", i64(d.Total)},
		row{"kms_access_denials", "all", "unauthorized", i64(d.Unauthorized)},
		row{"kms_access_denials", "all", "unauthorized_share", share(d.UnauthorizedShare)})
	for _, rel := range []string{trail.PolicyNamed, trail.PolicyDelegated, trail.PolicyUnnamed, trail.PolicyUnknown} {
		out = append(out, row{"kms_access_denials", "all", "policy_" + rel, i64(d.ByPolicyRelation[rel])})
	}
	denialRows := func(section string, cs []DenialCount) {
		for _, c := range cs {
			out = append(out, row{section, c.Group, "count", i64(c.Count)}, row{section, c.Group, "unauthorized", i64(c.Unauthorized)})
		}
	}
	denialRows("kms_access_denials_by_key", d.ByKey)
	denialRows("kms_access_denials_by_principal", d.ByPrincipal)
	denialRows("kms_access_denials_by_via", d.ByVia)
	for _, w := range d.ByWeek {
		out = append(out, row{"kms_access_denials_by_week", w.Week, "count", i64(w.Count)},
			row{"kms_access_denials_by_week", w.Week, "unauthorized", i64(w.Unauthorized)},
			row{"kms_access_denials_by_week", w.Week, "covered_cells", itoa(w.CoveredCells)})
	}
	denialRows("kms_access_denials_by_"+r.GroupBy, d.Groups)

	b := r.Blocked
	out = append(out, blockedRows("violations_blocked", "all", b.BlockedCounts)...)
	for _, m := range b.ByMonth {
		out = append(out, blockedRows("violations_blocked_by_month", m.Month, m.BlockedCounts)...)
		out = append(out, row{"violations_blocked_by_month", m.Month, "covered_cells", itoa(m.CoveredCells)})
	}
	for _, g := range b.ByAction {
		out = append(out, blockedRows("violations_blocked_by_action", g.Group, g.BlockedCounts)...)
	}
	for _, g := range b.ByAccount {
		out = append(out, blockedRows("violations_blocked_by_account", g.Group, g.BlockedCounts)...)
	}
	for _, p := range b.ByPolicy {
		name := p.PolicyARN
		if name == "" {
			name = "(" + p.PolicyType + " policy, not named)"
		}
		out = append(out, blockedRows("violations_blocked_by_policy", name, p.BlockedCounts)...)
	}
	for _, g := range b.Groups {
		out = append(out, blockedRows("violations_blocked_by_"+r.GroupBy, g.Group, g.BlockedCounts)...)
	}

	q := r.Cost.Requests
	out = append(out, row{"cost_requests", "all", "monthly_usd", usd4(q.MonthlyUSD)},
		row{"cost_requests", "all", "gross_monthly_usd", usd4(q.GrossMonthlyUSD)},
		row{"cost_requests", "all", "observed_requests", i64(q.ObservedRequests)},
		row{"cost_requests", "all", "monthly_requests", count(q.MonthlyRequests)},
		row{"cost_requests", "all", "free_requests", count(q.FreeRequests)})
	for _, a := range q.ByAccount {
		out = append(out, row{"cost_requests_by_account", a.Account, "monthly_usd", usd4(a.MonthlyUSD)},
			row{"cost_requests_by_account", a.Account, "monthly_requests", count(a.MonthlyRequests)},
			row{"cost_requests_by_account", a.Account, "free_requests", count(a.FreeRequests)})
	}
	for _, k := range q.Keys {
		out = append(out, row{"cost_requests_by_key", k.ARN, "monthly_usd", usd4(k.MonthlyUSD)},
			row{"cost_requests_by_key", k.ARN, "monthly_requests", count(k.MonthlyRequests)})
	}
	return out
}

func blockedRows(section, group string, c BlockedCounts) []row {
	return []row{
		{section, group, "total", i64(c.Total)}, {section, group, "guardrail", i64(c.Guardrail)},
		{section, group, "other", i64(c.Other)}, {section, group, "unattributed", i64(c.Unattributed)},
	}
}

func i64(n int64) string { return strconv.FormatInt(n, 10) }

func count(v float64) string { return strconv.FormatFloat(v, 'f', 0, 64) }

// usd4 shows request charges to a hundredth of a cent: most are fractions
// of a cent, which two decimals would show as 0.00.
func usd4(v float64) string { return strconv.FormatFloat(v, 'f', 4, 64) }

func share(p *float64) string {
	if p == nil {
		return "n/a"
	}
	return strconv.FormatFloat(*p, 'f', 4, 64)
}

func deref(s *string) string {
	if s == nil {
		return "n/a"
	}
	return *s
}

// WriteCSV writes every figure as section,group,metric,value rows, a shape
// spreadsheets and BI tools pivot directly.
func WriteCSV(w io.Writer, r *Report) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"window_from", "window_to", "section", "group", "metric", "value"})
	from, to := r.Window.From.Format(time.RFC3339), r.Window.To.Format(time.RFC3339)
	for _, x := range rows(r) {
		_ = cw.Write([]string{from, to, x.section, report.CSVSafe(x.group), x.metric, x.value})
	}
	cw.Flush()
	return cw.Error()
}
