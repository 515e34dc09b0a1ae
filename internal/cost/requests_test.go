package cost

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
)

// charge is the price of n requests, written out from the price table so
// the tests do not reuse the code under test.
func charge(n float64) float64 { return n * Requests.USD / RequestsPerPriceUnit }

func monthly(requests int64, days int) float64 {
	return float64(requests) / float64(days) * 365.25 / 12
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-4 }

func TestEstimateRequestsFreeTierAndRunRate(t *testing.T) {
	const a1, a2 = "111111111111", "222222222222"
	tests := []struct {
		name string
		reqs []RequestUse
		// wantUSD is per key ARN (after the free tier); wantGross the total
		// without it.
		wantUSD   map[string]float64
		wantGross float64
	}{
		{
			name:      "under the free tier: free",
			reqs:      []RequestUse{{KeyARN: "arn:k1", Account: a1, Region: "us-east-1", Requests: 5_000, CoveredDays: 10}},
			wantUSD:   map[string]float64{"arn:k1": 0},
			wantGross: charge(monthly(5_000, 10)),
		},
		{
			name: "over the free tier: the account's remainder shared in proportion to requests",
			reqs: []RequestUse{
				{KeyARN: "arn:k1", Account: a1, Region: "us-east-1", Requests: 20_000, CoveredDays: 10},
				{KeyARN: "arn:k2", Account: a1, Region: "us-east-1", Requests: 60_000, CoveredDays: 10},
			},
			wantUSD: func() map[string]float64 {
				m1, m2 := monthly(20_000, 10), monthly(60_000, 10)
				bill := charge(m1 + m2 - FreeRequestsPerAccountMonth)
				return map[string]float64{"arn:k1": bill * m1 / (m1 + m2), "arn:k2": bill * m2 / (m1 + m2)}
			}(),
			wantGross: charge(monthly(80_000, 10)),
		},
		{
			name: "the free tier is per account: two accounts under it each pay nothing",
			reqs: []RequestUse{
				{KeyARN: "arn:k1", Account: a1, Region: "us-east-1", Requests: 6_000, CoveredDays: 10},
				{KeyARN: "arn:k2", Account: a2, Region: "us-east-1", Requests: 6_000, CoveredDays: 10},
			},
			wantUSD:   map[string]float64{"arn:k1": 0, "arn:k2": 0},
			wantGross: charge(2 * monthly(6_000, 10)),
		},
		{
			name: "each region's rate is over its own covered days; the free tier spans the regions",
			reqs: []RequestUse{
				{KeyARN: "arn:k1", Account: a1, Region: "us-east-1", Requests: 30_000, CoveredDays: 10},
				{KeyARN: "arn:k2", Account: a1, Region: "eu-west-1", Requests: 30_000, CoveredDays: 5},
			},
			wantUSD: func() map[string]float64 {
				m1, m2 := monthly(30_000, 10), monthly(30_000, 5)
				bill := charge(m1 + m2 - FreeRequestsPerAccountMonth)
				return map[string]float64{"arn:k1": bill * m1 / (m1 + m2), "arn:k2": bill * m2 / (m1 + m2)}
			}(),
			wantGross: charge(monthly(30_000, 10) + monthly(30_000, 5)),
		},
		{
			name:      "a row without covered days counts nothing",
			reqs:      []RequestUse{{KeyARN: "arn:k1", Account: a1, Region: "us-east-1", Requests: 1_000_000}},
			wantUSD:   map[string]float64{},
			wantGross: 0,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			est := EstimateRequests(tt.reqs, nil, "cost-center")
			got := map[string]float64{}
			var total, observed float64
			for _, k := range est.Keys {
				got[k.ARN] = k.MonthlyUSD
				total += k.MonthlyUSD
			}
			if len(got) != len(tt.wantUSD) {
				t.Fatalf("keys %v, want %v", got, tt.wantUSD)
			}
			for arn, want := range tt.wantUSD {
				if !near(got[arn], want) {
					t.Errorf("%s: $%.6f, want $%.6f", arn, got[arn], want)
				}
			}
			if !near(est.MonthlyUSD, total) || !near(est.GrossMonthlyUSD, tt.wantGross) {
				t.Errorf("total $%.6f gross $%.6f, want $%.6f and $%.6f", est.MonthlyUSD, est.GrossMonthlyUSD, total, tt.wantGross)
			}
			for _, r := range tt.reqs {
				if r.CoveredDays > 0 {
					observed += float64(r.Requests)
				}
			}
			if float64(est.ObservedRequests) != observed {
				t.Errorf("observed %d, want %v", est.ObservedRequests, observed)
			}
			var free float64
			for _, a := range est.ByAccount {
				if a.FreeRequests > FreeRequestsPerAccountMonth || a.FreeRequests > a.MonthlyRequests {
					t.Errorf("account %s uses %v free requests of %v", a.Account, a.FreeRequests, a.MonthlyRequests)
				}
				free += a.FreeRequests
			}
			if est.FreeRequests != free {
				t.Errorf("free %v, want the accounts' sum %v", est.FreeRequests, free)
			}
		})
	}
}

