package rules

import (
	"testing"

	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/inventory"
)

func TestClusterCMK(t *testing.T) {
	t.Parallel()
	root := func(g, ref string) inventory.Slot {
		return inventory.Slot{Type: "root-volume", Name: "root-volume:" + g, Label: "instance group " + g + ": root volume", KeyRef: ref}
	}
	sec := func(g, ref string) inventory.Slot {
		return inventory.Slot{Type: "ebs-volume", Name: "ebs-volume:" + g, Label: "instance group " + g + ": secondary EBS volume", KeyRef: ref}
	}
	runCMKCases(t, ClusterCMK(), []cmkCase{
		{name: "root and secondary keyed", slots: []inventory.Slot{root("controller", healthyARN), sec("controller", healthyARN)}, want: finding.Pass},
		{name: "no root config", slots: []inventory.Slot{root("controller", ""), sec("controller", healthyARN)}, want: finding.Fail, contains: "instance group controller: root volume: no key: the volume keeps the default AWS-owned key"},
		{name: "secondary without key", slots: []inventory.Slot{root("workers", healthyARN), sec("workers", "")}, want: finding.Fail, contains: "instance group workers: secondary EBS volume: no key"},
		{name: "restricted group", slots: []inventory.Slot{{Type: "root-volume", Name: "root-volume:r", Unsupported: "restricted instance groups do not support customer-managed keys"}}, want: finding.NotApplicable, contains: "restricted"},
	})
}
