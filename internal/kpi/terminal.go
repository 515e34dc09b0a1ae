package kpi

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/sagekey/sagekey/internal/term"
)

// WritePage writes the KPIs as a page for a person: one section per KPI,
// figures in aligned columns, the compliance trend as a sparkline, and a
// sentence saying why wherever a section has nothing to show. It carries
// the same numbers as the csv long form but not every breakdown row:
// long lists are cut to their largest entries (json and csv keep all).
// o decides colour and the width to wrap at; the zero Options give plain,
// unwrapped text for files and pipes.
func WritePage(w io.Writer, r *Report, o term.Options) error {
	p := &page{o: o}
	p.header(r)
	p.compliance(r)
	p.mttr(r)
	p.open(r)
	p.newViolations(r)
	p.keys(r)
	p.cost(r)
	p.trail(r)
	_, err := io.WriteString(w, strings.Join(p.lines, "\n")+"\n")
	return err
}

// page collects the lines of the page; it is written in one go so a
// failing writer is reported once.
type page struct {
	o     term.Options
	lines []string
}

// indent is the left margin of everything under a heading.
const indent = "  "

func (p *page) heading(title string) {
	p.lines = append(p.lines, "", p.o.Paint(title, term.Bold))
}

// say writes a paragraph under a heading, wrapped to the width; each line
// is painted on its own so a wrapped line never carries an open colour.
func (p *page) say(text string, codes ...term.Code) {
	p.sayAt(indent, text, codes...)
}

func (p *page) sayAt(margin, text string, codes ...term.Code) {
	width := 0
	if p.o.Width > 0 {
		width = max(1, p.o.Width-len(margin))
	}
	for _, l := range term.Wrap(text, width, "  ") {
		body := strings.TrimLeft(l, " ")
		p.lines = append(p.lines, margin+l[:len(l)-len(body)]+p.o.Paint(body, codes...))
	}
}

// empty says why a section has nothing to show.
func (p *page) empty(reason string) { p.say(reason, term.Dim) }

func (p *page) table(t *table) { p.lines = append(p.lines, t.lines(p.o, indent)...) }

// head is a table's header row, dimmed so the figures stand out.
func head(labels ...string) []tcell {
	out := make([]tcell, len(labels))
	for i, l := range labels {
		out[i] = tcell{text: l, codes: []term.Code{term.Dim}, right: i > 0}
	}
	return out
}

// stamp is a time as people read it; the page says UTC once per time.
func stamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04") + " UTC" }

func (p *page) header(r *Report) {
	const title = "sagekey KPIs"
	days := r.Window.To.Sub(r.Window.From).Hours() / 24
	window := fmt.Sprintf("%s to %s (%s days)", stamp(r.Window.From), stamp(r.Window.To), oneDecimal(days))
	if p.o.Width == 0 || len(title)+2+len(window) <= p.o.Width {
		p.lines = append(p.lines, p.o.Paint(title, term.Bold)+"  "+window)
	} else {
		p.lines = append(p.lines, p.o.Paint(title, term.Bold))
		p.say(window)
	}
	sc := r.Scope
	if len(sc.Runs) == 0 {
		p.say("No stored scan in the window: compliance and keys come from the latest scans before it, if any "+
			"(run sagekey scan).", term.Yellow)
	} else {
		p.say(fmt.Sprintf("%s in the window · accounts %s · regions %s", plural(len(sc.Runs), "scan", "scans"),
			clean(strings.Join(sc.Accounts, ", ")), clean(strings.Join(sc.Regions, ", "))))
	}
	if len(sc.Since) > 1 || (len(sc.Since) == 1 && sc.Since[0] != "") {
		p.say("Job history windows (--since) of those scans: " + strings.Join(sc.Since, ", "))
	}
	if sc.Gaps > 0 {
		p.say(fmt.Sprintf("Those scans reported %s: parts of the estate were not read.",
			plural(sc.Gaps, "gap", "gaps")), term.Yellow)
	}
	for _, sw := range sc.IncompleteSweeps {
		p.say(fmt.Sprintf("Sweep %s is incomplete (%s): its runs count for their units, but it is left out of the trend.",
			clean(sw.ID), sweepMissing(sw)), term.Yellow)
	}
}

// byLabel is the row that introduces the --by groups of a table.
func byLabel(by string) tcell { return txt("by "+clean(by), term.Dim) }

// groupName is a group's label under its by row.
func groupName(g string) tcell { return txt("  " + clean(g)) }

// sweepMissing says what an incomplete sweep lacks.
func sweepMissing(sw IncompleteSweep) string {
	if sw.Mismatched {
		return "its shards disagree on the shard count"
	}
	ids := make([]string, len(sw.Missing))
	for i, m := range sw.Missing {
		ids[i] = strconv.Itoa(m)
	}
	return "missing shards " + strings.Join(ids, ", ")
}
