package kpi

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/sagekey/sagekey/internal/term"
)

// maxSpark is the most trend points a sparkline draws: the latest ones,
// since a long history would wrap and stop reading as one line.
const maxSpark = 60

// listLimit is how many key ARNs the page lists under a count; more would
// bury the other sections, and json lists them all.
const listLimit = 5

// barWidth is the longest bar drawn next to a count.
const barWidth = 24

// withBars ends each row after t's header with a bar of its count, scaled
// to the largest and as long as the line has room for; codes (which may
// be nil) colour each bar.
func (p *page) withBars(t *table, counts []int, codes [][]term.Code) {
	width := barWidth
	if p.o.Width > 0 {
		widest := 0
		for _, l := range t.lines(term.Options{Width: p.o.Width}, indent) {
			widest = max(widest, utf8.RuneCountInString(l))
		}
		width = min(barWidth, max(4, p.o.Width-widest-2))
	}
	most := 0
	for _, n := range counts {
		most = max(most, n)
	}
	for i, n := range counts {
		var c []term.Code
		if codes != nil {
			c = codes[i]
		}
		t.rows[i+1] = append(t.rows[i+1], txt(bar(n, most, width), c...))
	}
}

func (p *page) compliance(r *Report) {
	c := r.Compliance
	p.heading("Percent compliant")
	p.say("PASS / (PASS + FAIL) of the <kind>.cmk checks as of the window's end; ERROR (not verified) and "+
		"MUTED (accepted risk) are counted apart, never as compliant.", term.Dim)
	switch o := c.Overall; {
	case o.Pass+o.Fail+o.Error+o.Muted == 0 && len(r.Scope.Runs) == 0:
		p.empty("No stored scan in the window, and no earlier one judged a resource's key.")
	case o.Pass+o.Fail+o.Error+o.Muted == 0:
		p.empty("The scans judged no resource's key (no <kind>.cmk verdict): nothing to count.")
	default:
		t := &table{}
		t.add(head("", "compliant", "pass", "fail", "error", "muted")...)
		t.add(tallyCells(txt("all", term.Bold), o)...)
		if r.GroupBy != "" && len(c.Groups) > 0 {
			t.add(byLabel(r.GroupBy))
			for _, g := range c.Groups {
				t.add(tallyCells(groupName(g.Group), g)...)
			}
		}
		p.table(t)
		if o.Percent == nil {
			p.empty("No resource passed or failed, so there is no percentage: the verdicts that exist could not " +
				"be verified or are muted.")
		}
	}
	p.trend(c.Trend)
}

func tallyCells(label tcell, t Tally) []tcell {
	return []tcell{label, num(percentText(t.Percent), term.Bold), num(strconv.Itoa(t.Pass), paintIf(int64(t.Pass), term.Green)...),
		num(strconv.Itoa(t.Fail), paintIf(int64(t.Fail), term.Red)...),
		num(strconv.Itoa(t.Error), paintIf(int64(t.Error), term.Yellow)...), num(strconv.Itoa(t.Muted))}
}

// trend draws the compliance trend: a sparkline and, beside it when the
// line has room, what it spans.
func (p *page) trend(points []TrendPoint) {
	if len(points) == 0 {
		p.empty("No stored scan in the window: no trend.")
		return
	}
	unit := "scan"
	if points[0].Run == 0 {
		unit = "day"
	}
	limit := maxSpark
	if p.o.Width > 0 {
		limit = min(limit, max(8, p.o.Width-12))
	}
	shown := points[max(0, len(points)-limit):]
	values := make([]*float64, len(shown))
	judged := false
	for i, pt := range shown {
		values[i] = pt.Tally.Percent
		judged = judged || pt.Tally.Percent != nil
	}
	if !judged {
		p.empty(fmt.Sprintf("No trend: no resource passed or failed in the window's %s.", plural(len(points), unit, unit+"s")))
		return
	}
	first, last := shown[0], shown[len(shown)-1]
	span := plural(len(points), unit, unit+"s")
	if len(shown) < len(points) {
		span = fmt.Sprintf("the last %d of %d %ss", len(shown), len(points), unit)
	}
	desc := fmt.Sprintf("%s → %s over %s, %s to %s", percentText(first.Tally.Percent), percentText(last.Tally.Percent),
		span, first.At.UTC().Format("2006-01-02"), last.At.UTC().Format("2006-01-02"))
	spark := sparkline(values)
	lead := indent + "trend  " + p.o.Paint(spark, term.Cyan)
	if w := len(indent) + len("trend  ") + len(shown) + 2 + utf8.RuneCountInString(desc); p.o.Width == 0 || w <= p.o.Width {
		p.lines = append(p.lines, lead+"  "+desc)
		return
	}
	p.lines = append(p.lines, lead)
	p.say(desc)
}

