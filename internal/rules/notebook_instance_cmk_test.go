package rules

import (
	"testing"

	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/inventory"
)

func TestNotebookInstanceCMK(t *testing.T) {
	t.Parallel()
	vol := func(ref string) inventory.Slot {
		return inventory.Slot{Type: "volume", Name: "volume", Label: "ML storage volume", KeyRef: ref}
	}
	runCMKCases(t, NotebookInstanceCMK(), []cmkCase{
		{name: "key ARN, healthy", slots: []inventory.Slot{vol(healthyARN)}, want: finding.Pass},
		{name: "key ID, healthy", slots: []inventory.Slot{vol("11111111-1111-1111-1111-111111111111")}, want: finding.Pass},
		{name: "alias name, healthy", slots: []inventory.Slot{vol("alias/ml-data")}, want: finding.Pass},
		{name: "alias ARN, healthy", slots: []inventory.Slot{vol("arn:aws:kms:us-east-1:111122223333:alias/ml-data")}, want: finding.Pass},
		{name: "no key", slots: []inventory.Slot{vol("")}, want: finding.Fail, contains: "system-managed"},
		{name: "AWS-managed alias", slots: []inventory.Slot{vol("alias/aws/sagemaker")}, want: finding.Fail, contains: "AWS-managed"},
		{name: "AWS-managed by ARN", slots: []inventory.Slot{vol(awsARN)}, want: finding.Fail, contains: "AWS-managed"},
		{name: "disabled", slots: []inventory.Slot{vol(disabledARN)}, want: finding.Fail, severity: finding.High, contains: "Disabled"},
		{name: "pending deletion is critical", slots: []inventory.Slot{vol(pendingARN)}, want: finding.Fail, severity: finding.Critical, contains: "2026-12-01"},
		{name: "missing key is critical", slots: []inventory.Slot{vol(missingARN)}, want: finding.Fail, severity: finding.Critical, contains: "does not exist"},
		{name: "manager not reported is ERROR, never PASS", slots: []inventory.Slot{vol(undescribedARN)}, want: finding.Error, contains: "did not report"},
		{name: "key access denied", slots: []inventory.Slot{vol(deniedARN)}, want: finding.Error, contains: "access denied"},
		{name: "describe denied", slots: []inventory.Slot{inventory.UnreadableSlot("sagemaker:DescribeNotebookInstance: access denied")}, want: finding.Error, contains: "access denied"},
	})
}

func TestApprovedKeyList(t *testing.T) {
	t.Parallel()
	c := fixtureContext()
	c.ApprovedKeys = map[string]bool{"arn:aws:kms:us-east-1:111122223333:key/other": true}
	r := resource("notebook-instance", inventory.Slot{Type: "volume", Name: "volume", KeyRef: healthyARN})
	if f := NotebookInstanceCMK().CheckResource(c, r); f.Status != finding.Fail || !containsFold(f.Message, "approved") {
		t.Errorf("unapproved key: %s %q", f.Status, f.Message)
	}
	c.ApprovedKeys[healthyARN] = true
	if f := NotebookInstanceCMK().CheckResource(c, r); f.Status != finding.Pass {
		t.Errorf("approved key: %s %q", f.Status, f.Message)
	}
}
