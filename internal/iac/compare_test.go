package iac

import (
	"testing"

	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/report"
)

func cmk(kind, name string, status finding.Status) finding.Finding {
	return finding.Finding{CheckID: kind + ".cmk", Status: status, Resource: finding.Resource{Kind: kind, Name: name,
		ARN: "arn:aws:sagemaker:us-east-1:111122223333:" + kind + "/" + name}}
}

func TestCompare(t *testing.T) {
	code := []finding.Finding{
		cmk("notebook-instance", "fixed", finding.Pass),
		cmk("notebook-instance", "same", finding.Pass),
		cmk("notebook-instance", "both-bad", finding.Fail),
		cmk("domain", "studio", finding.Pass),
	}
	code[0].Location = &finding.Location{Address: "aws_sagemaker_notebook_instance.fixed"}
	deployed := []finding.Finding{
		cmk("notebook-instance", "fixed", finding.Fail),
		cmk("notebook-instance", "same", finding.Pass),
		cmk("notebook-instance", "both-bad", finding.Fail),
		cmk("notebook-instance", "clickops", finding.Fail),
		cmk("endpoint", "not-a-declared-kind", finding.Fail),
		{CheckID: "notebook-instance.tags", Status: finding.Fail, Resource: finding.Resource{Kind: "notebook-instance", Name: "x"}},
	}
	got := Compare(code, deployed)
	want := []report.Drift{
		{Kind: report.DriftNotDeployed, ResourceKind: "notebook-instance", Name: "fixed", Address: "aws_sagemaker_notebook_instance.fixed"},
		{Kind: report.DriftUndeclared, ResourceKind: "notebook-instance", Name: "clickops"},
	}
	if len(got) != len(want) {
		t.Fatalf("drift = %+v", got)
	}
	for i := range want {
		if got[i].Kind != want[i].Kind || got[i].Name != want[i].Name || got[i].Address != want[i].Address || got[i].ARN == "" {
			t.Errorf("drift %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	if msg := got[0].Message; msg != "fixed in code, not yet deployed: the key is immutable, so this needs the recreate or cut-over plan (sagekey remediate)" {
		t.Errorf("message = %q", msg)
	}
}
