package rules

import (
	"fmt"
	"sort"
	"strings"

	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/keys"
)

// KeyShared flags one key protecting resources of several owners.
func KeyShared() Rule {
	rule := Rule{
		ID: "kms-key.shared", Kind: KeyKind,
		Title:    "A KMS key protects the data of a single owner",
		Severity: finding.Medium,
		Rationale: "A key shared across teams cannot be disabled or deleted to crypto-shred one team's data " +
			"without hurting the others, and its key policy must grant every team's roles.",
		Remediation: "Give each owning team its own key; new resources take the new key, existing ones move to " +
			"it when they are recreated.",
		Examples: []Example{
			keyExample("one owner", finding.Pass, keys.Key{State: keys.StateEnabled}, "ml-platform", "ml-platform"),
			keyExample("two owners", finding.Fail, keys.Key{State: keys.StateEnabled}, "ml-platform", "fraud-team"),
		},
	}
	meta := rule
	rule.CheckKey = func(c *Context, u KeyUse) finding.Finding {
		f := meta.keyFinding(u)
		owners := map[string]bool{}
		untagged := 0
		for _, p := range u.Protected {
			if o := strings.TrimSpace(p.Tags[c.OwnerTag]); o != "" {
				owners[o] = true
			} else {
				untagged++
			}
		}
		names := make([]string, 0, len(owners))
		for o := range owners {
			names = append(names, o)
		}
		sort.Strings(names)
		note := ""
		if untagged > 0 {
			note = fmt.Sprintf(" (%d protected resources have no %s tag)", untagged, c.OwnerTag)
		}
		// Sharing is only claimed absent when every protected resource says
		// who owns it; untagged resources are failed by the <kind>.tags rules.
		switch {
		case len(names) == 0:
			f.Status, f.Message = finding.NotApplicable, "ownership unknown"+note
		case len(names) == 1 && untagged > 0:
			f.Status, f.Message = finding.NotApplicable, "one known owner ("+names[0]+") but ownership incomplete"+note
		case len(names) == 1:
			f.Status, f.Message = finding.Pass, "protects resources of one owner: "+names[0]
		default:
			f.Status = finding.Fail
			f.Message = fmt.Sprintf("protects resources of %d owners: %s%s", len(names), strings.Join(names, ", "), note)
		}
		return f
	}
	return rule
}