// statTable is the header and all/severity/group rows of MTTR and open
// ages.
func statTable(countLabel, meanLabel, maxLabel string, all Stats, bySeverity, groups []Stats, by string) *table {
	t := &table{}
	t.add(head("", countLabel, meanLabel, "median", maxLabel)...)
	row := func(label tcell, s Stats) {
		t.add(label, num(strconv.Itoa(s.Count)), num(duration(s.MeanHours)), num(duration(s.MedianHours)),
			num(duration(s.MaxHours)))
	}
	row(txt("all", term.Bold), all)
	for _, s := range bySeverity {
		row(txt(s.Group), s)
	}
	if by != "" && len(groups) > 0 {
		t.add(byLabel(by))
		for _, s := range groups {
			row(groupName(s.Group), s)
		}
	}
	return t
}

func (p *page) mttr(r *Report) {
	m := r.MTTR
	p.heading("Time to remediate")
	p.say("Violations resolved in the window, from the scan that first found each to the scan that saw it fixed "+
		"or its resource deleted.", term.Dim)
	muted := ""
	if m.Muted > 0 {
		muted = fmt.Sprintf("; %d muted (accepted risk, not remediation, so not timed)", m.Muted)
	}
	if m.Resolved == 0 {
		p.empty("No violation was resolved in this window" + muted + ".")
		return
	}
	p.say(fmt.Sprintf("%d resolved: %d fixed, %d with the resource deleted%s.", m.Resolved,
		m.ByResolution["passed"], m.ByResolution["deleted"], muted))
	p.table(statTable("resolved", "mean", "max", m.Stats, m.BySeverity, m.Groups, r.GroupBy))
}

func (p *page) open(r *Report) {
	o := r.Open
	p.heading("Open violations")
	p.say("Open at the window's end, every check (key and tag checks too), aged from the scan that first found them.",
		term.Dim)
	if o.Count == 0 {
		p.empty("No violation was open at the window's end.")
		return
	}
	p.table(statTable("open", "mean age", "oldest", o.Stats, o.BySeverity, o.Groups, r.GroupBy))
	t := &table{}
	t.add(head("age", "open")...)
	counts := make([]int, len(o.AgeBuckets))
	codes := make([][]term.Code, len(o.AgeBuckets))
	for i, b := range o.AgeBuckets {
		t.add(txt(b.Bucket), num(strconv.Itoa(b.Count)))
		counts[i] = b.Count
		if b.Bucket != ageBuckets[0].name {
			codes[i] = paintIf(int64(b.Count), term.Yellow) // past a week, an open violation is overdue
		}
	}
	p.withBars(t, counts, codes)
	p.lines = append(p.lines, "")
	p.table(t)
}

func (p *page) newViolations(r *Report) {
	p.heading("New violations per week")
	p.say("ISO weeks: violations first found, and violations found again after being resolved.", term.Dim)
	if len(r.NewViolations) == 0 {
		p.empty("No violation was found or reopened in this window.")
		return
	}
	t := &table{}
	t.add(head("week", "starts", "new", "reopened")...)
	counts := make([]int, len(r.NewViolations))
	for i, w := range r.NewViolations {
		t.add(txt(w.Week), txt(w.Start.UTC().Format("2006-01-02")), num(strconv.Itoa(w.New)),
			num(strconv.Itoa(w.Reopened), paintIf(int64(w.Reopened), term.Yellow)...))
		counts[i] = w.New + w.Reopened
	}
	p.withBars(t, counts, nil)
	p.table(t)
}

