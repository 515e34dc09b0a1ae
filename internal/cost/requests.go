package cost

import (
	"cmp"
	"math"
	"slices"
	"strings"
)

// DaysPerMonth is the mean length of a month (365.25 / 12 days). Requests
// per covered day times DaysPerMonth is the monthly run rate.
const DaysPerMonth = 365.25 / 12

// RequestUse is the KMS requests SageMaker made on one key, as recorded by
// the trail of one account and region over the days of the window whose
// trail was read.
type RequestUse struct {
	KeyARN          string
	Account, Region string
	// Requests were counted on CoveredDays days only; a day nobody read is
	// not a day without requests, so it is left out of the rate too.
	Requests    int64
	CoveredDays int
}

// KeyRequests is one key's request charge in one account and region.
type KeyRequests struct {
	ARN              string  `json:"arn"`
	Account          string  `json:"account"`
	Region           string  `json:"region"`
	CoveredDays      int     `json:"covered_days"`
	ObservedRequests int64   `json:"observed_requests"`
	MonthlyRequests  float64 `json:"monthly_requests"`
	// GrossMonthlyUSD is the charge without the free tier, MonthlyUSD after
	// the key's share of it.
	GrossMonthlyUSD float64            `json:"gross_monthly_usd"`
	MonthlyUSD      float64            `json:"monthly_usd"`
	Attribution     string             `json:"attribution"`
	Centers         map[string]float64 `json:"cost_centers"`
}

// AccountRequests is one account's requests and how much of the free tier
// they use.
type AccountRequests struct {
	Account          string  `json:"account"`
	ObservedRequests int64   `json:"observed_requests"`
	MonthlyRequests  float64 `json:"monthly_requests"`
	FreeRequests     float64 `json:"free_requests"`
	GrossMonthlyUSD  float64 `json:"gross_monthly_usd"`
	MonthlyUSD       float64 `json:"monthly_usd"`
}

// RequestEstimate is the monthly run rate of the request charges of the
// KMS requests SageMaker makes, from the requests the trail recorded.
type RequestEstimate struct {
	Basis            string            `json:"basis"`
	ObservedRequests int64             `json:"observed_requests"`
	MonthlyRequests  float64           `json:"monthly_requests"`
	FreeRequests     float64           `json:"free_requests"`
	GrossMonthlyUSD  float64           `json:"gross_monthly_usd"`
	MonthlyUSD       float64           `json:"monthly_usd"`
	ByAccount        []AccountRequests `json:"by_account"`
	Keys             []KeyRequests     `json:"keys"`
}

// requestBasis says how the figures were reached, in the JSON itself.
const requestBasis = "monthly run rate: each key's requests per covered day of its account and region × 30.4375 " +
	"(365.25 / 12); each account's 20,000 free requests a month are shared by its keys in proportion to their requests"

