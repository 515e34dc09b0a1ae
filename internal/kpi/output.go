package kpi

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/sagekey/sagekey/internal/report"
)

// Writer writes a KPI report in one format.
type Writer func(w io.Writer, r *Report) error

// Lookup returns the writer of a format: table, json or csv.
func Lookup(format string) (Writer, error) {
	switch format {
	case "table":
		return WriteTable, nil
	case "json":
		return WriteJSON, nil
	case "csv":
		return WriteCSV, nil
	}
	return nil, fmt.Errorf("unknown format %q (want table, json or csv)", format)
}

// WriteJSON writes the sagekey.kpi/v1 document (see README).
func WriteJSON(w io.Writer, r *Report) error { return report.EncodeJSON(w, r) }

// row is one figure in long form: the shape of the CSV and the source of
// the table's lines, so both always carry the same numbers.
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
	}
	return out
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

// WriteTable writes the KPIs for reading in a terminal.
func WriteTable(w io.Writer, r *Report) error {
	fmt.Fprintf(w, "KPIs from %s to %s, %d scans (accounts %s; regions %s)\n", r.Window.From.Format(time.RFC3339),
		r.Window.To.Format(time.RFC3339), len(r.Scope.Runs), report.OneLine(strings.Join(r.Scope.Accounts, ",")),
		strings.Join(r.Scope.Regions, ","))
	if len(r.Scope.Since) > 1 || (len(r.Scope.Since) == 1 && r.Scope.Since[0] != "") {
		fmt.Fprintf(w, "Job history windows (--since) of those scans: %s\n", strings.Join(r.Scope.Since, ", "))
	}
	if r.Scope.Gaps > 0 {
		fmt.Fprintf(w, "Those scans reported %d gaps: parts of the estate were not read.\n", r.Scope.Gaps)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "\nSECTION\tGROUP\tMETRIC\tVALUE")
	for _, x := range rows(r) {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", x.section, report.OneLine(x.group), x.metric, x.value)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "\nCost: %s (%s).\n", r.Cost.Note, r.Cost.Currency)
	return err
}
