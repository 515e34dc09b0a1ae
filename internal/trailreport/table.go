package trailreport

import (
	"cmp"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/report"
	"github.com/sagekey/sagekey/internal/trail"
)

// maxListed bounds the names a table line lists (problem units, protected
// resources) so one bad prefix of ten thousand files does not bury the
// report; the JSON document lists them all.
const maxListed = 10

// WriteTable writes the report for a person at a terminal: a summary, what
// was read and covered, then one section per finding kind, problems, gaps
// and the API calls. Every value that came from AWS or the trail is put on
// one line with its control characters blanked, so a hostile principal
// name or user agent cannot move the cursor or fake a line.
func WriteTable(w io.Writer, r *Report) error {
	ew := &errWriter{w: w}
	writeHeader(ew, r)
	writeDenials(ew, r)
	writeBlocked(ew, r)
	writeKeyEvents(ew, r)
	writeCreators(ew, r)
	writeRequests(ew, r)
	writeProblems(ew, r)
	writeGaps(ew, r)
	writeCalls(ew, r)
	return ew.err
}

// errWriter keeps the first write error, so the sections can be written
// without checking each line; WriteTable returns it.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}

func (e *errWriter) printf(format string, args ...any) { fmt.Fprintf(e, format, args...) }

// table returns a tabwriter for a section's rows, indented by two spaces.
func table(w io.Writer) *tabwriter.Writer { return tabwriter.NewWriter(w, 0, 0, 2, ' ', 0) }

