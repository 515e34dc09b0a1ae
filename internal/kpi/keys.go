package kpi

import (
	"context"
	"sort"
	"strings"

	"github.com/sagekey/sagekey/internal/cost"
	"github.com/sagekey/sagekey/internal/keys"
	"github.com/sagekey/sagekey/internal/store"
)

// KeyHygiene counts the keys protecting SageMaker data at the end of the
// window, from each account and region's latest scan.
type KeyHygiene struct {
	CustomerManaged int `json:"customer_managed"`
	AWSManaged      int `json:"aws_managed"`
	// Unknown keys could not be described (denied, deleted).
	Unknown         int      `json:"unknown"`
	WithoutRotation []string `json:"without_rotation"`
	// RotationUnknown are customer-managed keys whose rotation status could
	// not be read: neither with nor without rotation.
	RotationUnknown []string `json:"rotation_unknown"`
	PendingDeletion []string `json:"pending_deletion"`
}

// CostEstimate is the monthly KMS estimate for those keys.
type CostEstimate struct {
	cost.Estimate
	CostCenterTag string `json:"cost_center_tag"`
}

type pair struct{ account, region string }

// latestKeyUses gathers, for every account and region, the keys its latest
// scan up to the window's end saw in use, with the cost-center tags of the
// resources using them. known holds every key those scans described, by
// lower-case ARN (a later scan's copy wins), for grouping by key tag.
func latestKeyUses(ctx context.Context, src Source, runs []store.Run, tag string) (_ []cost.KeyUse, known map[string]keys.Key, _ error) {
	latest := map[pair]int64{}
	for _, r := range runs { // oldest first: later runs overwrite
		for _, p := range unitsOf(r) {
			latest[p] = r.ID
		}
	}
	byRun := map[int64][]pair{}
	for p, id := range latest {
		byRun[id] = append(byRun[id], p)
	}
	ids := make([]int64, 0, len(byRun))
	for id := range byRun {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })

	acc := newKeyUseSet()
	known = map[string]keys.Key{}
	for _, id := range ids {
		snap, err := src.Snapshot(ctx, id)
		if err != nil {
			return nil, nil, err
		}
		wanted := map[pair]bool{}
		for _, p := range byRun[id] {
			wanted[p] = true
		}
		for _, k := range snap.Keys {
			known[strings.ToLower(k.ARN)] = k
		}
		acc.add(snap, tag, func(account, region string) bool { return wanted[pair{account, region}] })
	}
	return acc.list(), known, nil
}

// SnapshotKeyUses is the keys one stored scan saw in use, with the
// cost-center tags (under tag) of the resources using them: what the cost
// estimate and the key gauges of sagekey serve need from the latest scan.
func SnapshotKeyUses(snap store.Snapshot, tag string) []cost.KeyUse {
	acc := newKeyUseSet()
	acc.add(snap, tag, func(string, string) bool { return true })
	return acc.list()
}

// keyUseSet gathers key uses in first-seen order.
type keyUseSet struct {
	uses  map[string]*cost.KeyUse
	order []string
}

func newKeyUseSet() *keyUseSet { return &keyUseSet{uses: map[string]*cost.KeyUse{}} }

// add records every slot of snap's resources in a wanted account and
// region whose key the scan resolved.
func (s *keyUseSet) add(snap store.Snapshot, tag string, wanted func(account, region string) bool) {
	byARN := map[string]keys.Key{}
	for _, k := range snap.Keys {
		byARN[k.ARN] = k
	}
	for _, res := range snap.Inventory.Resources {
		if !wanted(res.Account, res.Region) {
			continue
		}
		for _, slot := range res.Slots {
			if slot.KeyRef == "" {
				continue
			}
			arn := snap.KeyRefs[keys.ParseRef(slot.KeyRef, res.Account, res.Region).Canonical()]
			k, ok := byARN[arn]
			if !ok {
				continue
			}
			u := s.uses[arn]
			if u == nil {
				u = &cost.KeyUse{Key: k}
				s.uses[arn] = u
				s.order = append(s.order, arn)
			}
			u.ResourceCenters = append(u.ResourceCenters, res.Tags[tag])
		}
	}
}

func (s *keyUseSet) list() []cost.KeyUse {
	out := make([]cost.KeyUse, 0, len(s.order))
	for _, arn := range s.order {
		out = append(out, *s.uses[arn])
	}
	return out
}

func hygiene(uses []cost.KeyUse) KeyHygiene {
	h := KeyHygiene{WithoutRotation: []string{}, RotationUnknown: []string{}, PendingDeletion: []string{}}
	for _, u := range uses {
		k := u.Key
		switch {
		case !k.Known():
			h.Unknown++
			continue
		case k.Manager == keys.ManagerAWS:
			h.AWSManaged++
			continue
		case k.Manager == keys.ManagerCustomer:
			h.CustomerManaged++
		default:
			h.Unknown++
			continue
		}
		switch {
		case k.Rotation.Error != "":
			h.RotationUnknown = append(h.RotationUnknown, k.ARN)
		case !k.Rotation.Enabled && k.Rotation.NotApplicable == "":
			h.WithoutRotation = append(h.WithoutRotation, k.ARN)
		}
		if k.State == "PendingDeletion" {
			h.PendingDeletion = append(h.PendingDeletion, k.ARN)
		}
	}
	sort.Strings(h.WithoutRotation)
	sort.Strings(h.RotationUnknown)
	sort.Strings(h.PendingDeletion)
	return h
}
