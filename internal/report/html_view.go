package report

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/sagekey/sagekey/internal/compliance"
	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/rules"
)

// maxPassRows caps the evidence list of passing findings: a job history can
// hold hundreds of thousands, and the JSON, CSV and SARIF outputs carry
// them all. Failing, ERROR, MUTED and NOT_APPLICABLE findings are never
// capped.
const maxPassRows = 2000

// htmlView is everything the HTML template shows, computed here so the
// template only lays it out. Every string that came from AWS stays a plain
// string: html/template escapes it for the context it lands in.
type htmlView struct {
	Generated  string
	RunID      int64
	Accounts   string
	Regions    string
	Since      string
	Duration   string
	APICalls   int64
	Counts     map[string]int
	Total      int
	Overall    compliance.Tally
	Kinds      []compliance.Tally
	Chart      *TrendChart
	TrendRuns  int
	Failing    []severityGroup
	Keys       []KeyRow
	Exempt     []slotRow
	Errors     []FindingView
	Muted      []FindingView
	Passing    []FindingView
	PassHidden int
	Gaps       []GapRow
	// Trail is the CloudTrail section; nil when no trail data was read.
	Trail *trailView
}

type severityGroup struct {
	Severity string
	Count    int
	Kinds    []kindGroup
}

type kindGroup struct {
	Kind     string
	Findings []FindingView
}

// FindingView is one finding as the report prints it.
type FindingView struct {
	ID          string
	CheckID     string
	Title       string
	DocsURL     string
	Status      string
	Severity    string
	Kind        string
	Name        string
	ARN         string
	Account     string
	Region      string
	Message     string
	Remediation string
	Tags        []TagPair
	Slots       []finding.Slot
	Suppression *finding.Suppression
	Expires     string
	// FailingSince is when the stored history first saw this violation
	// open, with its age in days: how long the data has been exposed.
	FailingSince string
	// CreatedBy is who created the resource of a FAIL or MUTED finding,
	// when CloudTrail says: whom to ask about the fix.
	CreatedBy *CreatorView
}

type TagPair struct{ Key, Value string }

// slotRow is a slot that does not apply (NVMe instance storage, serverless):
// auditors ask why a resource has no key there.
type slotRow struct {
	Kind, Name, ARN, CheckID, Slot, Reason string
}

type GapRow struct {
	Account, Region, Service, Reason string
}

var severityOrder = []finding.Severity{finding.Critical, finding.High, finding.Medium, finding.Low, finding.Info}

// buildHTMLView derives the view from the report alone, so a report
// rendered from a stored scan reads exactly like the live one.
func buildHTMLView(r *Report) htmlView {
	v := htmlView{
		Generated: r.Finished.UTC().Format(time.RFC3339), RunID: r.RunID,
		Accounts: strings.Join(r.Accounts, ", "), Regions: strings.Join(r.Regions, ", "),
		Duration: r.Finished.Sub(r.Started).Round(time.Millisecond).String(),
		APICalls: r.Calls().Total, Counts: map[string]int{}, Total: r.Findings.Len(),
	}
	for s, n := range r.Counts() {
		v.Counts[string(s)] = n
	}
	if !r.Since.IsZero() {
		v.Since = r.Since.UTC().Format(time.RFC3339)
	}
	v.Overall, v.Kinds = kindCompliance(r.Findings)
	v.Chart, v.TrendRuns = newTrendChart(r.Trend), len(r.Trend)
	v.Failing = failingGroups(r)
	v.Keys = keyRows(r.Findings)
	v.Trail = newTrailView(r)
	for _, f := range r.Findings.All() {
		switch f.Status {
		case finding.Error:
			v.Errors = append(v.Errors, r.viewOf(f))
		case finding.Muted:
			v.Muted = append(v.Muted, r.viewOf(f))
		case finding.Pass:
			if len(v.Passing) < maxPassRows {
				v.Passing = append(v.Passing, r.viewOf(f))
			} else {
				v.PassHidden++
			}
		}
		v.Exempt = append(v.Exempt, exemptSlots(f)...)
	}
	for _, g := range r.Gaps {
		v.Gaps = append(v.Gaps, GapRow{g.Account, g.Region, g.Service, g.Reason})
	}
	return v
}

