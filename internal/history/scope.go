package history

import (
	"slices"
	"strings"
	"time"

	"github.com/sagekey/sagekey/internal/catalog"
)

// Scope is what one scan could see. A finding that a later scan does not
// report is resolved as deleted only when that scan covered it; anything
// else (another account or region, a check that was not run, a job older
// than the --since window, a listing that failed) leaves it as it was.
type Scope struct {
	Accounts []string `json:"accounts"`
	Regions  []string `json:"regions"`
	// Checks are the ids of the checks evaluated.
	Checks []string `json:"checks"`
	// Since is the start of the job-history window: jobs created earlier
	// were not listed. Zero means all history.
	Since time.Time `json:"since,omitzero"`
	// Complete lists, per account and region, the kinds whose listing
	// finished without a gap. Only these prove that a resource is gone.
	Complete []Coverage `json:"complete"`
	// Targeted marks a run that judged part of what a scan judges, so it
	// is not a scan of the estate:
	//   - an event-driven check covers exactly the resources in Resources
	//     (by ARN, compared without case, as SageMaker compares names),
	//     never a key, whose findings depend on every resource using it;
	//     its Complete is empty;
	//   - a sweep's key judgement covers the keys of the units its
	//     Complete lists with the key kind, judged on every shard's
	//     resources at once; its Resources are empty.
	Targeted bool `json:"targeted,omitempty"`
	// Deferred are checks the run evaluated but left to a later run to
	// store, so this run covers none of their findings: a shard's key
	// checks, judged once every shard of its sweep is stored. A sweep read
	// as one scan runs them again.
	Deferred []string `json:"deferred,omitempty"`
	// Sweep names the sweep whose keys a targeted run judged (see
	// Targeted), "" for every other run.
	Sweep string `json:"sweep,omitempty"`
	// Resources are the ARNs a targeted check read completely: each was
	// described (or found deleted) without a gap.
	Resources []string `json:"resources,omitempty"`
}

// Coverage is the kinds listed completely in one account and region.
type Coverage struct {
	Account string   `json:"account"`
	Region  string   `json:"region"`
	Kinds   []string `json:"kinds"`
}

// keyKind is the catalog kind of a KMS key finding (rules.KeyKind; history
// cannot import rules, which imports history). A targeted check never
// covers it: a key's findings depend on every resource that uses the key.
const keyKind = "kms-key"

// Covers reports whether the scan would have reported s had it still
// existed, so its absence proves it is gone. A targeted check covers a
// subject of one of its Resources (by ARN, ignoring case) for a check it
// ran, and never a key.
func (sc Scope) Covers(s Subject) bool {
	if !slices.Contains(sc.Checks, s.CheckID) {
		return false
	}
	if sc.Targeted {
		return sc.names(s) || sc.keyUnit(s)
	}
	if !sc.Since.IsZero() && isJob(s.Kind) && (s.ResourceCreated.IsZero() || s.ResourceCreated.Before(sc.Since)) {
		return false
	}
	for _, c := range sc.Complete {
		if c.Account == s.Account && c.Region == s.Region {
			return slices.Contains(c.Kinds, s.Kind)
		}
	}
	return false
}

// InScope reports whether s lies in the scan's accounts and regions at all,
// whether or not its listing completed. For a targeted check it is whether
// s is about one of its Resources (never a key): the accounts and regions
// of a targeted check say where its resources are, not that it looked at
// everything there.
func (sc Scope) InScope(s Subject) bool {
	if sc.Targeted {
		return sc.names(s) || sc.keyUnit(s)
	}
	return slices.Contains(sc.Accounts, s.Account) && slices.Contains(sc.Regions, s.Region)
}

// names reports whether a targeted check read s's resource: s is not a key
// and its ARN is one of Resources, ignoring case. A targeted check names a
// handful of resources, so a linear scan beats building a set per call.
func (sc Scope) names(s Subject) bool {
	if s.Kind == keyKind || s.ResourceARN == "" {
		return false
	}
	for _, r := range sc.Resources {
		if strings.EqualFold(r, s.ResourceARN) {
			return true
		}
	}
	return false
}

// keyUnit reports whether s is a key finding of a unit a targeted run
// lists as complete for keys (a sweep's key judgement).
func (sc Scope) keyUnit(s Subject) bool {
	if s.Kind != keyKind {
		return false
	}
	for _, c := range sc.Complete {
		if c.Account == s.Account && c.Region == s.Region {
			return slices.Contains(c.Kinds, keyKind)
		}
	}
	return false
}

func isJob(kind string) bool {
	return catalog.IsJobHistory(kind)
}