func writeHeader(w *errWriter, r *Report) {
	w.printf("sagekey trail: %s, %s\n", oneLine(orDash(r.Source)), windowText(r.Window))
	w.printf("Summary: %s (%d unauthorized), %s (%d by sagekey's guardrails), %s, %s, %s.\n",
		count(r.Denials.Total, "KMS access denial"), r.Denials.Unauthorized,
		count(r.Blocked.Total, "violation")+" blocked", r.Blocked.Guardrail,
		count(int64(len(r.KeyEvents)), "key lifecycle event"),
		count(int64(len(r.Creators)), "resource")+" created",
		count(r.Requests.Total, "KMS request")+" by SageMaker")
	rd := r.Read
	w.printf("Read this run: %d of %d units listed (%d already read, %d failed), %s, %d events, %d of interest.\n",
		rd.Read, rd.Listed, rd.Skipped, rd.Failed, bytesText(rd.Bytes), rd.Events, rd.Matched)
	if rd.CellsKnown > 0 {
		w.printf("Not listed again: %d account-region-days earlier runs read in full.\n", rd.CellsKnown)
	}
	c := r.Coverage
	if c.Cells == 0 {
		w.printf("Coverage: no day of the window has its trail read; every figure below is unknown, not zero.\n")
		return
	}
	days := fmt.Sprintf("%d days (%s to %s)", c.Days, dayText(c.FirstDay), dayText(c.LastDay))
	if c.WindowDays > 0 {
		days = fmt.Sprintf("%d of the window's %d days (%s to %s)", c.Days, c.WindowDays, dayText(c.FirstDay), dayText(c.LastDay))
	}
	w.printf("Coverage: %s, %s, %s; %s read from %s.\n", count(int64(len(c.Accounts)), "account"),
		count(int64(len(c.Regions)), "region"), days, count(int64(c.Cells), "account-region-day"),
		oneLine(strings.Join(c.Sources, ", ")))
	tw := table(w)
	for _, p := range c.Pairs {
		line := fmt.Sprintf("%d days", p.Days)
		if c.WindowDays > 0 {
			line = fmt.Sprintf("%d of %d days", p.Days, c.WindowDays)
			if p.Missing > 0 {
				line += fmt.Sprintf(" (%d unread: unknown, not zero)", p.Missing)
			}
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", oneLine(p.Account), oneLine(p.Region), line)
	}
	flush(w, tw)
}

// denialRow is a denial group summed over days and regions: the table
// reads by key, principal and operation.
type denialRow struct {
	key, principal, operation, via, policy string
	count                                  int64
	first, last                            time.Time
	// access is the key-access note; the verdict depends on principal,
	// key, operation and via only, so every group of a row has the same.
	access string
}

func writeDenials(w *errWriter, r *Report) {
	d := r.Denials
	w.printf("\nKMS ACCESS DENIALS on keys that protect SageMaker data: %d%s.\n", d.Total, unauthorizedText(d))
	if len(d.Groups) == 0 {
		return
	}
	rows := map[[5]string]*denialRow{}
	for _, g := range d.Groups {
		k := [5]string{g.KeyARN, g.Principal, g.Operation, g.Via, g.Policy}
		row := rows[k]
		if row == nil {
			row = &denialRow{key: g.KeyARN, principal: g.Principal, operation: g.Operation, via: g.Via, policy: g.Policy,
				first: g.Day, last: g.Day, access: g.KeyAccess.Note()}
			rows[k] = row
		}
		row.count += g.Count
		row.first, row.last = minTime(row.first, g.Day), maxTime(row.last, g.Day)
	}
	sorted := slices.SortedFunc(maps.Values(rows), func(a, b *denialRow) int {
		return cmp.Or(cmp.Compare(b.count, a.count), cmp.Compare(a.key, b.key), cmp.Compare(a.principal, b.principal),
			cmp.Compare(a.operation, b.operation), cmp.Compare(a.via, b.via), cmp.Compare(a.policy, b.policy))
	})
	// The KEY ACCESS column appears only when the latest stored scan
	// judged some row: a column of dashes would say nothing.
	judged := slices.ContainsFunc(sorted, func(r *denialRow) bool { return r.access != "" })
	tw := table(w)
	head := "   \tKEY\tPRINCIPAL\tOPERATION\tVIA\tKEY POLICY\tCOUNT\tDAYS"
	if judged {
		head += "\tKEY ACCESS"
	}
	fmt.Fprintln(tw, head)
	for _, row := range sorted {
		mark := ""
		if row.policy == trail.PolicyUnnamed {
			mark = "!"
		}
		line := fmt.Sprintf("  %s\t%s\t%s\t%s\t%s\t%s\t%d\t%s", mark, oneLine(orDash(row.key)), oneLine(orDash(row.principal)),
			oneLine(row.operation), oneLine(row.via), oneLine(row.policy), row.count, spanText(row.first, row.last))
		if judged {
			line += "\t" + oneLine(orDash(row.access))
		}
		fmt.Fprintln(tw, line)
	}
	flush(w, tw)
	if d.Unauthorized > 0 {
		w.printf("  ! unauthorized: the key policy names neither the principal nor its account.\n")
	}
	if judged {
		w.printf("  KEY ACCESS: the latest stored scan's key-access verdict on the principal, key and operation, from the policies it read.\n")
	}
}

func writeBlocked(w *errWriter, r *Report) {
	b := r.Blocked
	w.printf("\nVIOLATIONS BLOCKED (SageMaker requests an explicit deny refused): %d%s.\n", b.Total, guardrailText(b))
	if len(b.Groups) == 0 {
		return
	}
	type key struct{ month, action, policy, by string }
	rows := map[key]int64{}
	for _, g := range b.Groups {
		rows[key{g.Day.UTC().Format("2006-01"), g.Action, policyText(g), g.Guardrail}] += g.Count
	}
	keys := slices.SortedFunc(maps.Keys(rows), func(a, b key) int {
		return cmp.Or(cmp.Compare(a.month, b.month), cmp.Compare(a.action, b.action), cmp.Compare(a.by, b.by),
			cmp.Compare(a.policy, b.policy))
	})
	tw := table(w)
	fmt.Fprintln(tw, "  MONTH\tACTION\tREFUSED BY\tPOLICY\tCOUNT")
	for _, k := range keys {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%d\n", k.month, oneLine(k.action), oneLine(k.by), oneLine(k.policy), rows[k])
	}
	flush(w, tw)
}

func writeKeyEvents(w *errWriter, r *Report) {
	w.printf("\nKEY LIFECYCLE EVENTS on keys that protect SageMaker data: %d.\n", len(r.KeyEvents))
	for _, e := range r.KeyEvents {
		head := fmt.Sprintf("  %s  %s  %s", e.Time.UTC().Format(time.RFC3339), oneLine(e.Action), oneLine(orDash(e.KeyARN)))
		if e.Detail != "" {
			head += " (" + oneLine(e.Detail) + ")"
		}
		w.printf("%s\n", head)
		who := "    by " + oneLine(whoText(e.Principal, e.Identity)) + " with " + oneLine(trail.ToolText(e.Tool))
		if e.SourceIP != "" {
			who += " from " + oneLine(e.SourceIP)
		}
		w.printf("%s, event %s\n", who, oneLine(orDash(e.EventID)))
		w.printf("    %s\n", impactText(e))
	}
}

func writeCreators(w *errWriter, r *Report) {
	w.printf("\nCREATORS: %s created in the window", count(int64(len(r.Creators)), "resource"))
	if len(r.Creators) == 0 {
		w.printf(".\n")
		return
	}
	byTool := map[string]int{}
	for _, c := range r.Creators {
		byTool[c.Tool]++
	}
	tools := slices.SortedFunc(maps.Keys(byTool), func(a, b string) int {
		return cmp.Or(cmp.Compare(byTool[b], byTool[a]), cmp.Compare(a, b))
	})
	var parts []string
	for _, t := range tools {
		parts = append(parts, fmt.Sprintf("%s %d", oneLine(trail.ToolText(t)), byTool[t]))
	}
	w.printf(", by tool: %s.\n", strings.Join(parts, ", "))
}

func writeRequests(w *errWriter, r *Report) {
	q := r.Requests
	w.printf("\nKMS REQUESTS by SageMaker: %d", q.Total)
	if q.EstimatedUSD != nil {
		w.printf(" (about $%.4f a month", *q.EstimatedUSD)
		if q.EstimateBasis != "" {
			w.printf("; %s", oneLine(q.EstimateBasis))
		}
		w.printf(")")
	}
	w.printf(".\n")
	if len(q.Groups) == 0 {
		return
	}
	type key struct{ key, op string }
	rows := map[key]int64{}
	for _, g := range q.Groups {
		rows[key{g.KeyARN, g.Operation}] += g.Count
	}
	keys := slices.SortedFunc(maps.Keys(rows), func(a, b key) int {
		return cmp.Or(cmp.Compare(rows[b], rows[a]), cmp.Compare(a.key, b.key), cmp.Compare(a.op, b.op))
	})
	tw := table(w)
	fmt.Fprintln(tw, "  KEY\tOPERATION\tCOUNT")
	for _, k := range keys {
		fmt.Fprintf(tw, "  %s\t%s\t%d\n", oneLine(orDash(k.key)), oneLine(k.op), rows[k])
	}
	flush(w, tw)
}

// problemWords says each problem kind as a sentence does.
func problemWords(kind string) string {
	switch kind {
	case trail.ProblemUnreadable:
		return "unreadable"
	case trail.ProblemBadRecord:
		return "with bad records"
	case trail.ProblemOversized:
		return "with oversized records"
	case trail.ProblemUnknownVersion:
		return "with records of an unknown event version"
	}
	return "with problems (" + kind + ")"
}

func writeProblems(w *errWriter, r *Report) {
	if len(r.Problems) == 0 {
		w.printf("\nNo problems: every unit read was usable.\n")
		return
	}
	w.printf("\nPROBLEMS (parts of the input that could not be used):\n")
	var kinds []string
	byKind := map[string][]trail.Problem{}
	for _, p := range r.Problems {
		if byKind[p.Kind] == nil {
			kinds = append(kinds, p.Kind)
		}
		byKind[p.Kind] = append(byKind[p.Kind], p)
	}
	for _, kind := range kinds {
		ps := byKind[kind]
		units := map[string]bool{}
		var records int64
		var listed []string
		for _, p := range ps {
			if !units[p.Unit] && len(listed) < maxListed {
				listed = append(listed, fmt.Sprintf("%s (%s)", orDash(p.Unit), p.Reason))
			}
			units[p.Unit] = true
			records += p.Count
		}
		line := fmt.Sprintf("  %s %s", count(int64(len(units)), "unit"), problemWords(kind))
		if kind != trail.ProblemUnreadable {
			line += fmt.Sprintf(", %s", count(records, "record"))
		}
		line += ": " + strings.Join(listed, ", ")
		if more := len(units) - len(listed); more > 0 {
			line += fmt.Sprintf(", and %d more (see --format json)", more)
		}
		w.printf("%s\n", oneLine(line))
	}
}

func writeGaps(w *errWriter, r *Report) {
	if len(r.Gaps) == 0 {
		w.printf("\nNo gaps: every part of the trail listed was read.\n")
		return
	}
	w.printf("\nINCOMPLETE: %s (parts of the trail not read; their days are not covered):\n", count(int64(len(r.Gaps)), "gap"))
	for _, g := range r.Gaps {
		var where []string
		if g.Account != "" {
			where = append(where, "account "+g.Account)
		}
		if g.Region != "" {
			where = append(where, "region "+g.Region)
		}
		if len(where) == 0 {
			where = append(where, "the whole source")
		}
		if g.Service != "" {
			where = append(where, g.Service)
		}
		w.printf("  - %s: %s\n", oneLine(strings.Join(where, " ")), oneLine(g.Reason))
	}
}

// writeCalls writes the API-call summary the scan report's table ends
// with: the total and the five costliest operations.
func writeCalls(w *errWriter, r *Report) {
	c := (&report.Report{APICalls: r.APICalls}).Calls()
	if c.Total == 0 {
		return
	}
	ops := slices.Clone(c.Operations)
	slices.SortStableFunc(ops, func(a, b report.OperationCalls) int { return cmp.Compare(b.Calls, a.Calls) })
	var top []string
	for _, op := range ops[:min(5, len(ops))] {
		top = append(top, fmt.Sprintf("%s %d", oneLine(op.Operation), op.Calls))
	}
	w.printf("API calls: %d (%d retries, %d throttled); most: %s.\n", c.Total, c.Retries, c.Throttles, strings.Join(top, ", "))
}

func flush(w *errWriter, tw *tabwriter.Writer) {
	if err := tw.Flush(); err != nil && w.err == nil {
		w.err = err
	}
}

// impactText is the blast radius line of a key event.
func impactText(e KeyEventImpact) string {
	n := len(e.Protects)
	if n == 0 {
		return "the latest scan has no resource this key protects"
	}
	var names []string
	for _, res := range e.Protects[:min(n, maxListed)] {
		names = append(names, oneLine(resourceText(res)))
	}
	list := strings.Join(names, ", ")
	if n > maxListed {
		list += fmt.Sprintf(", and %d more", n-maxListed)
	}
	if e.MakesDataUnreadable() {
		verb := "loses its data"
		if n > 1 {
			verb = "lose their data"
		}
		return fmt.Sprintf("%s %s: %s", count(int64(n), "resource"), verb, list)
	}
	return fmt.Sprintf("the key protects %s: %s", count(int64(n), "resource"), list)
}

func resourceText(r finding.Resource) string {
	if r.Kind == "" && r.Name == "" {
		return r.ARN
	}
	return r.Kind + "/" + r.Name
}

func unauthorizedText(d DenialSummary) string {
	if d.Total == 0 {
		return ""
	}
	s := fmt.Sprintf(" (%d unauthorized", d.Unauthorized)
	if d.UnauthorizedShare != nil {
		s += fmt.Sprintf(", %.0f%% of those with a known key policy", *d.UnauthorizedShare*100)
	}
	if d.PolicyUnknown > 0 {
		s += fmt.Sprintf("; %d against a key policy sagekey has not read", d.PolicyUnknown)
	}
	return s + ")"
}

func guardrailText(b BlockedSummary) string {
	if b.Total == 0 {
		return ""
	}
	return fmt.Sprintf(" (%d by sagekey's guardrails, %d by other policies, %d unattributed)", b.Guardrail, b.Other, b.Unattributed)
}

// policyText names the policy that refused a request: its type, and its
// ARN when the message named it.
func policyText(b trail.Blocked) string {
	if b.PolicyARN == "" {
		return b.PolicyType
	}
	return b.PolicyType + " " + b.PolicyARN
}

// whoText names who made a call: the principal, and the session it used
// when that says more (an assumed role's session name is often a person).
func whoText(principal, identity string) string {
	if principal == "" {
		return orDash(principal)
	}
	return trail.Who(principal, identity)
}

func windowText(w Window) string {
	switch {
	case w.From.IsZero() && w.To.IsZero():
		return "every stored day"
	case w.From.IsZero():
		return "every stored day to " + dayText(w.To)
	case w.To.IsZero():
		return dayText(w.From) + " onwards"
	}
	return dayText(w.From) + " to " + dayText(w.To) + " (UTC days)"
}

func spanText(first, last time.Time) string {
	if first.Equal(last) {
		return dayText(first)
	}
	return dayText(first) + ".." + dayText(last)
}

func dayText(t time.Time) string { return t.UTC().Format(time.DateOnly) }

func bytesText(n int64) string {
	const unit = 1000
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %cB", float64(n)/float64(div), "kMGTPE"[exp])
}

// count writes n with its noun, plural when n is not one.
func count(n int64, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// oneLine blanks what could break a terminal line: the C0 controls and DEL
// (report.OneLine), and also the C1 controls, which some terminals obey as
// escape sequences (U+009B is CSI), and the bidirectional overrides and
// isolates, which can make a name display as another.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 0x80 && r <= 0x9f, r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
			return ' '
		}
		return r
	}, report.OneLine(s))
}
