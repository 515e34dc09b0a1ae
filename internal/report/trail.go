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
