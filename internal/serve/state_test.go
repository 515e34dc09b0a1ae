package serve

import (
	"testing"
	"time"

	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/inventory"
	"github.com/sagekey/sagekey/internal/keys"
	"github.com/sagekey/sagekey/internal/store"
)

func TestStateOf(t *testing.T) {
	const keyARN = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	west := notebook("w", finding.Pass)
	west.Resource.Region = "eu-west-1"
	tags := notebook("a", finding.Fail)
	tags.CheckID, tags.Severity = "notebook-instance.tags", finding.Low
	st := Stored{
		Run: store.Run{ID: 3, Finished: time.Date(2026, 12, 7, 6, 5, 0, 0, time.UTC)},
		Findings: []finding.Finding{notebook("a", finding.Fail), notebook("b", finding.Pass), west, tags,
			notebook("n", finding.NotApplicable)},
		Snapshot: store.Snapshot{
			Keys: []keys.Key{
				{ARN: keyARN, Manager: keys.ManagerCustomer, State: "Enabled", Tags: map[string]string{"cost-center": "cc-7"}},
				{ARN: "arn:aws:kms:us-east-1:111122223333:key/gone", State: ""},
			},
			KeyRefs: map[string]string{keyARN: keyARN},
			Inventory: inventory.Inventory{Resources: []inventory.Resource{{ARN: "arn:nb/b", Account: "111122223333", Region: "us-east-1",
				Slots: []inventory.Slot{{KeyRef: keyARN}}}}},
		},
	}
	got := stateOf(st, "cost-center", time.Date(2026, 12, 7, 7, 0, 0, 0, time.UTC))
	if got.CompliantPercent == nil || *got.CompliantPercent < 66.6 || *got.CompliantPercent > 66.7 {
		t.Errorf("percent compliant = %v, want 2 of 3 judged", got.CompliantPercent)
	}
	if got.CompliantPercentByRegion["us-east-1"] != 50 || got.CompliantPercentByRegion["eu-west-1"] != 100 {
		t.Errorf("by region = %v", got.CompliantPercentByRegion)
	}
	open := map[string]int{}
	for _, v := range got.OpenViolations {
		open[v.Severity] += v.Count
	}
	if open["high"] != 1 || open["low"] != 1 || len(open) != 2 {
		t.Errorf("open violations by severity = %v, want the cmk and the tags FAIL", open)
	}
	if got.Keys["Enabled"] != 1 || got.Keys["Unknown"] != 1 || got.KeysWithoutRotation != 1 {
		t.Errorf("keys = %v, without rotation %d", got.Keys, got.KeysWithoutRotation)
	}
	if got.MonthlyKMSCostUSD["cc-7"] <= 0 {
		t.Errorf("monthly cost = %v, want the key billed to its cost-center tag", got.MonthlyKMSCostUSD)
	}
	if !got.LastSuccessfulScan.Equal(st.Run.Finished) {
		t.Errorf("last successful scan = %v", got.LastSuccessfulScan)
	}
}
