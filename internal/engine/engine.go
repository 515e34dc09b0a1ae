// Package engine is the pure evaluation stage: inventory + resolved keys +
// settings in, findings out. It selects rules, builds each key's blast
// radius, applies severity overrides and suppressions, and orders the
// result. It does no I/O and needs no context, so it is tested with literals.
package engine

import (
	"sort"
	"time"

	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/inventory"
	"github.com/sagekey/sagekey/internal/keys"
	"github.com/sagekey/sagekey/internal/rules"
)

// Settings is what the user configured.
type Settings struct {
	// Checks selects rules by id or glob ("kms-key.*"); empty means all.
	Checks []string
	// SkipChecks removes rules by id or glob, after Checks.
	SkipChecks        []string
	RequiredTags      []string
	OwnerTag          string
	ApprovedKeys      []string
	SeverityOverrides map[string]finding.Severity
	Suppressions      []Suppression
	// Now decides whether suppressions have expired.
	Now time.Time
	// KeyDenials counts CloudTrail KMS access denials per
	// rules.DenialKey(role, key ARN) over DenialWindow ("last 30 days"),
	// when trail data is stored; key-access messages quote them.
	KeyDenials   map[string]int
	DenialWindow string
}

// Evaluate runs the selected rules over the inventory and returns every
// finding, in reading order, in a slice: for callers that judge small
// inventories (IaC, stored snapshots, tests). A scan uses Judge.
func Evaluate(inv inventory.Inventory, ks *keys.Set, s Settings) []finding.Finding {
	l := Judge(inv, ks, s)
	if l.Len() == 0 {
		return nil
	}
	return l.Collect()
}

// findingCount is how many findings Evaluate makes: one per rule and
// resource of its kind, or per rule and key. Sized once, the findings of
// a large estate are not copied as the slice grows.
func findingCount(selected []rules.Rule, inv inventory.Inventory, uses []rules.KeyUse) int {
	perKind := map[string]int{}
	for _, r := range inv.Resources {
		perKind[r.Kind]++
	}
	n := 0
	for _, r := range selected {
		if r.CheckResource != nil {
			n += perKind[r.Kind]
		} else {
			n += len(uses)
		}
	}
	return n
}

// keyUses groups resources by the customer key their slots name. AWS-managed
// keys are left out: AWS manages their state, rotation and policy, and the
// cmk rules already fail their use.
func keyUses(inv inventory.Inventory, ks *keys.Set) []rules.KeyUse {
	byARN := map[string]*rules.KeyUse{}
	for i, r := range inv.Resources {
		seen := map[string]bool{}
		for _, s := range r.Slots {
			if s.KeyRef == "" {
				continue
			}
			ref := keys.ParseRef(s.KeyRef, r.Account, r.Region)
			if ref.AWSManagedAlias() {
				continue
			}
			k, ok := ks.Get(ref.Canonical())
			if !ok || k.Manager == keys.ManagerAWS || seen[k.ARN] {
				continue
			}
			seen[k.ARN] = true
			u := byARN[k.ARN]
			if u == nil {
				u = &rules.KeyUse{Key: k}
				byARN[k.ARN] = u
			}
			u.Protected = append(u.Protected, &inv.Resources[i])
		}
	}
	out := make([]rules.KeyUse, 0, len(byARN))
	for _, u := range byARN {
		out = append(out, *u)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key.ARN < out[j].Key.ARN })
	return out
}

// Sort orders findings for reading: failures first, most severe first, then
// by check and resource so output is stable.
func Sort(fs []finding.Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.Status.Rank() != b.Status.Rank() {
			return a.Status.Rank() < b.Status.Rank()
		}
		if a.Severity != b.Severity {
			return a.Severity > b.Severity
		}
		if a.CheckID != b.CheckID {
			return a.CheckID < b.CheckID
		}
		return a.Resource.ARN < b.Resource.ARN
	})
}
