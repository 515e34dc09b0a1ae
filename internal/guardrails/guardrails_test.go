package guardrails

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/sagekey/sagekey/internal/catalog"
	"github.com/sagekey/sagekey/internal/iampolicy"
	"github.com/sagekey/sagekey/internal/testutil/golden"
)

// demo are the settings of the documented demo.
func demo() Settings {
	return Settings{
		ApprovedKeys:     []string{"arn:aws:kms:*:123456789012:key/*"},
		ExemptPrincipals: []string{"arn:aws:iam::123456789012:role/BreakGlass"},
		KeyAdmins:        []string{"arn:aws:iam::123456789012:role/KeyAdmin"},
		KeyUsers:         []string{"arn:aws:iam::123456789012:role/SageMakerExecution"},
		Owner:            "ml-platform", CostCenter: "cc-1234",
	}
}

func mustBuild(t *testing.T, s Settings) *Bundle {
	t.Helper()
	b, err := Build(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestGolden(t *testing.T) {
	t.Parallel()
	cases := map[string]Settings{"demo": demo(), "minimal": {}}
	for name, s := range cases {
		b := mustBuild(t, s)
		for format, ext := range map[string]string{FormatJSON: "json", FormatTerraform: "tf", FormatCloudFormation: "yaml"} {
			var out bytes.Buffer
			if err := Write(&out, b, format); err != nil {
				t.Fatal(err)
			}
			golden.Check(t, name+"."+ext, out.Bytes())
		}
		files, err := Files(b, FormatJSON)
		if err != nil {
			t.Fatal(err)
		}
		golden.Check(t, name+".notes.md", files["notes.md"])
	}
}

// TestPolicyFilesFitAsWritten: --out writes each policy exactly as its size
// was checked, so a file submitted as it is (create-policy --content
// file://scp-1.json) is within the limit even if AWS counts whitespace.
func TestPolicyFilesFitAsWritten(t *testing.T) {
	t.Parallel()
	files, err := Files(mustBuild(t, demo()), FormatJSON)
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for name, body := range files {
		limit := 0
		switch {
		case strings.HasPrefix(name, "scp-"):
			limit = SCPMaxChars
		case strings.HasPrefix(name, "iam-deny-"):
			limit = IAMMaxChars
		default:
			continue
		}
		seen++
		if len(body) > limit {
			t.Errorf("%s has %d characters as written, over the %d limit", name, len(body), limit)
		}
	}
	if seen < 3 {
		t.Errorf("only %d policy files written; the demo needs several", seen)
	}
}

func TestOutputIsDeterministic(t *testing.T) {
	t.Parallel()
	s := demo()
	s.ApprovedKeys = append(s.ApprovedKeys, "arn:aws:kms:*:210987654321:key/*", s.ApprovedKeys[0])
	shuffled := s
	shuffled.ApprovedKeys = []string{s.ApprovedKeys[1], s.ApprovedKeys[0]}
	for _, format := range Formats() {
		var a, b bytes.Buffer
		if err := Write(&a, mustBuild(t, s), format); err != nil {
			t.Fatal(err)
		}
		if err := Write(&b, mustBuild(t, shuffled), format); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a.Bytes(), b.Bytes()) {
			t.Errorf("%s: output depends on flag order or duplicates", format)
		}
	}
}

// Actions a Null statement must never name: their requests carry no KMS
// condition key, so the deny would match every request.
var forbiddenInNull = []string{"sagemaker:UpdateNotebookInstance", "sagemaker:CreateEndpoint",
	"sagemaker:CreateCluster", "sagemaker:UpdateCluster"}

func TestPoliciesAreValidSupportedAndSmall(t *testing.T) {
	t.Parallel()
	for name, s := range map[string]Settings{"demo": demo(), "minimal": {}, "many": many(12, 6)} {
		b := mustBuild(t, s)
		check := func(p Policy, typ iampolicy.Type, limit int) {
			if err := iampolicy.Validate(p.Document, typ); err != nil {
				t.Errorf("%s/%s: %v", name, p.Name, err)
			}
			if n, _ := size(p.Document); n > limit {
				t.Errorf("%s/%s: %d characters minified, over %d", name, p.Name, n, limit)
			}
			for _, st := range p.Document.Statement {
				checkStatement(t, name+"/"+p.Name, st)
			}
		}
		for _, p := range b.SCPs {
			check(p, iampolicy.ServiceControl, SCPMaxChars)
		}
		for _, p := range b.IAMPolicies {
			check(p, iampolicy.Identity, IAMMaxChars)
		}
		if b.Key != nil {
			if err := iampolicy.Validate(b.Key.Policy, iampolicy.Resource); err != nil {
				t.Errorf("%s: key policy: %v", name, err)
			}
		}
	}
}

// checkStatement holds a deny statement to the catalog's SAR table.
func checkStatement(t *testing.T, where string, st iampolicy.Statement) {
	t.Helper()
	if st.Effect != iampolicy.Deny || len(st.Resource) != 1 || st.Resource[0] != "*" {
		t.Errorf("%s %s: want Deny on *", where, st.Sid)
	}
	for op, keys := range st.Condition {
		for key := range keys {
			for _, a := range st.Action {
				if !catalog.ActionSupportsConditionKey(a, key) {
					t.Errorf("%s %s: SAR does not list %s (%s) on %s", where, st.Sid, key, op, a)
				}
			}
		}
	}
	if _, isNull := st.Condition["Null"]; !isNull {
		return
	}
	for _, a := range st.Action {
		if slices.Contains(forbiddenInNull, a) || slices.Contains(catalog.ActionsWithoutKMSConditionKey(), a) {
			t.Errorf("%s %s: %s carries no KMS key and must never be in a Null-deny", where, st.Sid, a)
		}
		if strings.HasPrefix(a, "sagemaker:Update") {
			t.Errorf("%s %s: update action %s in a Null-deny (updates need not restate keys)", where, st.Sid, a)
		}
	}
}

func TestNVMeExemptionsComeFromTheScansTables(t *testing.T) {
	t.Parallel()
	for _, st := range Statements(Settings{}) {
		vals := st.Condition["ForAllValues:StringNotLike"]["sagemaker:InstanceTypes"]
		if !strings.Contains(st.Sid, "NvmeExempt") {
			if vals != nil {
				t.Errorf("%s: unexpected exemption", st.Sid)
			}
			continue
		}
		var table catalog.Table
		for _, tb := range []catalog.Table{catalog.TableTraining, catalog.TableProcessing, catalog.TableHosting, catalog.TableTransform} {
			if strings.HasPrefix(st.Sid, "RequireVolumeKmsKey"+strings.ToUpper(string(tb[:1]))+string(tb[1:])) {
				table = tb
			}
		}
		fams := catalog.LocalStorageFamilies(table)
		if len(fams) == 0 || len(vals) != len(fams) {
			t.Fatalf("%s: %d patterns for table %q with %d families", st.Sid, len(vals), table, len(fams))
		}
		for _, f := range fams {
			if !slices.Contains(vals, "ml."+f+".*") {
				t.Errorf("%s: ml.%s.* missing", st.Sid, f)
			}
		}
	}
}

func TestBadSettings(t *testing.T) {
	t.Parallel()
	for name, s := range map[string]Settings{
		"approved key not a KMS ARN": {ApprovedKeys: []string{"arn:aws:s3:::bucket"}},
		"exempt principal not ARN":   {ExemptPrincipals: []string{"BreakGlass"}},
		"admin not an IAM ARN":       {KeyAdmins: []string{"KeyAdmin"}},
		"principals in two accounts": {KeyAdmins: []string{"arn:aws:iam::111111111111:role/A"}, KeyUsers: []string{"arn:aws:iam::222222222222:role/U"}},
		"reserved alias":             {Alias: "alias/aws/sagemaker"},
		"interpolation":              {Owner: "${var.owner}"},
		"partition":                  {Partition: "azure"},
	} {
		if _, err := Build(s); err == nil {
			t.Errorf("%s: Build accepted it", name)
		}
	}
}
