package keypolicy

import (
	"slices"
	"strings"
	"testing"

	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/iampolicy"
	"github.com/sagekey/sagekey/internal/keys"
	"github.com/sagekey/sagekey/internal/rules"
)

const account = "111122223333"

func params() Params {
	return Params{
		Root:   "arn:aws:iam::" + account + ":root",
		Admins: []string{"arn:aws:iam::" + account + ":role/KeyAdmin"},
		Users: []string{"arn:aws:iam::" + account + ":role/SageMakerExecution",
			"arn:aws:iam::" + account + ":role/AnotherExecution", "arn:aws:iam::" + account + ":role/SageMakerExecution"},
	}
}

// TestBuildPassesTheScansKeyPolicyCheck: the policy sagekey proposes must be
// one its own kms-key.policy check accepts.
func TestBuildPassesTheScansKeyPolicyCheck(t *testing.T) {
	t.Parallel()
	b, err := iampolicy.Minify(Build(params()))
	if err != nil {
		t.Fatal(err)
	}
	key := keys.Key{Ref: "arn:aws:kms:us-east-1:" + account + ":key/k", ARN: "arn:aws:kms:us-east-1:" + account + ":key/k",
		Account: account, Region: "us-east-1", Manager: keys.ManagerCustomer, State: keys.StateEnabled, Policy: string(b)}
	f := rules.KeyPolicy().CheckKey(rules.ExampleContext(), rules.KeyUse{Key: &key})
	if f.Status != finding.Pass {
		t.Fatalf("kms-key.policy = %s: %s\n%s", f.Status, f.Message, b)
	}

	// The check is not vacuous: granting kms:* to a user fails it.
	bad := Build(params())
	bad.Statement[2].Action = iampolicy.Strings{"kms:*"}
	b, _ = iampolicy.Minify(bad)
	key.Policy = string(b)
	if f := rules.KeyPolicy().CheckKey(rules.ExampleContext(), rules.KeyUse{Key: &key}); f.Status != finding.Fail {
		t.Errorf("kms:* for a user: kms-key.policy = %s, want FAIL", f.Status)
	}
}

func TestBuildIsLeastPrivilege(t *testing.T) {
	t.Parallel()
	doc := Build(params())
	if err := iampolicy.Validate(doc, iampolicy.Resource); err != nil {
		t.Fatal(err)
	}
	bySid := map[string]iampolicy.Statement{}
	for _, st := range doc.Statement {
		bySid[st.Sid] = st
		if slices.Contains(st.Principal["AWS"], "*") || len(st.Principal["*"]) > 0 {
			t.Errorf("%s: \"*\" principal", st.Sid)
		}
		for op := range st.Condition {
			for k := range st.Condition[op] {
				if strings.HasPrefix(strings.ToLower(k), "kms:encryptioncontext") {
					t.Errorf("%s: encryption-context condition breaks HyperPod", st.Sid)
				}
			}
		}
		if slices.Contains(st.Action, "kms:*") && st.Sid != SidRoot {
			t.Errorf("%s: kms:* for someone other than the root", st.Sid)
		}
	}
	if len(bySid) != 5 {
		t.Fatalf("want 5 statements, got %v", doc.Statement)
	}
	for _, use := range []string{"kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*"} {
		if slices.Contains(bySid[SidAdmins].Action, use) {
			t.Errorf("administrators may %s", use)
		}
	}
	if got := bySid[SidUsers].Principal["AWS"]; len(got) != 2 || got[0] > got[1] {
		t.Errorf("users not deduplicated and sorted: %v", got)
	}
	if v := bySid[SidGrants].Condition["Bool"]["kms:GrantIsForAWSResource"]; len(v) != 1 || v[0] != "true" {
		t.Errorf("grant statement lacks kms:GrantIsForAWSResource=true: %+v", bySid[SidGrants])
	}
	if got := bySid[SidGrants].Action; len(got) != 1 || got[0] != "kms:CreateGrant" {
		t.Errorf("the GrantIsForAWSResource statement holds %v: only kms:CreateGrant carries that key for certain", got)
	}
	if v := bySid[SidManageGrants].Condition["StringLike"]["kms:ViaService"]; len(v) == 0 {
		t.Errorf("grant management is not limited to the calling services: %+v", bySid[SidManageGrants])
	}
	if got := Build(Params{Root: "arn:aws:iam::1:root"}); len(got.Statement) != 1 || got.Statement[0].Sid != SidRoot {
		t.Errorf("without admins and users only the root statement remains: %+v", got)
	}
}