// EstimateRequests prices the requests as a monthly run rate, not the
// window's actual bill: the window rarely spans whole months, the free tier
// resets each calendar month, and the days nobody read are unknown, so only
// the rate over the covered days can be stated honestly.
//
// The free tier is per account across all its keys and regions, and sagekey
// sees only SageMaker's requests. Each account's monthly requests are reduced
// by FreeRequestsPerAccountMonth and the remainder is charged to its keys in
// proportion to their requests, so every key (and cost center) bears the same
// share of the free tier whatever order they are listed in. When the account
// has other KMS traffic the free tier is partly used elsewhere, so MonthlyUSD
// is then a lower bound; GrossMonthlyUSD (no free tier) is the upper one.
//
// Each key's charge goes to cost centers the way its key fee does (the key's
// tag, else its resources' shared tag, else split); a key the latest scans
// did not see (uses) is unattributed.
func EstimateRequests(reqs []RequestUse, uses []KeyUse, tag string) *RequestEstimate {
	byARN := map[string]*KeyUse{}
	for _, u := range uses {
		id := strings.ToLower(u.Key.ARN)
		if have, ok := byARN[id]; ok {
			have.ResourceCenters = append(have.ResourceCenters, u.ResourceCenters...)
			continue
		}
		byARN[id] = &KeyUse{Key: u.Key, ResourceCenters: slices.Clone(u.ResourceCenters)}
	}
	type row struct {
		RequestUse
		monthly float64
	}
	var rows []row
	accounts := map[string]*AccountRequests{}
	for _, r := range reqs {
		if r.CoveredDays <= 0 {
			continue // no covered day: nothing to count requests on
		}
		m := float64(r.Requests) / float64(r.CoveredDays) * DaysPerMonth
		rows = append(rows, row{r, m})
		a := accounts[r.Account]
		if a == nil {
			a = &AccountRequests{Account: r.Account}
			accounts[r.Account] = a
		}
		a.ObservedRequests += r.Requests
		a.MonthlyRequests += m
	}
	est := &RequestEstimate{Basis: requestBasis, ByAccount: []AccountRequests{}, Keys: []KeyRequests{}}
	for _, r := range rows {
		a := accounts[r.Account]
		charged := r.monthly * billableShare(a.MonthlyRequests)
		kr := KeyRequests{ARN: r.KeyARN, Account: r.Account, Region: r.Region, CoveredDays: r.CoveredDays,
			ObservedRequests: r.Requests, MonthlyRequests: math.Round(r.monthly),
			GrossMonthlyUSD: round4(requestUSD(r.monthly)), MonthlyUSD: round4(requestUSD(charged))}
		u := byARN[strings.ToLower(r.KeyARN)]
		if u == nil {
			u = &KeyUse{}
		}
		kr.Attribution, kr.Centers = attribute(u, tag, requestUSD(charged))
		for c, usd := range kr.Centers {
			kr.Centers[c] = round4(usd)
		}
		a.GrossMonthlyUSD += requestUSD(r.monthly)
		a.MonthlyUSD += requestUSD(charged)
		est.Keys = append(est.Keys, kr)
	}
	for _, a := range accounts {
		a.FreeRequests = math.Round(min(a.MonthlyRequests, FreeRequestsPerAccountMonth))
		est.ObservedRequests += a.ObservedRequests
		est.MonthlyRequests += a.MonthlyRequests
		est.FreeRequests += a.FreeRequests
		est.GrossMonthlyUSD += a.GrossMonthlyUSD
		est.MonthlyUSD += a.MonthlyUSD
		a.MonthlyRequests, a.GrossMonthlyUSD, a.MonthlyUSD = math.Round(a.MonthlyRequests), round4(a.GrossMonthlyUSD), round4(a.MonthlyUSD)
		est.ByAccount = append(est.ByAccount, *a)
	}
	est.MonthlyRequests, est.GrossMonthlyUSD, est.MonthlyUSD = math.Round(est.MonthlyRequests), round4(est.GrossMonthlyUSD), round4(est.MonthlyUSD)
	slices.SortFunc(est.ByAccount, func(a, b AccountRequests) int { return cmp.Compare(a.Account, b.Account) })
	slices.SortFunc(est.Keys, func(a, b KeyRequests) int {
		return cmp.Or(cmp.Compare(a.ARN, b.ARN), cmp.Compare(a.Account, b.Account), cmp.Compare(a.Region, b.Region))
	})
	return est
}

// billableShare is the fraction of an account's monthly requests left
// after the free tier.
func billableShare(monthly float64) float64 {
	if monthly <= FreeRequestsPerAccountMonth {
		return 0
	}
	return (monthly - FreeRequestsPerAccountMonth) / monthly
}

func requestUSD(requests float64) float64 { return requests / RequestsPerPriceUnit * Requests.USD }

// round4 rounds dollars to a hundredth of a cent: request charges are
// fractions of a cent per key, and unrounded sums print float noise.
func round4(usd float64) float64 { return math.Round(usd*1e4) / 1e4 }

// AddRequests adds the request charges to the estimate: to the total, and to
// each cost center (whose RequestMonthlyUSD then says how much of its
// MonthlyUSD they are). A center that pays only for requests is listed with
// no keys.
func (e *Estimate) AddRequests(r *RequestEstimate) {
	e.Requests = r
	e.Prices = append(e.Prices, requestPricing()...)
	e.Note = "monthly key fees plus the monthly run rate of the KMS requests SageMaker made, from CloudTrail; the free " +
		"tier is applied to those requests alone, so the request charge is a lower bound when an account has other " +
		"KMS traffic (requests.gross_monthly_usd is the charge without it)"
	centers := map[string]*CenterCost{}
	for _, c := range e.ByCostCenter {
		c.RequestMonthlyUSD = new(float64)
		centers[c.CostCenter] = &c
	}
	for _, k := range r.Keys {
		for c, usd := range k.Centers {
			cc := centers[c]
			if cc == nil {
				cc = &CenterCost{CostCenter: c, RequestMonthlyUSD: new(float64)}
				centers[c] = cc
			}
			*cc.RequestMonthlyUSD += usd
			cc.MonthlyUSD += usd
		}
	}
	e.ByCostCenter = make([]CenterCost, 0, len(centers))
	for _, c := range centers {
		c.MonthlyUSD, *c.RequestMonthlyUSD = round4(c.MonthlyUSD), round4(*c.RequestMonthlyUSD)
		e.ByCostCenter = append(e.ByCostCenter, *c)
	}
	sortCenters(e.ByCostCenter)
	e.MonthlyUSD = round4(e.MonthlyUSD + r.MonthlyUSD)
}

// WithoutRequests says in the note why request charges are not estimated.
func (e *Estimate) WithoutRequests(why string) {
	e.Note = "monthly key fees only; request charges are not estimated: " + why
}
