package cost

import (
	"math"
	"testing"
	"time"

	"github.com/sagekey/sagekey/internal/keys"
)

var now = time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)

func key(arn string, mutate ...func(*keys.Key)) keys.Key {
	k := keys.Key{ARN: arn, Account: "111122223333", Manager: keys.ManagerCustomer, State: keys.StateEnabled,
		CreatedAt: now.AddDate(0, -1, 0)}
	for _, m := range mutate {
		m(&k)
	}
	return k
}

func rotating(days int32, ageYears int) func(*keys.Key) {
	return func(k *keys.Key) {
		k.Rotation = keys.Rotation{Enabled: true, PeriodDays: days}
		k.CreatedAt = now.AddDate(-ageYears, 0, -1)
	}
}

func tagged(c string) func(*keys.Key) {
	return func(k *keys.Key) { k.Tags = map[string]string{"cost-center": c} }
}

func TestEstimateKeys(t *testing.T) {
	tests := []struct {
		name        string
		uses        []KeyUse
		wantTotal   float64
		wantCenters map[string]float64
		wantAttr    string
	}{
		{"one tagged key", []KeyUse{{Key: key("arn:k1", tagged("cc-risk"))}}, 1, map[string]float64{"cc-risk": 1}, AttributedByKeyTag},
		{"AWS-managed keys are free and not listed", []KeyUse{{Key: key("arn:aws", func(k *keys.Key) { k.Manager = keys.ManagerAWS })}}, 0, map[string]float64{}, ""},
		{"pending deletion costs nothing", []KeyUse{{Key: key("arn:k1", tagged("cc"), func(k *keys.Key) { k.State = "PendingDeletion" })}}, 0, map[string]float64{"cc": 0}, AttributedByKeyTag},
		{"disabled keys are still billed", []KeyUse{{Key: key("arn:k1", tagged("cc"), func(k *keys.Key) { k.State = "Disabled" })}}, 1, map[string]float64{"cc": 1}, AttributedByKeyTag},
		{"one rotation after a year", []KeyUse{{Key: key("arn:k1", tagged("cc"), rotating(365, 1))}}, 2, map[string]float64{"cc": 2}, AttributedByKeyTag},
		{"rotation surcharge is capped at two", []KeyUse{{Key: key("arn:k1", tagged("cc"), rotating(90, 3))}}, 3, map[string]float64{"cc": 3}, AttributedByKeyTag},
		{"every multi-Region copy is billed, once per family", []KeyUse{
			{Key: key("arn:aws:kms:us-east-1:111122223333:key/mrk-1", tagged("cc"), func(k *keys.Key) {
				k.MultiRegion, k.CopyRegions = true, []string{"eu-west-1", "us-east-1", "us-west-2"}
			})},
			{Key: key("arn:aws:kms:eu-west-1:111122223333:key/mrk-1", tagged("cc"), func(k *keys.Key) {
				k.MultiRegion, k.CopyRegions = true, []string{"eu-west-1", "us-east-1", "us-west-2"}
			})},
		}, 3, map[string]float64{"cc": 3}, AttributedByKeyTag},
		{"untagged key takes its resources' shared tag", []KeyUse{{Key: key("arn:k1"), ResourceCenters: []string{"cc-a", "cc-a", ""}}}, 1, map[string]float64{"cc-a": 1}, AttributedByResource},
		{"shared key is split between its resources' centers", []KeyUse{{Key: key("arn:k1"), ResourceCenters: []string{"cc-a", "cc-b"}}}, 1, map[string]float64{"cc-a": 0.5, "cc-b": 0.5}, AttributedSplit},
		{"a key that could not be described is listed as unpriced, not silently free", []KeyUse{{Key: keys.Key{ARN: "arn:denied", Error: "access denied"}}}, 0, map[string]float64{}, ""},
		{"nobody to bill", []KeyUse{{Key: key("arn:k1"), ResourceCenters: []string{""}}}, 1, map[string]float64{UnattributedCenter: 1}, Unattributed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			est := EstimateKeys(tt.uses, "cost-center", now)
			if math.Abs(est.MonthlyUSD-tt.wantTotal) > 1e-9 {
				t.Errorf("total $%.2f, want $%.2f", est.MonthlyUSD, tt.wantTotal)
			}
			got := map[string]float64{}
			for _, c := range est.ByCostCenter {
				got[c.CostCenter] = c.MonthlyUSD
			}
			if len(got) != len(tt.wantCenters) {
				t.Fatalf("centers %v, want %v", got, tt.wantCenters)
			}
			for c, usd := range tt.wantCenters {
				if math.Abs(got[c]-usd) > 1e-9 {
					t.Errorf("center %s: $%.2f, want $%.2f", c, got[c], usd)
				}
			}
			wantUnpriced := tt.uses[0].Key.Manager == keys.ManagerUnknown
			if got := len(est.Unpriced) == 1 && est.Unpriced[0] == tt.uses[0].Key.ARN; got != wantUnpriced {
				t.Errorf("unpriced %v, want %v", est.Unpriced, wantUnpriced)
			}
			if tt.wantAttr != "" && (len(est.Keys) != 1 || est.Keys[0].Attribution != tt.wantAttr) {
				t.Errorf("keys %+v, want one attributed by %s", est.Keys, tt.wantAttr)
			}
		})
	}
}
