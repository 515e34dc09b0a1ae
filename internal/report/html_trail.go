package report

import (
	"fmt"
	"strings"
	"time"

	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/trail"
)

// CreatorView is who created a failing resource, as the HTML report says
// it under the finding.
type CreatorView struct {
	Who, Tool, Date, SourceIP  string
	Action, EventID, UserAgent string
}

func newCreatorView(c trail.Creator) *CreatorView {
	v := &CreatorView{Who: trail.Who(c.Principal, c.Identity), Tool: trail.ToolText(c.Tool), SourceIP: c.SourceIP,
		Action: c.Action, EventID: c.EventID, UserAgent: c.UserAgent}
	if !c.Time.IsZero() {
		v.Date = c.Time.UTC().Format(time.DateOnly)
	}
	return v
}

// trailView is the CloudTrail section: the window read, the two monthly
// KPIs (chart and table), and the key lifecycle events with their blast
// radius. Nil when the report carries no trail data.
type trailView struct {
	Window      string
	CoveredDays int
	// Failing counts the resources of FAIL and MUTED findings (keys
	// aside: the trail records creators of SageMaker resources); Known
	// those whose creator the trail has.
	Failing, Known int
	Denials        *BarChart
	Blocked        *BarChart
	Months         []trailMonthRow
	Events         []keyEventRow
}

type trailMonthRow struct {
	Month                       string
	Denials, Unauthorized       int64
	Blocked, ByGuardrail, Other int64
}

// keyEventRow is one key lifecycle event and what the key protects.
type keyEventRow struct {
	Time, Action, KeyARN, Who, Tool, SourceIP, Detail, EventID string
	Protects                                                   []finding.Resource
}

// Colours of the CloudTrail charts: the part that calls for action is the
// report's FAIL red (unauthorized attempts) or PASS green (violations the
// guardrails stopped); the rest is neutral.
const (
	fillUnauthorized = "#b42318"
	fillOtherDenials = "#fda29b"
	fillGuardrail    = "#067647"
	fillOtherBlocked = "#98a2b3"
)

func newTrailView(r *Report) *trailView {
	t := r.Trail
	if t == nil {
		return nil
	}
	v := &trailView{CoveredDays: t.CoveredDays}
	if !t.From.IsZero() || !t.To.IsZero() {
		v.Window = t.From.UTC().Format(time.DateOnly) + " to " + t.To.UTC().Format(time.DateOnly)
	}
	seen := map[string]bool{}
	for _, f := range r.Findings.All() {
		if (f.Status != finding.Fail && f.Status != finding.Muted) || isKeyFinding(f) || f.Resource.ARN == "" ||
			seen[strings.ToLower(f.Resource.ARN)] {
			continue
		}
		seen[strings.ToLower(f.Resource.ARN)] = true
		v.Failing++
		if _, ok := r.CreatorOf(f); ok {
			v.Known++
		}
	}
	var denials, blocked []BarPoint
	for _, m := range t.Months {
		month := m.Month.UTC().Format("2006-01")
		row := trailMonthRow{Month: month, Denials: m.Denials, Unauthorized: m.Unauthorized,
			Blocked: m.Blocked, ByGuardrail: m.ByGuardrail, Other: max(m.Blocked-m.ByGuardrail, 0)}
		v.Months = append(v.Months, row)
		denials = append(denials, BarPoint{Label: month, Part: m.Unauthorized, Total: m.Denials,
			Title: fmt.Sprintf("%s: %d KMS access denials, %d unauthorized", month, m.Denials, m.Unauthorized)})
		blocked = append(blocked, BarPoint{Label: month, Part: m.ByGuardrail, Total: m.Blocked,
			Title: fmt.Sprintf("%s: %d violations blocked, %d by guardrails, %d by other denies", month, m.Blocked, m.ByGuardrail, row.Other)})
	}
	v.Denials = newBarChart(denials, BarSeries{Label: "KMS access denials per month", PartFill: fillUnauthorized, RestFill: fillOtherDenials,
		PartLabel: "unauthorized (not in the key policy)", RestLabel: "other denials"})
	v.Blocked = newBarChart(blocked, BarSeries{Label: "Violations blocked per month", PartFill: fillGuardrail, RestFill: fillOtherBlocked,
		PartLabel: "blocked by guardrails", RestLabel: "blocked by other denies"})
	for _, e := range t.KeyEvents {
		row := keyEventRow{Action: e.Action, KeyARN: e.KeyARN, Who: trail.Who(e.Principal, e.Identity),
			Tool: trail.ToolText(e.Tool), SourceIP: e.SourceIP, Detail: e.Detail, EventID: e.EventID, Protects: e.Protects}
		if !e.Time.IsZero() {
			row.Time = e.Time.UTC().Format("2006-01-02 15:04")
		}
		v.Events = append(v.Events, row)
	}
	return v
}
