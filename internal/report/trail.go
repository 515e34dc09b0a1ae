package report

import (
	"strings"
	"time"

	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/trail"
)

// TrailFacts is what CloudTrail says about a report's estate, when trail
// aggregates are stored (sagekey trail). Writers show the creator of each
// failing finding, and the HTML report a CloudTrail section.
type TrailFacts struct {
	// From and To are the window the figures cover.
	From, To time.Time
	// CoveredDays counts the (account, region, day) cells of the window
	// whose trail was read; zero means no trail data covers it.
	CoveredDays int
	// Creators maps a lower-case resource ARN to its create event.
	Creators map[string]trail.Creator
	// KeyEvents are lifecycle events on keys that protect the estate,
	// newest first, each with the resources the key protects.
	KeyEvents []KeyEventImpact
	// Months are the KMS access denials and blocked violations per
	// calendar month, oldest first.
	Months []TrailMonth
}

// KeyEventImpact is a key lifecycle event with its blast radius.
type KeyEventImpact struct {
	trail.KeyEvent
	Protects []finding.Resource
}

// TrailMonth is one calendar month of the two CloudTrail KPIs.
type TrailMonth struct {
	Month time.Time
	// Denials are KMS access denials on keys that protect SageMaker data;
	// Unauthorized those by principals the key policy does not name.
	Denials, Unauthorized int64
	// Blocked are SageMaker create/update requests an explicit deny
	// refused; ByGuardrail those refused by sagekey's guardrails.
	Blocked, ByGuardrail int64
}

// CreatorOf returns the create event of f's resource, when the trail has
// it.
func (r *Report) CreatorOf(f finding.Finding) (trail.Creator, bool) {
	if r.Trail == nil || f.Resource.ARN == "" {
		return trail.Creator{}, false
	}
	c, ok := r.Trail.Creators[strings.ToLower(f.Resource.ARN)]
	return c, ok
}

// creatorShown returns the create event the formats show on f. Only a
// failing finding (or a muted one: a failure someone accepted) names its
// creator, since that is whom to ask about the fix; a passing or
// unverified resource needs nobody asked.
func (r *Report) creatorShown(f finding.Finding) (trail.Creator, bool) {
	if f.Status != finding.Fail && f.Status != finding.Muted {
		return trail.Creator{}, false
	}
	return r.CreatorOf(f)
}

// createdLine is the one-line account of a create event that the table and
// JUnit outputs print: who, with what, when and from where.
func createdLine(c trail.Creator) string {
	s := trail.Who(c.Principal, c.Identity) + " with " + trail.ToolText(c.Tool)
	if !c.Time.IsZero() {
		s += " on " + c.Time.UTC().Format(time.DateOnly)
	}
	if c.SourceIP != "" {
		s += " from " + c.SourceIP
	}
	return s
}

// stamp is t in RFC 3339, UTC; empty for the zero time, which says "not
// known" rather than the year 1.
func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// jsonCreator is a create event as the JSON report (created_by) and the
// OCSF unmapped object carry it.
type jsonCreator struct {
	Principal string `json:"principal"`
	Identity  string `json:"identity"`
	Time      string `json:"time"`
	Tool      string `json:"tool"`
	SourceIP  string `json:"source_ip"`
	UserAgent string `json:"user_agent"`
	EventID   string `json:"event_id"`
	Action    string `json:"action"`
}

func newJSONCreator(c trail.Creator) *jsonCreator {
	return &jsonCreator{Principal: c.Principal, Identity: c.Identity, Time: stamp(c.Time),
		Tool: c.Tool, SourceIP: c.SourceIP, UserAgent: c.UserAgent, EventID: c.EventID, Action: c.Action}
}