func TestRequestChargesGoToCostCenters(t *testing.T) {
	const a = "111111111111"
	// 3,000,000 requests in 30 covered days: far over the free tier.
	reqs := []RequestUse{
		{KeyARN: "arn:tagged", Account: a, Region: "us-east-1", Requests: 1_000_000, CoveredDays: 30},
		{KeyARN: "arn:shared", Account: a, Region: "us-east-1", Requests: 1_000_000, CoveredDays: 30},
		{KeyARN: "arn:unscanned", Account: a, Region: "us-east-1", Requests: 1_000_000, CoveredDays: 30},
	}
	uses := []KeyUse{
		{Key: key("arn:tagged", tagged("cc-risk"))},
		{Key: key("arn:shared"), ResourceCenters: []string{"cc-risk", "cc-fraud"}},
	}
	est := EstimateKeys(uses, "cost-center", now)
	keyFees := est.MonthlyUSD
	req := EstimateRequests(reqs, uses, "cost-center")
	est.AddRequests(req)

	m := monthly(1_000_000, 30)
	perKey := charge(3*m-FreeRequestsPerAccountMonth) / 3 // equal traffic: equal shares
	want := map[string]float64{"cc-risk": perKey + perKey/2, "cc-fraud": perKey / 2, UnattributedCenter: perKey}
	wantFees := map[string]float64{"cc-risk": 1 + 0.5, "cc-fraud": 0.5}
	attr := map[string]string{}
	for _, k := range req.Keys {
		attr[k.ARN] = k.Attribution
	}
	if attr["arn:tagged"] != AttributedByKeyTag || attr["arn:shared"] != AttributedSplit || attr["arn:unscanned"] != Unattributed {
		t.Errorf("attribution %v", attr)
	}
	if len(est.ByCostCenter) != len(want) {
		t.Fatalf("centers %+v, want %v", est.ByCostCenter, want)
	}
	for _, c := range est.ByCostCenter {
		if c.RequestMonthlyUSD == nil || !near(*c.RequestMonthlyUSD, want[c.CostCenter]) {
			t.Errorf("%s: requests %v, want $%.4f", c.CostCenter, c.RequestMonthlyUSD, want[c.CostCenter])
		}
		if !near(c.MonthlyUSD, want[c.CostCenter]+wantFees[c.CostCenter]) {
			t.Errorf("%s: $%.4f, want fees $%.2f + requests $%.4f", c.CostCenter, c.MonthlyUSD, wantFees[c.CostCenter], want[c.CostCenter])
		}
	}
	if !near(est.MonthlyUSD, keyFees+3*perKey) {
		t.Errorf("total $%.4f, want fees $%.2f + requests $%.4f", est.MonthlyUSD, keyFees, 3*perKey)
	}
	if n := len(est.Prices); n != len(Pricing()) {
		t.Errorf("%d prices listed, want all %d once requests are priced", n, len(Pricing()))
	}
}

func TestWithoutRequestsTheEstimateIsUnchanged(t *testing.T) {
	est := EstimateKeys([]KeyUse{{Key: key("arn:k1", tagged("cc"))}}, "cost-center", now)
	est.WithoutRequests("no CloudTrail data covers this window")
	b, err := json.Marshal(est)
	if err != nil {
		t.Fatal(err)
	}
	if s := string(b); !strings.Contains(s, `"requests":null`) || strings.Contains(s, "request_monthly_usd") ||
		strings.Contains(s, Requests.Item) || !strings.Contains(est.Note, "request charges are not estimated") {
		t.Errorf("an estimate without requests: %s", s)
	}
}
