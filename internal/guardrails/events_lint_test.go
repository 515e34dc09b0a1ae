package guardrails

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"

	"github.com/sagekey/sagekey/internal/iampolicy"
)

// TestEventsCloudFormationPassesCfnLint lints the template as
// TestCloudFormationPassesCfnLint does: any finding fails.
func TestEventsCloudFormationPassesCfnLint(t *testing.T) {
	t.Parallel()
	bin := needCfnLint(t)
	var tmpl bytes.Buffer
	if err := WriteEvents(&tmpl, mustBuildEvents(t), FormatCloudFormation); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "events.yaml")
	if err := os.WriteFile(path, tmpl.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	out, _ := exec.Command(bin, "--format", "parseable", path).CombinedOutput()
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if line != "" {
			t.Errorf("cfn-lint events.yaml: %.300s", line)
		}
	}
}

// TestEventsTerraformParsesAndSubmits parses the HCL, counts the resource
// blocks, and evaluates every policy and pattern the way Terraform would,
// with each referenced attribute standing for its placeholder: what comes
// out must be exactly the document built with placeholders, so every
// reference lands where the placeholder was.
func TestEventsTerraformParsesAndSubmits(t *testing.T) {
	t.Parallel()
	e := mustBuildEvents(t)
	var src bytes.Buffer
	if err := WriteEvents(&src, e, FormatTerraform); err != nil {
		t.Fatal(err)
	}
	f, diags := hclparse.NewParser().ParseHCL(src.Bytes(), "events.tf")
	if diags.HasErrors() {
		t.Fatalf("HCL does not parse: %v", diags)
	}
	arn := func(s string) cty.Value {
		return cty.TupleVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{"arn": cty.StringVal(s)})})
	}
	rules := map[string]cty.Value{}
	for i, p := range e.Patterns {
		rules[tfLabel("consume", p)] = arn(phRule(i))
	}
	ctx := &hcl.EvalContext{
		Functions: map[string]function.Function{"jsonencode": stdlib.JSONEncodeFunc, "jsondecode": stdlib.JSONDecodeFunc},
		Variables: map[string]cty.Value{
			"var": cty.ObjectVal(map[string]cty.Value{"organization_id": cty.StringVal(phOrg),
				"queue_kms_key_arn": cty.StringVal(phQueueKey)}),
			"local": cty.ObjectVal(map[string]cty.Value{"central_bus_arn": cty.StringVal(phForwardTo)}),
			"data": cty.ObjectVal(map[string]cty.Value{"aws_caller_identity": cty.ObjectVal(map[string]cty.Value{
				"current": cty.ObjectVal(map[string]cty.Value{"account_id": cty.StringVal(phAccount)})})}),
			"aws_sqs_queue":             cty.ObjectVal(map[string]cty.Value{"events": arn(phQueue)}),
			"aws_cloudwatch_event_bus":  cty.ObjectVal(map[string]cty.Value{"central": arn(phCentralBus)}),
			"aws_cloudwatch_event_rule": cty.ObjectVal(rules),
		},
	}
	r := placeholderRefs(e)
	wantPolicies := map[string]iampolicy.Document{
		"aws_cloudwatch_event_bus_policy.central": busPolicy(r), "aws_sqs_queue_policy.events": queuePolicy(r),
		"aws_iam_role.forward": forwardTrust(r), "aws_iam_role_policy.forward": forwardPolicy(r),
		"aws_iam_policy.serve_queue": serveQueuePolicy(r), "aws_iam_policy.serve_queue_key": serveQueueKeyPolicy(r),
	}
	for i, p := range e.ServeScanPolicies {
		wantPolicies[fmt.Sprintf("aws_iam_policy.serve_scan_%d", i+1)] = p.Document
	}
	wantPatterns := map[string]EventPattern{}
	for _, p := range e.Patterns {
		wantPatterns["aws_cloudwatch_event_rule."+tfLabel("consume", p)] = p
		wantPatterns["aws_cloudwatch_event_rule."+tfLabel("forward", p)] = p
	}
	count := map[string]int{}
	seen := 0
	for _, block := range f.Body.(*hclsyntax.Body).Blocks {
		if block.Type != "resource" {
			count[block.Type]++
			continue
		}
		count[block.Labels[0]]++
		id := block.Labels[0] + "." + block.Labels[1]
		for _, attr := range []string{"policy", "assume_role_policy", "event_pattern"} {
			a, ok := block.Body.Attributes[attr]
			if !ok {
				continue
			}
			v, d := a.Expr.Value(ctx)
			if d.HasErrors() {
				t.Fatalf("%s %s: %v", id, attr, d)
			}
			seen++
			if attr == "event_pattern" {
				checkSubmittedPattern(t, id, v.AsString(), wantPatterns[id])
				continue
			}
			doc, err := iampolicy.Parse([]byte(v.AsString()))
			if err != nil {
				t.Fatal(err)
			}
			if want, ok := wantPolicies[id]; !ok || !reflect.DeepEqual(doc, want) {
				t.Errorf("%s: Terraform would submit\n%+v\nwant\n%+v", id, doc, want)
			}
		}
	}
	if seen != len(wantPolicies)+len(wantPatterns) {
		t.Errorf("%d policies and patterns evaluated, want %d", seen, len(wantPolicies)+len(wantPatterns))
	}
	n := len(e.Patterns)
	want := map[string]int{"variable": 4, "data": 3, "locals": 1, "output": 1,
		"aws_cloudwatch_event_bus": 1, "aws_cloudwatch_event_bus_policy": 1, "aws_sqs_queue": 2, "aws_sqs_queue_policy": 1,
		"aws_cloudwatch_event_rule": 2 * n, "aws_cloudwatch_event_target": 2 * n, "aws_iam_role": 1, "aws_iam_role_policy": 1,
		"aws_iam_policy": 2 + len(e.ServeScanPolicies)}
	if !reflect.DeepEqual(count, want) {
		t.Errorf("blocks = %v, want %v", count, want)
	}
}

// checkSubmittedPattern: Terraform's jsonencode sorts keys, so the pattern
// is compared as JSON, and its submitted length held to the quota.
func checkSubmittedPattern(t *testing.T, id, got string, want EventPattern) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal([]byte(got), &g); err != nil {
		t.Fatal(err)
	}
	_ = json.Unmarshal(want.JSON(), &w)
	if want.Name == "" || !reflect.DeepEqual(g, w) {
		t.Errorf("%s: Terraform would submit pattern %s, want %s", id, got, want.JSON())
	}
	if len(got) > EventPatternMaxChars {
		t.Errorf("%s: %d characters submitted, over %d", id, len(got), EventPatternMaxChars)
	}
}
