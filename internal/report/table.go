package report

import (
	"bufio"
	"fmt"
	"io"
	"maps"
	"strings"
	"time"
	"unicode"

	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/term"
)

// TableOptions say what the table lists and how it is drawn.
type TableOptions struct {
	// Show adds a section for each of these statuses (PASS,
	// NOT_APPLICABLE, MUTED). FAIL and ERROR are always listed: they are
	// what a person runs the scan for.
	Show map[finding.Status]bool
	// Term is how to draw: colour, and the width to wrap at. The zero
	// value (no colour, no wrapping) suits files and pipes.
	Term term.Options
}

// WriteTable writes the default table (FAIL and ERROR listed, no colour,
// no wrapping): the registry's "table", for callers without a terminal.
func WriteTable(w io.Writer, r *Report) error { return TableWriter(TableOptions{})(w, r) }

// TableWriter returns a writer of the table for a person: a short header,
// percent compliant with a summary per kind, the FAIL and ERROR findings
// grouped by severity (worst first) and kind, the sections o.Show asks for,
// then the gaps and what to do next. The machine formats carry every
// finding; this one leads with what needs attention.
func TableWriter(o TableOptions) Writer {
	o.Show = maps.Clone(o.Show) // the caller's map may change after this
	return func(w io.Writer, r *Report) error {
		p := &tablePrinter{w: bufio.NewWriter(w), t: o.Term, show: o.Show, r: r}
		p.header()
		p.compliance()
		p.findings()
		p.footer()
		return p.w.Flush() // bufio keeps the first write error
	}
}

// tablePrinter draws one report: every line goes through wrap, so a
// width, when set, holds for the whole table.
type tablePrinter struct {
	w    *bufio.Writer
	t    term.Options
	show map[finding.Status]bool
	r    *Report
}

func (p *tablePrinter) header() {
	r := p.r
	if r.fromCode() {
		p.codeHeader()
		return
	}
	p.para("", "  ", fmt.Sprintf("Scanned accounts %s, regions %s (%s).", OneLine(strings.Join(r.Accounts, ",")),
		OneLine(strings.Join(r.Regions, ",")), r.Finished.Sub(r.Started).Round(time.Millisecond)))
	if !r.Since.IsZero() {
		p.para("", "  ", fmt.Sprintf("Job history limited to jobs created since %s (--since).", r.Since.UTC().Format(time.RFC3339)))
	}
	if r.RunID != 0 {
		p.para("", "  ", fmt.Sprintf("Stored as run %d (see sagekey history, kpi, diff).", r.RunID))
	}
	var calls strings.Builder
	writeCallsLine(&calls, r)
	if s := strings.TrimSuffix(calls.String(), "\n"); s != "" {
		p.para("", "  ", s)
	}
}

// para writes text wrapped to the width: the first line after indent,
// the others after indent+hang.
func (p *tablePrinter) para(indent, hang, text string, codes ...term.Code) {
	p.emit(indent, p.wrap(indent, hang, text), "", codes...)
}

// wrap breaks text for a line that starts with indent.
func (p *tablePrinter) wrap(indent, hang, text string) []string {
	width := 0
	if p.t.Width > 0 {
		width = max(1, p.t.Width-len(indent))
	}
	return term.Wrap(text, width, hang)
}

// emit writes lines after indent, painting lead, the start of the first
// line (a status word, a figure), or every line when lead is empty.
// Painting after wrapping keeps escape codes out of the width.
func (p *tablePrinter) emit(indent string, lines []string, lead string, codes ...term.Code) {
	for i, l := range lines {
		switch {
		case lead == "":
			l = p.t.Paint(l, codes...)
		case i == 0 && strings.HasPrefix(l, lead):
			l = p.t.Paint(lead, codes...) + l[len(lead):]
		}
		p.w.WriteString(indent + l + "\n")
	}
}

func (p *tablePrinter) blank() { p.w.WriteString("\n") }

// OneLine keeps values that came from AWS (names, tags, messages) from
// breaking a line-oriented output with control characters, and a
// terminal from obeying them: C0, DEL and C1 (whose CSI starts an escape
// sequence) all become spaces.
func OneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
}
