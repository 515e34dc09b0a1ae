package report

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/term"
)

// fromCode reports whether the report is of infrastructure as code
// (sagekey iac): it names the files it read, or it has no account and its
// findings say where they are declared. The header and the next steps
// then speak of files, not of an estate.
func (r *Report) fromCode() bool {
	return len(r.Files) > 0 || (len(r.Accounts) == 0 && hasLocations(r.Findings))
}

// codeHeader is the header of a report of infrastructure as code.
func (p *tablePrinter) codeHeader() {
	r := p.r
	took := r.Finished.Sub(r.Started).Round(time.Millisecond)
	if len(r.Files) == 0 {
		p.para("", "  ", fmt.Sprintf("Checked infrastructure as code (%s).", took))
		return
	}
	files := make([]string, len(r.Files))
	for i, f := range r.Files {
		files[i] = OneLine(f)
	}
	p.para("", "  ", fmt.Sprintf("Checked %s: %s (%s).", plural(len(files), "file"), strings.Join(files, ", "), took))
}

// fileGroup is the located findings of one status in one file.
type fileGroup struct {
	file     string
	findings []finding.Finding
}

// groupByFile groups the located findings of one status by file, in path
// order, each in line and column order: the order a person fixing them
// reads the file in, and the one linters print. n counts them all.
func groupByFile(fs finding.List, status finding.Status) (groups []fileGroup, n int) {
	index := map[string]int{}
	for _, f := range fs.All() {
		if f.Status != status || f.Location == nil {
			continue
		}
		n++
		i, ok := index[f.Location.File]
		if !ok {
			i = len(groups)
			index[f.Location.File] = i
			groups = append(groups, fileGroup{file: f.Location.File})
		}
		groups[i].findings = append(groups[i].findings, f)
	}
	slices.SortFunc(groups, func(a, b fileGroup) int { return strings.Compare(a.file, b.file) })
	for _, g := range groups {
		slices.SortStableFunc(g.findings, func(a, b finding.Finding) int {
			return cmp.Or(cmp.Compare(a.Location.StartLine, b.Location.StartLine),
				cmp.Compare(a.Location.StartColumn, b.Location.StartColumn))
		})
	}
	return groups, n
}

// sectionNote is what a section's title says after its count: a section
// with located findings lists them by file, so FAIL's "worst first" holds
// only for the findings that have no location.
func sectionNote(s tableSection, located, unlocated int) string {
	if s.status != finding.Fail || located == 0 {
		return s.note
	}
	if unlocated == 0 {
		return ", by file and line"
	}
	return ", by file and line, then worst first"
}

// fileGroups writes the located findings of a section under a heading per
// file.
func (p *tablePrinter) fileGroups(groups []fileGroup, codes []term.Code) {
	for _, g := range groups {
		p.blank()
		p.para("", "  ", fmt.Sprintf("%s (%d)", OneLine(g.file), len(g.findings)), term.Bold)
		for _, f := range g.findings {
			p.locatedFinding(f, codes)
		}
	}
}

// locatedFinding writes a finding from code: status, line:column (the
// heading names the file), severity (no severity heading says it), check
// and address, then the same details as a live finding and the fix.
func (p *tablePrinter) locatedFinding(f finding.Finding, codes []term.Code) {
	status := string(f.Status)
	head := strings.Join([]string{status, position(f.Location.StartLine, f.Location.StartColumn),
		f.Severity.String(), f.CheckID, locatedSubject(f)}, "  ")
	p.emit("  ", p.wrap("  ", "    ", head), status, codes...)
	p.details(f)
	if x := f.Fix; x != nil {
		const indent, hang = "    ", "  "
		p.para(indent, hang, fmt.Sprintf("fix at %s:%s: %s", OneLine(x.File), position(x.Line, x.Column),
			OneLine(x.Description)))
		for _, l := range fixLines(x.Text) {
			p.para(indent+"  ", "    ", "+ "+l, term.Green)
		}
	}
}

// codeNext is what to do after checking code: there is no stored run to
// report on or plan from, only lines to change before deploying.
func codeNext(c map[finding.Status]int, gaps bool) string {
	var steps []string
	if gaps {
		steps = append(steps, "make the gaps above readable")
	}
	if c[finding.Fail]+c[finding.Error] > 0 {
		steps = append(steps, "change the lines above (a fix shows the attribute to add) and run sagekey iac again before deploying")
	} else {
		steps = append(steps, "nothing to fix before deploying")
	}
	return strings.Join(steps, "; ") + "."
}
