package trailscan

import (
	"context"
	"slices"
	"strings"

	"github.com/sagekey/sagekey/internal/engine"
	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/keys"
	"github.com/sagekey/sagekey/internal/store"
	"github.com/sagekey/sagekey/internal/trail"
)

// Estate is what the latest stored scan says about the keys a trail is
// judged against: which keys protect SageMaker data, under which
// references, with which policies, and which resources each protects.
type Estate struct {
	// RunID is the scan the facts come from; zero when none is stored.
	RunID int64
	Keys  []trail.KeyFacts
	// Protects maps a key ARN to the resources it protects (blast radius).
	Protects map[string][]finding.Resource
	// KeyAccess are the scan's key-access findings that judged at least one
	// (execution role, key) pair: the report tells a denial the key policy
	// explains from one it seems to allow.
	KeyAccess []finding.Finding
}

// ScanSource is the read side of the store the estate comes from;
// *store.Store satisfies it.
type ScanSource interface {
	Runs(ctx context.Context) ([]store.Run, error)
	Snapshot(ctx context.Context, runID int64) (store.Snapshot, error)
}

// LatestEstate reads the latest stored scan. With no stored scan the estate
// is empty: only denials via SageMaker, blocked creates and creators can be
// recognised then.
func LatestEstate(ctx context.Context, src ScanSource) (Estate, error) {
	runs, err := src.Runs(ctx)
	if err != nil || len(runs) == 0 {
		return Estate{Protects: map[string][]finding.Resource{}}, err
	}
	id := runs[len(runs)-1].ID
	snap, err := src.Snapshot(ctx, id)
	if err != nil {
		return Estate{}, err
	}
	e := EstateOf(snap)
	e.RunID = id
	return e, nil
}

// EstateOf derives the estate from a scan snapshot.
func EstateOf(snap store.Snapshot) Estate {
	refs := map[string][]string{}
	for ref, arn := range snap.KeyRefs {
		refs[arn] = append(refs[arn], ref)
	}
	e := Estate{Protects: map[string][]finding.Resource{}}
	for _, k := range snap.Keys {
		if k.ARN == "" {
			continue
		}
		r := refs[k.ARN]
		slices.Sort(r)
		e.Keys = append(e.Keys, trail.KeyFacts{ARN: k.ARN, Refs: r, Policy: k.Policy})
	}
	slices.SortFunc(e.Keys, func(a, b trail.KeyFacts) int { return strings.Compare(a.ARN, b.ARN) })
	for _, res := range snap.Inventory.Resources {
		seen := map[string]bool{}
		for _, slot := range res.Slots {
			if slot.KeyRef == "" {
				continue
			}
			arn := snap.KeyRefs[keys.ParseRef(slot.KeyRef, res.Account, res.Region).Canonical()]
			if arn == "" || seen[arn] {
				continue
			}
			seen[arn] = true
			e.Protects[arn] = append(e.Protects[arn], finding.Resource{ARN: res.ARN, Kind: res.Kind, Name: res.Name,
				Account: res.Account, Region: res.Region, Tags: res.Tags})
		}
	}
	e.KeyAccess = keyAccessOf(snap)
	return e
}

// keyAccessOf evaluates the key-access checks on the snapshot. The snapshot
// stores facts, not findings, and evaluation is pure, so the verdicts are
// those the scan reported when it ran the checks; when it did not, it read
// no IAM facts, and the pairs that depend on them are ERROR, which the
// report treats as no verdict. Suppressions are not applied: a muted
// finding's pairs are still facts about who may use a key.
func keyAccessOf(snap store.Snapshot) []finding.Finding {
	fs := engine.Evaluate(snap.Inventory, keys.SetFrom(snap.Keys, snap.KeyRefs), engine.Settings{Checks: []string{"*.key-access"}})
	return slices.DeleteFunc(fs, func(f finding.Finding) bool { return len(f.Access) == 0 })
}

// Context is the aggregation context of the estate.
func (e Estate) Context(guardrails []string) *trail.Context {
	return trail.NewContext(e.Keys, guardrails)
}
