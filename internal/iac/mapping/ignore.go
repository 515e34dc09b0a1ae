package mapping

import (
	"strings"
	"time"

	"github.com/sagekey/sagekey/internal/engine"
	"github.com/sagekey/sagekey/internal/iac/model"
)

// ignores turns a resource's inline sagekey:ignore comments into
// suppressions of that resource alone, with the rules of sagekey.yaml: a
// reason and an expiry date are required. An ignore that breaks them is
// not applied but reported as a gap, so a typo never hides a finding
// silently and never mutes it for ever.
func (m *mapper) ignores(r *model.Resource, arn string) {
	for _, ig := range r.Ignores {
		problem := ig.Problem
		var expires time.Time
		switch {
		case problem != "":
		case ig.Check == "":
			problem = "names no check"
		case strings.TrimSpace(ig.Reason) == "":
			problem = "has no reason (reason=\"...\" is required)"
		case ig.Expires == "":
			problem = "has no expiry (expires=YYYY-MM-DD is required)"
		default:
			t, err := parseDate(ig.Expires)
			if err != nil {
				problem = "expires " + ig.Expires + " is not a YYYY-MM-DD date"
			}
			expires = t
		}
		if problem != "" {
			rng := ig.Range
			m.gap(rng.File, &rng, "sagekey:ignore "+ig.Check+" on "+r.Address+" "+problem+"; not applied")
			continue
		}
		// Resource is a glob: the ARN matches itself exactly unless a
		// for_each key in the address holds a "*".
		m.out.Suppressions = append(m.out.Suppressions, engine.Suppression{Check: ig.Check, Resource: arn,
			Reason: ig.Reason, Expires: expires})
	}
}

// parseDate reads an expiry as sagekey.yaml does: YYYY-MM-DD or RFC 3339.
func parseDate(v string) (time.Time, error) {
	if t, err := time.Parse("2006-01-02", v); err == nil {
		return t, nil
	}
	return time.Parse(time.RFC3339, v)
}
