package report

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/sagekey/sagekey/internal/compliance"
	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/term"
)

// compliance writes the headline and the summary per kind, by the same
// definition (kindCompliance) as the HTML report and the KPIs, then the
// count of findings by status.
func (p *tablePrinter) compliance() {
	overall, kinds := kindCompliance(p.r.Findings)
	p.blank()
	lead := percentText(overall.Percent) + " compliant"
	text := lead + ": no resource with a key slot was judged."
	if judged := overall.Pass + overall.Fail; judged > 0 {
		text = fmt.Sprintf("%s: %d of %d judged resources use a healthy customer-managed key on every slot that applies.",
			lead, overall.Pass, judged)
	}
	for _, extra := range []struct {
		n    int
		what string
	}{
		{overall.Error, "could not be verified (ERROR: not compliant)"},
		{overall.Muted, "muted (accepted risk)"},
		{overall.NotApplicable, "not applicable (no key slot applies)"},
	} {
		if extra.n > 0 {
			text += fmt.Sprintf(" %d %s.", extra.n, extra.what)
		}
	}
	p.emit("", p.wrap("", "  ", text), lead, term.Bold)
	if len(kinds) > 0 {
		p.blank()
		p.kindTable(kinds, overall.Muted > 0)
	}
	c := p.r.Counts()
	p.blank()
	p.para("", "  ", fmt.Sprintf("%d findings: %d FAIL, %d ERROR, %d MUTED, %d PASS, %d NOT_APPLICABLE.", p.r.Findings.Len(),
		c[finding.Fail], c[finding.Error], c[finding.Muted], c[finding.Pass], c[finding.NotApplicable]))
}

// kindTable writes one row per kind with aligned columns, or, when the
// rows would not fit the width, one wrapped sentence per kind. The MUTED
// column appears only when something is muted, so the counts of a row
// always add up to its resources.
func (p *tablePrinter) kindTable(kinds []compliance.Tally, withMuted bool) {
	head := []string{"KIND", "RESOURCES", "PASS", "FAIL", "ERROR", "MUTED", "N/A", "COMPLIANT"}
	rows := [][]string{head}
	for _, k := range kinds {
		rows = append(rows, []string{OneLine(k.Group), strconv.Itoa(k.Total()), strconv.Itoa(k.Pass), strconv.Itoa(k.Fail),
			strconv.Itoa(k.Error), strconv.Itoa(k.Muted), strconv.Itoa(k.NotApplicable), percentText(k.Percent)})
	}
	if !withMuted {
		for i, row := range rows {
			rows[i] = append(row[:5:5], row[6:]...)
		}
	}
	widths := make([]int, len(rows[0]))
	for _, row := range rows {
		for i, cell := range row {
			widths[i] = max(widths[i], utf8.RuneCountInString(cell))
		}
	}
	total := 2 * (len(widths) - 1)
	for _, w := range widths {
		total += w
	}
	if p.t.Width > 0 && total > p.t.Width {
		for _, k := range kinds {
			p.para("", "  ", fmt.Sprintf("%s: %s compliant; %d resources: %d pass, %d fail, %d error, %d muted, %d n/a.",
				OneLine(k.Group), percentText(k.Percent), k.Total(), k.Pass, k.Fail, k.Error, k.Muted, k.NotApplicable))
		}
		return
	}
	for i, row := range rows {
		cells := make([]string, len(row))
		for j, cell := range row {
			pad := strings.Repeat(" ", widths[j]-utf8.RuneCountInString(cell))
			if j == 0 {
				cells[j] = cell + pad // names read from the left, figures from the right
			} else {
				cells[j] = pad + cell
			}
		}
		line := strings.Join(cells, "  ")
		if i == 0 {
			line = p.t.Paint(line, term.Bold)
		}
		p.w.WriteString(line + "\n")
	}
}
