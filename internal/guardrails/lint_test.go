package guardrails

import (
	"bytes"
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
	"github.com/sagekey/sagekey/internal/keypolicy"
)

// TestCloudFormationPassesCfnLint runs cfn-lint on the template and on the
// conformance pack. cfn-lint's IAM action list predates sagemaker:CreateJob
// (which SAR lists with OutputKmsKeyArn), so that one W3037 warning is
// tolerated; any other finding fails.
func TestCloudFormationPassesCfnLint(t *testing.T) {
	t.Parallel()
	bin := needCfnLint(t)
	for name, s := range map[string]Settings{"demo": demo(), "minimal": {}, "many": many(40, 15)} {
		b := mustBuild(t, s)
		var tmpl bytes.Buffer
		if err := Write(&tmpl, b, FormatCloudFormation); err != nil {
			t.Fatal(err)
		}
		for file, body := range map[string][]byte{name + "-guardrails.yaml": tmpl.Bytes(), name + "-conformance-pack.yaml": b.ConformancePack} {
			path := filepath.Join(t.TempDir(), file)
			if err := os.WriteFile(path, body, 0o644); err != nil {
				t.Fatal(err)
			}
			out, _ := exec.Command(bin, "--format", "parseable", path).CombinedOutput()
			for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
				if line == "" || (strings.Contains(line, ":W3037:") && strings.Contains(line, "'createjob' is not one of")) {
					continue
				}
				t.Errorf("cfn-lint %s: %.300s", file, line)
			}
		}
	}
}

// TestTerraformParsesAndSubmitsThePolicies parses the HCL, checks the
// resource blocks, and evaluates each policy expression the way Terraform
// would (jsonencode(jsondecode(...))) to prove it submits the validated
// document.
func TestTerraformParsesAndSubmitsThePolicies(t *testing.T) {
	t.Parallel()
	b := mustBuild(t, demo())
	var src bytes.Buffer
	if err := Write(&src, b, FormatTerraform); err != nil {
		t.Fatal(err)
	}
	f, diags := hclparse.NewParser().ParseHCL(src.Bytes(), "guardrails.tf")
	if diags.HasErrors() {
		t.Fatalf("HCL does not parse: %v", diags)
	}
	const root = "arn:aws:iam::123456789012:root"
	ctx := &hcl.EvalContext{
		Functions: map[string]function.Function{"jsonencode": stdlib.JSONEncodeFunc, "jsondecode": stdlib.JSONDecodeFunc},
		Variables: map[string]cty.Value{"local": cty.ObjectVal(map[string]cty.Value{"account_root": cty.StringVal(root)})},
	}
	count := map[string]int{}
	var submitted []iampolicy.Document
	for _, block := range f.Body.(*hclsyntax.Body).Blocks {
		if len(block.Labels) == 0 {
			continue
		}
		count[block.Type+"."+block.Labels[0]]++
		for _, attr := range []string{"content", "policy"} {
			if a, ok := block.Body.Attributes[attr]; ok {
				v, d := a.Expr.Value(ctx)
				if d.HasErrors() {
					t.Fatalf("%s %v: %v", attr, block.Labels, d)
				}
				doc, err := iampolicy.Parse([]byte(v.AsString()))
				if err != nil {
					t.Fatal(err)
				}
				submitted = append(submitted, doc)
			}
		}
		if block.Labels[0] == "aws_kms_key" {
			v, _ := block.Body.Attributes["enable_key_rotation"].Expr.Value(nil)
			if !v.True() {
				t.Error("aws_kms_key without enable_key_rotation = true")
			}
		}
	}
	want := map[string]int{"data.aws_caller_identity": 1, "data.aws_partition": 1,
		"resource.aws_organizations_policy": len(b.SCPs), "resource.aws_iam_policy": len(b.IAMPolicies),
		"resource.aws_kms_key": 1, "resource.aws_kms_alias": 1, "resource.aws_config_organization_conformance_pack": 1}
	if !reflect.DeepEqual(count, want) {
		t.Errorf("blocks = %v, want %v", count, want)
	}
	var expected []iampolicy.Document
	for _, p := range append(append([]Policy(nil), b.SCPs...), b.IAMPolicies...) {
		expected = append(expected, p.Document)
	}
	params := b.Key.Params
	params.Root = root
	expected = append(expected, keypolicy.Build(params))
	if len(submitted) != len(expected) {
		t.Fatalf("%d policies submitted, want %d", len(submitted), len(expected))
	}
	for i := range expected {
		if !reflect.DeepEqual(submitted[i], expected[i]) {
			t.Errorf("policy %d: Terraform would submit\n%+v\nwant\n%+v", i, submitted[i], expected[i])
		}
	}
}

// needCfnLint finds cfn-lint: without it the lint tests skip locally and
// fail under CI=true, which must run them.
func needCfnLint(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("cfn-lint")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("cfn-lint is not installed; CI must run this test (pip install cfn-lint)")
		}
		t.Skip("cfn-lint is not installed; install it (pip install cfn-lint) to lint the CloudFormation output")
	}
	return bin
}
