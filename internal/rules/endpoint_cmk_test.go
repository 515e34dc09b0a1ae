package rules

import (
	"testing"

	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/inventory"
)

func TestEndpointCMK(t *testing.T) {
	t.Parallel()
	deleted := inventory.Slot{Type: "volume", Name: "config", Label: "endpoint config old-cfg",
		Unknown: "endpoint config old-cfg no longer exists; the endpoint's keys cannot be verified"}
	runCMKCases(t, EndpointCMK(), []cmkCase{
		{name: "config keyed", slots: []inventory.Slot{{Type: "volume", Name: "config:volume", Label: "config c: ML storage volume", KeyRef: healthyARN, InstanceTypes: []string{"ml.m5.large"}}}, want: finding.Pass},
		{name: "deleted config is ERROR, never PASS", slots: []inventory.Slot{deleted}, want: finding.Error, contains: "no longer exists"},
		{name: "pending config without key fails", slots: []inventory.Slot{
			{Type: "volume", Name: "config:volume", Label: "config c", KeyRef: healthyARN, InstanceTypes: []string{"ml.m5.large"}},
			{Type: "volume", Name: "pending:volume", Label: "pending config d: ML storage volume", InstanceTypes: []string{"ml.m5.large"}},
		}, want: finding.Fail, contains: "pending config d"},
	})
}
