package detect

import (
	"fmt"

	"github.com/sagekey/sagekey/internal/compliance"
	"github.com/sagekey/sagekey/internal/finding"
)

// percentCompliant is the HTML report's headline for one scan: the
// <kind>.cmk verdicts tallied by package compliance. nil when nothing
// passed or failed.
func percentCompliant(fs []finding.Finding) *float64 {
	t := compliance.Tally{Group: "all"}
	for _, f := range fs {
		if compliance.IsCMKCheck(f.CheckID) {
			t.Add(f.Status)
		}
	}
	t.Finish()
	return t.Percent
}

// complianceDrop fires only on the crossing, so an estate that stays below
// the threshold is reported once, not on every scan. A scan with no
// verdicts has no percent and crosses nothing.
func complianceDrop(prev, cur Input, threshold float64) (Event, bool) {
	before, after := percentCompliant(prev.Findings), percentCompliant(cur.Findings)
	if before == nil || after == nil || *before < threshold || *after >= threshold {
		return Event{}, false
	}
	e := Event{
		Kind: ComplianceDropped, Severity: ComplianceDroppedSeverity, At: cur.At, RunID: cur.RunID,
		Before: *before, After: *after,
		Message: fmt.Sprintf("percent compliant fell below %.2f%%: %.2f%% → %.2f%%", threshold, *before, *after),
	}
	e.Key = eventKey(ComplianceDropped, cur.RunID, "compliance")
	return e, true
}
