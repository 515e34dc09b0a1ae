package securityhub

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/report"
	"github.com/sagekey/sagekey/internal/trail"
)

// richFindings has every status sagekey imports, tags, slots with keys, a
// blast radius and a suppression, so every ASFF field is set somewhere.
func richFindings() []report.ASFFFinding {
	start := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	nb := finding.Resource{ARN: "arn:aws:sagemaker:us-east-1:" + account + ":notebook-instance/nb", Kind: "notebook-instance",
		Name: "nb", Account: account, Region: "us-east-1", Tags: map[string]string{"owner": "ml"}}
	key := finding.Resource{ARN: "arn:aws:kms:us-east-1:" + account + ":key/k", Kind: "kms-key", Name: "k", Account: account, Region: "us-east-1"}
	slot := finding.Slot{Name: "volume", KeyARN: key.ARN, Status: finding.Fail, Reason: "key is Disabled"}
	r := &report.Report{Started: start, Finished: start.Add(time.Second), Findings: finding.NewList([]finding.Finding{
		{CheckID: "notebook-instance.cmk", Status: finding.Fail, Severity: finding.High, Resource: nb, Message: "bad", Slots: []finding.Slot{slot}, Remediation: "fix"},
		{CheckID: "notebook-instance.cmk", Status: finding.Error, Severity: finding.Medium, Resource: nb, Message: "denied"},
		{CheckID: "notebook-instance.tags", Status: finding.Muted, Severity: finding.Low, Resource: nb, Message: "no team",
			Suppression: &finding.Suppression{Reason: "sandbox", Expires: start.Add(time.Hour)}},
		{CheckID: "kms-key.state", Status: finding.Pass, Severity: finding.Info, Resource: key, Message: "ok", Protects: []finding.Resource{nb}},
	})}
	// A known creator puts UserDefinedFields on the failing finding.
	r.Trail = &report.TrailFacts{Creators: map[string]trail.Creator{strings.ToLower(nb.ARN): {ResourceARN: nb.ARN,
		Principal: "arn:aws:iam::" + account + ":role/deployer", Time: start.Add(-time.Hour), Tool: trail.ToolTerraform}}}
	return report.ASFFFindings(r)
}

// The SDK's field names are the ASFF names, so the converted finding
// encodes to the same JSON as the original once absent values are pruned:
// every field the writer emits is carried over.
func TestConversionCarriesEveryField(t *testing.T) {
	fs := richFindings()
	if len(fs) != 4 {
		t.Fatalf("%d findings", len(fs))
	}
	if len(fs[0].UserDefinedFields) == 0 {
		t.Fatal("the failing finding carries no UserDefinedFields: the fixture no longer covers them")
	}
	for _, f := range fs {
		want, got := pruned(t, f), pruned(t, sdkFinding(f))
		if !reflect.DeepEqual(want, got) {
			a, _ := json.MarshalIndent(want, "", " ")
			b, _ := json.MarshalIndent(got, "", " ")
			t.Errorf("%s: converted finding differs:\nwant %s\ngot  %s", f.Id, a, b)
		}
	}
}

// The conversion copies: changing the SDK value leaves the report's alone.
func TestConversionDoesNotAlias(t *testing.T) {
	f := richFindings()[0]
	s := sdkFinding(f)
	s.Types[0] = "changed"
	s.ProductFields["sagekey/CheckId"] = "changed"
	if f.Types[0] == "changed" || f.ProductFields["sagekey/CheckId"] == "changed" {
		t.Error("SDK finding shares memory with the report's")
	}
}

func pruned(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var m any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return prune(m)
}

// prune drops nulls, empty strings and empty arrays and objects, which both
// encodings mean as "absent".
func prune(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, x := range v {
			if x = prune(x); x != nil {
				out[k] = x
			}
		}
		if len(out) == 0 {
			return nil
		}
		return out
	case []any:
		var out []any
		for _, x := range v {
			if x = prune(x); x != nil {
				out = append(out, x)
			}
		}
		if len(out) == 0 {
			return nil
		}
		return out
	case string:
		if v == "" {
			return nil
		}
	}
	return v
}
