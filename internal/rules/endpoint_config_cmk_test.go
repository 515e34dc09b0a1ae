package rules

import (
	"testing"

	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/inventory"
)

func TestEndpointConfigCMK(t *testing.T) {
	t.Parallel()
	vol := func(ref string, types ...string) inventory.Slot {
		return inventory.Slot{Type: "volume", Name: "volume", Label: "ML storage volume", KeyRef: ref, InstanceTypes: types}
	}
	capture := func(ref, uri string) inventory.Slot {
		return inventory.Slot{Type: "data-capture", Name: "data-capture", Label: "data capture", KeyRef: ref, OutputURI: uri}
	}
	async := inventory.Slot{Type: "async-output", Name: "async-output", Label: "async inference output", KeyRef: healthyARN}
	coreDump := inventory.Slot{Type: "core-dump", Name: "core-dump:v1", Label: "variant v1: core dumps"}
	runCMKCases(t, EndpointConfigCMK(), []cmkCase{
		{name: "every slot keyed", slots: []inventory.Slot{vol(healthyARN, "ml.m5.large"), capture(healthyARN, "s3://b/c"), async}, want: finding.Pass},
		{name: "capture without key", slots: []inventory.Slot{vol(healthyARN, "ml.m5.large"), capture("", "s3://b/c")}, want: finding.Fail, contains: "data capture: no key"},
		{name: "core dump without key", slots: []inventory.Slot{vol(healthyARN, "ml.m5.large"), coreDump}, want: finding.Fail, contains: "variant v1: core dumps"},
		{name: "NVMe-only variants", slots: []inventory.Slot{vol("", "ml.g4dn.xlarge", "ml.m5d.large")}, want: finding.NotApplicable, contains: "NVMe"},
		{name: "mixed NVMe and EBS needs a key", slots: []inventory.Slot{vol("", "ml.g4dn.xlarge", "ml.m5.large")}, want: finding.Fail},
		{name: "NVMe volume with capture keyed", slots: []inventory.Slot{vol("", "ml.g5.xlarge"), capture(healthyARN, "s3://b")}, want: finding.Pass, contains: "not applicable"},
		{name: "serverless", slots: []inventory.Slot{{Type: "volume", Name: "volume", Serverless: true}}, want: finding.NotApplicable, contains: "serverless"},
		{name: "S3 Express capture", slots: []inventory.Slot{vol(healthyARN, "ml.m5.large"), capture("", "s3://cap--use1-az4--x-s3/p")}, want: finding.Pass},
		{name: "NVMe with a disabled key is judged", slots: []inventory.Slot{vol(disabledARN, "ml.g4dn.xlarge")}, want: finding.Fail},
		{name: "fail beats error", slots: []inventory.Slot{vol("", "ml.m5.large"), capture(deniedARN, "s3://b")}, want: finding.Fail},
		{name: "error beats pass", slots: []inventory.Slot{vol(healthyARN, "ml.m5.large"), capture(deniedARN, "s3://b")}, want: finding.Error},
	})
}