// kindCompliance is the headline: percent compliant overall and per kind,
// by the definition every sagekey view shares.
func kindCompliance(fs finding.List) (compliance.Tally, []compliance.Tally) {
	overall := compliance.Tally{Group: "all"}
	byKind := compliance.Groups{}
	for _, f := range fs.All() {
		if compliance.IsCMKCheck(f.CheckID) {
			overall.Add(f.Status)
			byKind.Add(f.Resource.Kind, f.Status)
		}
	}
	overall.Finish()
	return overall, byKind.Finished()
}

// failingGroups groups FAIL findings by severity (worst first), then kind.
func failingGroups(r *Report) []severityGroup {
	var out []severityGroup
	for _, sev := range severityOrder {
		byKind := map[string][]FindingView{}
		n := 0
		for _, f := range r.Findings.All() {
			if f.Status == finding.Fail && f.Severity == sev {
				byKind[f.Resource.Kind] = append(byKind[f.Resource.Kind], r.viewOf(f))
				n++
			}
		}
		if n == 0 {
			continue
		}
		g := severityGroup{Severity: sev.String(), Count: n}
		for _, kind := range slices.Sorted(maps.Keys(byKind)) {
			g.Kinds = append(g.Kinds, kindGroup{Kind: kind, Findings: byKind[kind]})
		}
		out = append(out, g)
	}
	return out
}

func (r *Report) viewOf(f finding.Finding) FindingView {
	info, _ := CheckInfo(f.CheckID)
	remediation := f.Remediation
	if remediation == "" {
		remediation = info.Remediation
	}
	v := FindingView{
		ID: FindingID(f), CheckID: f.CheckID, Title: info.Title, DocsURL: DocsURL(f.CheckID),
		Status: string(f.Status), Severity: f.Severity.String(),
		Kind: f.Resource.Kind, Name: f.Resource.Name, ARN: f.Resource.ARN,
		Account: f.Resource.Account, Region: f.Resource.Region,
		Message: f.Message, Remediation: remediation, Tags: tagPairs(f.Resource.Tags),
		Slots: f.Slots, Suppression: f.Suppression,
	}
	if since := r.historyOf(f).FailingSince; !since.IsZero() && f.Status == finding.Fail {
		v.FailingSince = fmt.Sprintf("%s (%d days)", since.UTC().Format("2006-01-02"), int(r.Finished.Sub(since).Hours()/24))
	}
	if f.Suppression != nil && !f.Suppression.Expires.IsZero() {
		v.Expires = f.Suppression.Expires.UTC().Format("2006-01-02")
	}
	if c, ok := r.creatorShown(f); ok {
		v.CreatedBy = newCreatorView(c)
	}
	return v
}

func exemptSlots(f finding.Finding) []slotRow {
	var out []slotRow
	if f.Status == finding.NotApplicable && len(f.Slots) == 0 {
		out = append(out, slotRow{f.Resource.Kind, f.Resource.Name, f.Resource.ARN, f.CheckID, "", f.Message})
	}
	for _, s := range f.Slots {
		if s.Status == finding.NotApplicable {
			out = append(out, slotRow{f.Resource.Kind, f.Resource.Name, f.Resource.ARN, f.CheckID, s.Name, s.Reason})
		}
	}
	return out
}

func tagPairs(tags map[string]string) []TagPair {
	out := make([]TagPair, 0, len(tags))
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		out = append(out, TagPair{k, tags[k]})
	}
	return out
}

// isKeyFinding tells key checks (kms-key.*) from resource checks.
func isKeyFinding(f finding.Finding) bool { return f.Resource.Kind == rules.KeyKind }
