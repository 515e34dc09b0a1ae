package report

import (
	"fmt"
	"strings"

	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/term"
)

// footer says what the table left out and how to see it, lists every gap
// (an incomplete scan must never read as a clean one), and ends with what
// to do next.
func (p *tablePrinter) footer() {
	c := p.r.Counts()
	p.blank()
	if n := c[finding.Muted]; n > 0 && !p.listed(finding.Muted) {
		text := fmt.Sprintf("MUTED: %s with an accepted risk, not listed; --show muted lists them.", plural(n, "finding"))
		p.emit("", p.wrap("", "  ", text), "MUTED:", term.Dim)
	}
	var hidden, flags []string
	for _, s := range []struct {
		status finding.Status
		flag   string
	}{{finding.Pass, "passed"}, {finding.NotApplicable, "na"}} {
		if n := c[s.status]; n > 0 && !p.listed(s.status) {
			hidden = append(hidden, fmt.Sprintf("%d %s", n, s.status))
			flags = append(flags, s.flag)
		}
	}
	if len(hidden) > 0 {
		p.para("", "  ", fmt.Sprintf("Not listed: %s; --show %s (or --show all) lists them.",
			strings.Join(hidden, ", "), strings.Join(flags, ",")))
	}
	p.gaps()
	p.drift()
	p.blank()
	p.emit("", p.wrap("", "  ", "Next: "+p.next(c)), "Next:", term.Bold)
}

func (p *tablePrinter) gaps() {
	if len(p.r.Gaps) == 0 {
		text := "No gaps: every listed service was read."
		if p.r.fromCode() {
			text = "No gaps: every file was read."
		}
		p.para("", "  ", text)
		return
	}
	what := "parts of the estate"
	if p.r.fromCode() {
		what = "input"
	}
	text := fmt.Sprintf("INCOMPLETE: %s (%s that could not be read):", plural(len(p.r.Gaps), "gap"), what)
	p.emit("", p.wrap("", "  ", text), "INCOMPLETE:", term.Yellow, term.Bold)
	for _, g := range p.r.Gaps {
		text := fmt.Sprintf("account %s region %s %s: %s", g.Account, g.Region, g.Service, g.Reason)
		if g.Account == "" && g.Region == "" {
			text = g.Service + ": " + g.Reason // a file or a --live lookup, not a part of an estate
		}
		p.para("  ", "    ", "- "+OneLine(text))
	}
}

// next names the commands that follow from this report: the full report
// and a fix plan, both read from the store, so for the run shown.
func (p *tablePrinter) next(c map[finding.Status]int) string {
	if p.r.fromCode() {
		return codeNext(c, len(p.r.Gaps) > 0)
	}
	var steps []string
	if len(p.r.Gaps) > 0 {
		steps = append(steps, "scan again once the gaps above can be read")
	}
	if p.r.RunID == 0 {
		steps = append(steps, "store a scan (without --no-store), then sagekey report --format html -o report.html "+
			"shows every finding with its evidence and sagekey remediate plans the fixes")
		return strings.Join(steps, "; ") + "."
	}
	run := fmt.Sprintf(" --run %d", p.r.RunID)
	steps = append(steps, "sagekey report"+run+" --format html -o report.html shows every finding with its evidence")
	if c[finding.Fail]+c[finding.Error] > 0 {
		steps = append(steps, "sagekey remediate"+run+" plans the fixes")
	} else {
		steps = append(steps, "nothing to fix")
	}
	return strings.Join(steps, "; ") + "."
}
