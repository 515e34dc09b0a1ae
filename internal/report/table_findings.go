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

// tableSection is the part of the table that lists one status.
type tableSection struct {
	status finding.Status
	note   string // what the status means, after the count
	codes  []term.Code
}

// tableSections are the table's sections in the order they are written:
// what needs attention first. Colour always comes with the status word.
func tableSections() []tableSection {
	return []tableSection{
		{finding.Fail, ", worst first", []term.Code{term.Red, term.Bold}},
		{finding.Error, " could not be verified, so not compliant", []term.Code{term.Yellow, term.Bold}},
		{finding.Muted, " with an accepted risk", []term.Code{term.Dim}},
		{finding.NotApplicable, " where no key slot applies", []term.Code{term.Cyan}},
		{finding.Pass, "", []term.Code{term.Green}},
	}
}

// listed reports whether the table lists status: FAIL and ERROR always,
// the others when asked (--show).
func (p *tablePrinter) listed(status finding.Status) bool {
	return status == finding.Fail || status == finding.Error || p.show[status]
}

func (p *tablePrinter) findings() {
	for _, s := range tableSections() {
		if !p.listed(s.status) {
			continue
		}
		files, located := groupByFile(p.r.Findings, s.status)
		groups, n := groupBySeverityKind(p.r.Findings, s.status)
		p.blank()
		title := fmt.Sprintf("%s: none.", s.status)
		if located+n > 0 {
			title = fmt.Sprintf("%s: %s%s.", s.status, plural(located+n, "finding"), sectionNote(s, located, n))
		}
		p.emit("", p.wrap("", "  ", title), string(s.status), s.codes...)
		p.fileGroups(files, s.codes)
		for _, g := range groups {
			p.blank()
			p.para("", "  ", fmt.Sprintf("%s / %s (%d)", g.severity, OneLine(g.kind), len(g.findings)), term.Bold)
			for _, f := range g.findings {
				p.finding(f, s.codes)
			}
		}
	}
}

// finding writes one finding: what, where, why, and whom to ask.
func (p *tablePrinter) finding(f finding.Finding, codes []term.Code) {
	status := string(f.Status)
	head := strings.Join([]string{status, f.CheckID, OneLine(f.Resource.Kind + "/" + f.Resource.Name), p.where(f)}, "  ")
	p.emit("  ", p.wrap("  ", "    ", strings.TrimSpace(head)), status, codes...)
	p.details(f)
}

// details writes the lines under a finding's first: its message, and the
// suppression, creator and age when there are any.
func (p *tablePrinter) details(f finding.Finding) {
	const indent, hang = "    ", "  "
	p.para(indent, hang, OneLine(f.Message))
	if s := f.Suppression; s != nil {
		p.para(indent, hang, OneLine(suppressionText(s)))
	}
	if c, ok := p.r.creatorShown(f); ok {
		p.para(indent, hang, "created by "+OneLine(createdLine(c)))
	}
	// Only a violation an earlier scan saw has an age worth reading; one
	// opened by this scan would say "0 days" on every line of a first scan.
	// The store keeps milliseconds, so this scan's own start reads back
	// truncated.
	if since := p.r.historyOf(f).FailingSince; !since.IsZero() && since.Before(p.r.Started.Truncate(time.Millisecond)) {
		p.para(indent, hang, fmt.Sprintf("failing since %s (%d days)", since.UTC().Format(time.DateOnly),
			int(p.r.Finished.Sub(since).Hours()/24)))
	}
}

// where is a finding's region, with its account when the scan covered
// several: a region alone would not say which estate to look in.
func (p *tablePrinter) where(f finding.Finding) string {
	if len(p.r.Accounts) > 1 && f.Resource.Account != "" {
		return OneLine(f.Resource.Region + " (account " + f.Resource.Account + ")")
	}
	return OneLine(f.Resource.Region)
}

func suppressionText(s *finding.Suppression) string {
	if s.Expired {
		return "suppression expired: " + s.Reason
	}
	if !s.Expires.IsZero() {
		return "muted until " + s.Expires.UTC().Format(time.DateOnly) + ": " + s.Reason
	}
	return "muted: " + s.Reason
}

// findingGroup is the findings of one severity and kind.
type findingGroup struct {
	severity finding.Severity
	kind     string
	findings []finding.Finding
}

// groupBySeverityKind groups the findings of one status by severity,
// worst first, then kind, as the HTML report's failingGroups does; within
// a group the report's order stands. n counts them all. Located findings
// are left to groupByFile.
func groupBySeverityKind(fs finding.List, status finding.Status) (groups []findingGroup, n int) {
	index := map[finding.Severity]map[string]int{}
	for _, f := range fs.All() {
		if f.Status != status || f.Location != nil {
			continue
		}
		n++
		kinds := index[f.Severity]
		if kinds == nil {
			kinds = map[string]int{}
			index[f.Severity] = kinds
		}
		i, ok := kinds[f.Resource.Kind]
		if !ok {
			i = len(groups)
			kinds[f.Resource.Kind] = i
			groups = append(groups, findingGroup{severity: f.Severity, kind: f.Resource.Kind})
		}
		groups[i].findings = append(groups[i].findings, f)
	}
	slices.SortFunc(groups, func(a, b findingGroup) int {
		return cmp.Or(cmp.Compare(b.severity, a.severity), strings.Compare(a.kind, b.kind))
	})
	return groups, n
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
