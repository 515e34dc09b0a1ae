package rules

import (
	"testing"

	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/inventory"
)

func TestTrainingJobCMK(t *testing.T) {
	t.Parallel()
	vol := func(ref string, types ...string) inventory.Slot {
		return inventory.Slot{Type: "volume", Name: "volume", Label: "ML storage volume", KeyRef: ref, InstanceTypes: types}
	}
	out := func(ref, uri string) inventory.Slot {
		return inventory.Slot{Type: "output", Name: "output", Label: "model output in S3", KeyRef: ref, OutputURI: uri}
	}
	runCMKCases(t, TrainingJobCMK(), []cmkCase{
		{name: "both keys", slots: []inventory.Slot{vol(healthyARN, "ml.m5.large"), out(healthyARN, "s3://b/o")}, want: finding.Pass},
		{name: "NVMe takes output key only", slots: []inventory.Slot{vol("", "ml.g4dn.xlarge"), out(healthyARN, "s3://b/o")}, want: finding.Pass},
		{name: "heterogeneous all NVMe", slots: []inventory.Slot{vol("", "ml.p4d.24xlarge", "ml.g5.2xlarge"), out(healthyARN, "s3://b")}, want: finding.Pass},
		{name: "heterogeneous with EBS group", slots: []inventory.Slot{vol("", "ml.p4d.24xlarge", "ml.m5.large"), out(healthyARN, "s3://b")}, want: finding.Fail, contains: "transient key"},
		{name: "no keys", slots: []inventory.Slot{vol("", "ml.m5.large"), out("", "s3://b")}, want: finding.Fail, contains: "2 of 2"},
		{name: "AWS-managed output", slots: []inventory.Slot{vol(healthyARN, "ml.m5.large"), out("alias/aws/s3", "s3://b")}, want: finding.Fail, contains: "AWS-managed"},
		{name: "S3 Express output, NVMe volume", slots: []inventory.Slot{vol("", "ml.g4dn.xlarge"), out("", "s3://x--usw2-az1--x-s3/o")}, want: finding.NotApplicable},
		{name: "serverless training", slots: []inventory.Slot{{Type: "volume", Name: "volume", Unsupported: "no ResourceConfig"}, out(healthyARN, "s3://b")}, want: finding.Pass},
	})
}