func (p *page) keys(r *Report) {
	k := r.Keys
	p.heading("Keys protecting SageMaker data")
	p.say("From the latest scan of each account and region up to the window's end.", term.Dim)
	if k.CustomerManaged+k.AWSManaged+k.Unknown == 0 {
		if len(r.Scope.Runs) == 0 {
			p.empty("No stored scan in the window, and no earlier one saw a key protecting SageMaker data.")
		} else {
			p.empty("The latest scans saw no key protecting SageMaker data.")
		}
		return
	}
	t := &table{}
	t.add(txt("customer-managed"), num(strconv.Itoa(k.CustomerManaged), paintIf(int64(k.CustomerManaged), term.Green)...))
	t.add(txt("AWS-managed"), num(strconv.Itoa(k.AWSManaged)))
	t.add(txt("unknown"), num(strconv.Itoa(k.Unknown), paintIf(int64(k.Unknown), term.Yellow)...))
	lists := []struct {
		label string
		arns  []string
		code  term.Code
	}{
		{"without rotation", k.WithoutRotation, term.Yellow},
		{"rotation unknown", k.RotationUnknown, term.Yellow},
		{"pending deletion", k.PendingDeletion, term.Red},
	}
	for _, l := range lists {
		t.add(txt(l.label), num(strconv.Itoa(len(l.arns)), paintIf(int64(len(l.arns)), l.code)...))
	}
	p.table(t)
	p.say("AWS-managed keys have a key policy set by AWS, which you cannot edit; unknown keys could not be "+
		"described (denied or deleted).", term.Dim)
	for _, l := range lists {
		p.keyList(l.label, l.arns)
	}
}

// keyList names the keys behind a count when there are few enough to read.
func (p *page) keyList(label string, arns []string) {
	switch {
	case len(arns) == 0:
	case len(arns) > listLimit:
		p.say(fmt.Sprintf("%s: %d keys (--format json lists them).", upperFirst(label), len(arns)))
	default:
		p.say(upperFirst(label) + ":")
		for _, a := range arns {
			p.sayAt(indent+indent, clean(a))
		}
	}
}

func (p *page) cost(r *Report) {
	c := r.Cost
	p.heading("KMS cost estimate")
	p.say(fmt.Sprintf("%s a month (%s)", money(c.MonthlyUSD), c.Currency))
	if len(c.ByCostCenter) == 0 {
		p.empty("No customer-managed key to price and no request charge estimated: nothing to bill a cost center for.")
	} else {
		withRequests := c.Requests != nil
		t := &table{}
		hd := []string{"cost center (tag " + clean(c.CostCenterTag) + ")", "monthly", "keys"}
		if withRequests {
			hd = append(hd, "of which requests")
		}
		t.add(head(hd...)...)
		for _, cc := range c.ByCostCenter {
			row := []tcell{txt(clean(cc.CostCenter)), num(money(cc.MonthlyUSD)), num(strconv.Itoa(cc.Keys))}
			if withRequests && cc.RequestMonthlyUSD != nil {
				row = append(row, num(money(*cc.RequestMonthlyUSD)))
			}
			t.add(row...)
		}
		p.table(t)
	}
	if n := len(c.Unpriced); n > 0 {
		p.say(fmt.Sprintf("Not priced: %s that could not be described (denied or deleted), so the total is a "+
			"lower bound.", plural(n, "key", "keys")), term.Yellow)
	}
	if q := c.Requests; q != nil {
		p.say(fmt.Sprintf("Requests: %s observed on the covered days, about %s a month; %s after the free tier "+
			"(%s without it).", grouped(q.ObservedRequests), grouped(int64(math.Round(q.MonthlyRequests))), money(q.MonthlyUSD),
			money(q.GrossMonthlyUSD)))
	}
	p.say(upperFirst(c.Note)+".", term.Dim)
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
