package bench

import (
	"strings"
	"testing"
)

func TestCheckKeyAccess(t *testing.T) {
	t.Parallel()
	want := map[resourceID]string{
		{KindNotebook, "us-east-1", "nb-a"}:   statusPass,
		{KindNotebook, "us-east-1", "nb-b"}:   statusFail,
		{KindEndpoint, "eu-west-1", "ep-a"}:   statusNotApplicable,
		{KindTrainingJob, "us-east-1", "t-a"}: statusFail,
	}
	finding := func(check, arn, status string) reportFinding {
		f := reportFinding{CheckID: check, Status: status, Message: "m"}
		f.Resource.ARN = arn
		return f
	}
	rep := &ScanReport{Findings: []reportFinding{
		finding("notebook-instance.key-access", "arn:aws:sagemaker:us-east-1:1:notebook-instance/nb-a", statusPass),
		finding("notebook-instance.key-access", "arn:aws:sagemaker:us-east-1:1:notebook-instance/nb-b", "ERROR"),
		finding("endpoint.key-access", "arn:aws:sagemaker:eu-west-1:1:endpoint/ep-a", statusNotApplicable),
		// Other checks are not key-access verdicts; t-a has none.
		finding("training-job.cmk", "arn:aws:sagemaker:us-east-1:1:training-job/t-a", statusFail),
		// A resource the bench did not seed (the same name in another region).
		finding("endpoint.key-access", "arn:aws:sagemaker:us-east-1:1:endpoint/ep-a", statusPass),
	}}
	c := rep.CheckKeyAccess(want)
	if c.OK() || c.Matched != 2 || c.Mismatched != 2 || c.Unexpected != 1 {
		t.Fatalf("check = %+v, want 2 matched, 2 mismatched, 1 unexpected", c)
	}
	if c.Expected[statusFail] != 2 || c.Expected[statusPass] != 1 || c.Expected[statusNotApplicable] != 1 {
		t.Errorf("expected by status %v", c.Expected)
	}
	// Sorted by kind: notebook-instance before training-job.
	if m := c.Examples[0]; m.Name != "nb-b" || m.Want != statusFail || m.Got != "ERROR" || m.Message != "m" {
		t.Errorf("first mismatch %+v", m)
	}
	if m := c.Examples[1]; m.Name != "t-a" || m.Got != "" {
		t.Errorf("second mismatch %+v, want t-a without a finding", m)
	}
	if d := c.describe(); !strings.Contains(d, "2 of 4 as the roles imply") {
		t.Errorf("describe() = %q", d)
	}
	if (KeyAccessCheck{Reason: "phase a failed"}).OK() {
		t.Error("an unchecked report is OK")
	}
}
