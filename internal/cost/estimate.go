package cost

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/sagekey/sagekey/internal/keys"
)

// How a key's cost was attributed to a cost center.
const (
	AttributedByKeyTag   = "key-tag"   // the key's own cost-center tag
	AttributedByResource = "resources" // the tag shared by every resource it protects
	AttributedSplit      = "split"     // resources disagree: split evenly between them
	Unattributed         = "unattributed"
)

// UnattributedCenter is the cost center of keys nobody can be billed for.
const UnattributedCenter = "(unattributed)"

// KeyUse is a key with the cost-center tags of the resources it protects.
type KeyUse struct {
	Key keys.Key
	// ResourceCenters holds the cost-center tag of each protected resource
	// ("" when the resource has none).
	ResourceCenters []string
}

// KeyCost is one key's monthly estimate.
type KeyCost struct {
	ARN         string             `json:"arn"`
	State       string             `json:"state"`
	Copies      int                `json:"copies"`
	Rotations   int                `json:"charged_rotations"`
	MonthlyUSD  float64            `json:"monthly_usd"`
	Attribution string             `json:"attribution"`
	Centers     map[string]float64 `json:"cost_centers"`
}

// CenterCost is a cost center's share.
type CenterCost struct {
	CostCenter string  `json:"cost_center"`
	Keys       int     `json:"keys"`
	MonthlyUSD float64 `json:"monthly_usd"`
	// RequestMonthlyUSD is the part of MonthlyUSD that is request charges;
	// absent when requests are not estimated.
	RequestMonthlyUSD *float64 `json:"request_monthly_usd,omitempty"`
}

// Estimate is the monthly KMS estimate of a set of keys.
type Estimate struct {
	Currency     string       `json:"currency"`
	MonthlyUSD   float64      `json:"monthly_usd"`
	ByCostCenter []CenterCost `json:"by_cost_center"`
	Keys         []KeyCost    `json:"keys"`
	// Unpriced are keys that could not be described (denied, deleted): who
	// manages them is unknown, so they are not priced and MonthlyUSD is a
	// lower bound whenever this is not empty.
	Unpriced []string `json:"unpriced"`
	Prices   []Price  `json:"prices"`
	Note     string   `json:"note"`
	// Requests are the request charges, estimated from the KMS requests
	// CloudTrail recorded (AddRequests); nil when no trail covers the
	// window. When set, MonthlyUSD and ByCostCenter include them.
	Requests *RequestEstimate `json:"requests"`
}

// EstimateKeys prices each customer-managed key once per copy (a multi-Region
// key seen in several regions is one family), adds the rotation surcharge
// within its cap, and attributes it: the key's tag wins, else the tag its
// resources share, else an even split between their tags.
func EstimateKeys(uses []KeyUse, tag string, now time.Time) Estimate {
	est := Estimate{Currency: "USD", ByCostCenter: []CenterCost{}, Keys: []KeyCost{}, Unpriced: []string{}, Prices: keyPricing(),
		Note: "monthly key fees only; request charges depend on traffic and are not estimated"}
	families := map[string]*KeyUse{}
	var order []string
	for _, u := range uses {
		if u.Key.Manager == keys.ManagerUnknown {
			est.Unpriced = append(est.Unpriced, u.Key.ARN)
			continue
		}
		if u.Key.Manager != keys.ManagerCustomer {
			continue
		}
		id := familyID(u.Key)
		if f, ok := families[id]; ok {
			f.ResourceCenters = append(f.ResourceCenters, u.ResourceCenters...)
			continue
		}
		families[id] = &u
		order = append(order, id)
	}
	centers := map[string]*CenterCost{}
	for _, id := range order {
		kc := price(families[id], tag, now)
		est.Keys = append(est.Keys, kc)
		est.MonthlyUSD += kc.MonthlyUSD
		for c, usd := range kc.Centers {
			cc := centers[c]
			if cc == nil {
				cc = &CenterCost{CostCenter: c}
				centers[c] = cc
			}
			cc.Keys++
			cc.MonthlyUSD += usd
		}
	}
	for _, cc := range centers {
		est.ByCostCenter = append(est.ByCostCenter, *cc)
	}
	sortCenters(est.ByCostCenter)
	slices.SortFunc(est.Keys, func(a, b KeyCost) int { return cmp.Compare(a.ARN, b.ARN) })
	slices.Sort(est.Unpriced)
	return est
}

// sortCenters puts the most expensive cost center first.
func sortCenters(cs []CenterCost) {
	slices.SortFunc(cs, func(a, b CenterCost) int {
		return cmp.Or(cmp.Compare(b.MonthlyUSD, a.MonthlyUSD), cmp.Compare(a.CostCenter, b.CostCenter))
	})
}

// familyID names a key so that the copies of a multi-Region key (same key
// ID, different regions) count once.
func familyID(k keys.Key) string {
	if !k.MultiRegion {
		return k.ARN
	}
	_, id, _ := strings.Cut(k.ARN, ":key/")
	return k.Account + "/" + id
}

func price(u *KeyUse, tag string, now time.Time) KeyCost {
	k := u.Key
	kc := KeyCost{ARN: k.ARN, State: k.State, Copies: max(len(k.CopyRegions), 1), Centers: map[string]float64{}}
	if k.State != "PendingDeletion" && k.State != "PendingReplicaDeletion" {
		kc.Rotations = chargedRotations(k, now)
		perCopy := KeyMonth.USD + float64(kc.Rotations)*RotationMonth.USD
		kc.MonthlyUSD = float64(kc.Copies) * perCopy
	}
	kc.Attribution, kc.Centers = attribute(u, tag, kc.MonthlyUSD)
	return kc
}

// chargedRotations estimates how many rotations of the key are billed: the
// rotation periods elapsed since the key was created, at most
// MaxChargedRotations. Without rotation (or a creation date) it is zero.
func chargedRotations(k keys.Key, now time.Time) int {
	if !k.Rotation.Enabled || k.CreatedAt.IsZero() {
		return 0
	}
	days := k.Rotation.PeriodDays
	if days <= 0 {
		days = 365 // the default period
	}
	return min(int(now.Sub(k.CreatedAt)/(time.Duration(days)*24*time.Hour)), MaxChargedRotations)
}

func attribute(u *KeyUse, tag string, usd float64) (string, map[string]float64) {
	if c := u.Key.Tags[tag]; c != "" {
		return AttributedByKeyTag, map[string]float64{c: usd}
	}
	var distinct []string
	for _, c := range u.ResourceCenters {
		if c != "" && !slices.Contains(distinct, c) {
			distinct = append(distinct, c)
		}
	}
	switch len(distinct) {
	case 0:
		return Unattributed, map[string]float64{UnattributedCenter: usd}
	case 1:
		return AttributedByResource, map[string]float64{distinct[0]: usd}
	}
	out := map[string]float64{}
	for _, c := range distinct {
		out[c] = usd / float64(len(distinct))
	}
	return AttributedSplit, out
}
