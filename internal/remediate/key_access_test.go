package remediate

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/iampolicy"
	"github.com/sagekey/sagekey/internal/inventory"
	"github.com/sagekey/sagekey/internal/keyaccess"
	"github.com/sagekey/sagekey/internal/keypolicy"
	"github.com/sagekey/sagekey/internal/keys"
	"github.com/sagekey/sagekey/internal/rules"
)

func TestAccessStatements(t *testing.T) {
	t.Parallel()
	const role, key = "arn:aws:iam::111122223333:role/ml/Train.Role-1", "arn:aws:kms:us-east-1:111122223333:key/k"
	cases := []struct {
		name      string
		via       string
		actions   []string
		delegated bool
		want      string // the statements as JSON
	}{
		{"key policy, use only", "s3.us-east-1.amazonaws.com", []string{"kms:GenerateDataKey", "kms:Decrypt"}, false,
			`[{"Sid":"SagekeyAllowTrainRole1ViaS3","Effect":"Allow","Principal":{"AWS":"` + role + `"},` +
				`"Action":["kms:Decrypt","kms:GenerateDataKey"],"Resource":"*",` +
				`"Condition":{"StringEquals":{"kms:ViaService":"s3.us-east-1.amazonaws.com"}}}]`},
		{"key policy, grant apart", "sagemaker.us-east-1.amazonaws.com", []string{"kms:CreateGrant", "kms:DescribeKey"}, false,
			`[{"Sid":"SagekeyAllowTrainRole1ViaSagemaker","Effect":"Allow","Principal":{"AWS":"` + role + `"},` +
				`"Action":"kms:DescribeKey","Resource":"*",` +
				`"Condition":{"StringEquals":{"kms:ViaService":"sagemaker.us-east-1.amazonaws.com"}}},` +
				`{"Sid":"SagekeyAllowTrainRole1GrantsViaSagemaker","Effect":"Allow","Principal":{"AWS":"` + role + `"},` +
				`"Action":"kms:CreateGrant","Resource":"*",` +
				`"Condition":{"Bool":{"kms:GrantIsForAWSResource":"true"},"StringEquals":{"kms:ViaService":"sagemaker.us-east-1.amazonaws.com"}}}]`},
		{"IAM, on the key only", "s3.eu-west-1.amazonaws.com", []string{"kms:Decrypt"}, true,
			`[{"Sid":"SagekeyKeyAccessViaS3","Effect":"Allow","Action":"kms:Decrypt","Resource":"` + key + `",` +
				`"Condition":{"StringEquals":{"kms:ViaService":"s3.eu-west-1.amazonaws.com"}}}]`},
		{"no service: no condition but the grant's", "", []string{"kms:CreateGrant"}, true,
			`[{"Sid":"SagekeyKeyAccessGrants","Effect":"Allow","Action":"kms:CreateGrant","Resource":"` + key + `",` +
				`"Condition":{"Bool":{"kms:GrantIsForAWSResource":"true"}}}]`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sid := accessSid(role)
			if tc.delegated {
				sid = iamSid
			}
			got, err := json.Marshal(accessStatements(sid, role, key, tc.via, tc.actions, tc.delegated))
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}

func TestActionReasons(t *testing.T) {
	t.Parallel()
	a := finding.Access{Reason: "kms:Decrypt, kms:Encrypt: not in the key policy and no IAM delegation; " +
		"kms:GenerateDataKey: depends on aws:SourceIp (Deny in key policy statement X); otherwise allowed by key policy statement Y; " +
		"kms:CreateGrant: explicit Deny in IAM policy p statement #2"}
	want := map[string]string{
		"kms:Decrypt":         "not in the key policy and no IAM delegation",
		"kms:Encrypt":         "not in the key policy and no IAM delegation",
		"kms:GenerateDataKey": "depends on aws:SourceIp (Deny in key policy statement X); otherwise allowed by key policy statement Y",
		"kms:CreateGrant":     "explicit Deny in IAM policy p statement #2",
	}
	if got := actionReasons(a); !reflect.DeepEqual(got, want) {
		t.Errorf("got %#v", got)
	}
	for reason, want := range map[string]string{
		"explicit Deny in key policy statement D":                                 "deny",
		"the permissions boundary ml-boundary does not allow it":                  "boundary",
		"role does not exist":                                                     "missing-role",
		"the key policy delegates to IAM but the role's policies do not allow it": "",
	} {
		if got := blocker(reason); got != want {
			t.Errorf("blocker(%q) = %q, want %q", reason, got, want)
		}
	}
}

// TestStatementsFixTheFinding: the fixture's policies with the plan's
// statements added let the role do every missing action the evaluator
// can be satisfied on, and the one an explicit Deny blocks stays denied
// (the plan warns about it instead).
func TestStatementsFixTheFinding(t *testing.T) {
	t.Parallel()
	in := fixture()
	f := keyAccessFinding()
	it := Item{}
	b := newBuilder(in, Options{})
	role := b.roleARN(trainRole)
	iam := fixtureIAM().Roles[0]
	for _, a := range f.Access {
		fix := b.accessWarnings(&it, a, role)
		k := b.keys[a.KeyARN]
		facts := keyaccess.Facts{KeyPolicy: k.Policy, Role: &iam}
		if a.Delegated {
			doc := mergeStatements(iampolicy.Document{}, accessStatements(iamSid, role, a.KeyARN, a.ViaService, fix, true))
			iam.Policies = append(iam.Policies, inventory.PolicyDocument{Name: "sagekey", Document: sortedJSON(doc)})
			facts.Role = &iam
		} else {
			doc, _ := iampolicy.Parse([]byte(k.Policy))
			facts.KeyPolicy = sortedJSON(mergeStatements(doc, accessStatements(accessSid(role), role, a.KeyARN, a.ViaService, fix, false)))
		}
		for _, r := range keyaccess.EvaluateActions(keyaccess.Request{Role: trainRole, KeyARN: a.KeyARN, ViaService: a.ViaService}, a.Missing, facts) {
			wantAllowed := slices.Contains(fix, r.Action)
			if (r.Decision == keyaccess.Allowed) != wantAllowed {
				t.Errorf("%s on %s: %s (%s), want allowed=%v", r.Action, a.KeyARN, r.Decision, r.Reason, wantAllowed)
			}
		}
		// Through another service the statements allow nothing.
		for _, r := range keyaccess.EvaluateActions(keyaccess.Request{Role: trainRole, KeyARN: a.KeyARN, ViaService: "ec2.us-east-1.amazonaws.com"}, fix, facts) {
			if r.Decision == keyaccess.Allowed {
				t.Errorf("%s on %s through EC2 allowed by %s", r.Action, a.KeyARN, r.Reason)
			}
		}
	}
	if w := strings.Join(it.Warnings, "\n"); !strings.Contains(w, "DenyWritesOutsideEtl") {
		t.Errorf("no warning names the Deny: %s", w)
	}
}

// TestFixtureMatchesTheRules: the hand-written findings are what the rules
// say about the fixture's facts, so the plan parses real reasons.
func TestFixtureMatchesTheRules(t *testing.T) {
	t.Parallel()
	ks := keys.NewSet()
	for _, k := range []keys.Key{noDelegationKey, delegatingKey, sharedKey} {
		ks.Put(keys.ParseRef(k.ARN, acct, east).Canonical(), &k)
	}
	ctx := &rules.Context{Keys: ks, IAM: map[string]inventory.AccountIAM{acct: fixtureIAM()}}
	var got finding.Finding
	for _, r := range rules.All() {
		if r.ID == "training-job.key-access" {
			got = r.CheckResource(ctx, trainAccess())
		}
	}
	want := keyAccessFinding()
	if got.Status != want.Status || got.Message != want.Message || !reflect.DeepEqual(got.Access, want.Access) {
		t.Errorf("training-job.key-access = %s %q\n%+v\nwant the fixture's\n%+v", got.Status, got.Message, got.Access, want.Access)
	}
	ebs := inventory.Resource{Kind: "training-job", ARN: arn("training-job", "train-ebs"), Name: "train-ebs",
		Account: acct, Region: east, ExecutionRoles: []string{sageMakerExec}}
	sk := sharedKey
	lp := rules.KeyLeastPrivilege().CheckKey(ctx, rules.KeyUse{Key: &sk, Protected: []*inventory.Resource{&ebs}})
	wantLP := leastPrivilegeFinding(finding.Resource{})
	if lp.Status != finding.Fail || lp.Message != wantLP.Message || !reflect.DeepEqual(lp.Principals, wantLP.Principals) {
		t.Errorf("kms-key.least-privilege = %s %q\n%+v\nwant the fixture's", lp.Status, lp.Message, lp.Principals)
	}
}

func TestMergeStatements(t *testing.T) {
	t.Parallel()
	doc, _ := iampolicy.Parse([]byte(`{"Statement":[
	 {"Sid":"SagekeyAllowXViaS3","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::1:role/X"},"Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"kms:ViaService":"s3.r.amazonaws.com"}}},
	 {"Sid":"SagekeyAllowYViaS3","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::1:role/other"},"Action":"kms:Decrypt","Resource":"*"}]}`))
	add := append(accessStatements(accessSid("arn:aws:iam::1:role/X"), "arn:aws:iam::1:role/X", "k", "s3.r.amazonaws.com",
		[]string{"kms:GenerateDataKey"}, false),
		accessStatements(accessSid("arn:aws:iam::1:role/Y"), "arn:aws:iam::1:role/Y", "k", "s3.r.amazonaws.com",
			[]string{"kms:Decrypt"}, false)...)
	got := mergeStatements(doc, add)
	if len(got.Statement) != 3 || got.Version != iampolicy.Version {
		t.Fatalf("got %+v", got)
	}
	if a := got.Statement[0].Action; !slices.Equal(a, []string{"kms:Decrypt", "kms:GenerateDataKey"}) {
		t.Errorf("the earlier statement for the same role and service was not widened: %v", a)
	}
	if s := got.Statement[2].Sid; s != "SagekeyAllowYViaS32" {
		t.Errorf("a Sid taken by another principal's statement was reused: %s", s)
	}
	if len(doc.Statement[0].Action) != 1 {
		t.Error("mergeStatements changed its input")
	}
}

// TestMergePyMatchesGo: the script the plan runs merges as the diff shows.
func TestMergePyMatchesGo(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 not installed")
	}
	dir := t.TempDir()
	cur := `{"Version":"2012-10-17","Statement":{"Sid":"SagekeyAllowXViaS3","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::1:role/X"},` +
		`"Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"kms:ViaService":"s3.r.amazonaws.com"}}}}`
	add := append(accessStatements(accessSid("arn:aws:iam::1:role/X"), "arn:aws:iam::1:role/X", "k", "s3.r.amazonaws.com",
		[]string{"kms:GenerateDataKey", "kms:CreateGrant"}, false),
		accessStatements(iamSid, "arn:aws:iam::1:role/X", "k", "s3.r.amazonaws.com", []string{"kms:Decrypt"}, true)...)
	for name, current := range map[string]string{"existing": cur, "none": "{}"} {
		_ = os.WriteFile(filepath.Join(dir, name+".json"), []byte(current), 0o644)
		_ = os.WriteFile(filepath.Join(dir, "add.json"), []byte(sortedJSON(add)), 0o644)
		cmd := exec.Command("python3", "-", name+".json", "add.json", name+"-out.json")
		cmd.Dir, cmd.Stdin = dir, strings.NewReader(mergePy)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", name, err, out)
		}
		out, _ := os.ReadFile(filepath.Join(dir, name+"-out.json"))
		gotDoc, err := iampolicy.Parse(out)
		if err != nil {
			t.Fatal(err)
		}
		base, _ := iampolicy.Parse([]byte(current))
		if got, want := sortedJSON(gotDoc), sortedJSON(mergeStatements(base, add)); got != want {
			t.Errorf("%s: python wrote\n%s\nGo shows\n%s", name, got, want)
		}
	}
}

func TestKeyAccessItemWarnings(t *testing.T) {
	t.Parallel()
	f := finding.Finding{CheckID: "processing-job.key-access", Status: finding.Fail,
		Resource: finding.Resource{ARN: arn("processing-job", "p"), Kind: "processing-job", Name: "p", Account: acct, Region: east},
		Access: []finding.Access{
			{Role: "arn:aws:iam::111122223333:role/gone", KeyARN: targetKey, Status: finding.Fail,
				Missing: []string{"kms:CreateGrant"}, Reason: "kms:CreateGrant: role does not exist"},
			{Role: "arn:aws:iam::444455556666:role/other", KeyARN: targetKey, ViaService: "s3.us-east-1.amazonaws.com", Status: finding.Fail,
				Missing: []string{"kms:Decrypt"}, Unverified: []string{"kms:GenerateDataKey"},
				Reason: "kms:Decrypt: not in the key policy and no IAM delegation; kms:GenerateDataKey: depends on aws:SourceVpc (key policy statement V)"},
			{Role: "arn:aws:iam::111122223333:role/bounded", KeyARN: targetKey, Status: finding.Fail, Delegated: true,
				Missing: []string{"kms:Decrypt"}, Reason: "kms:Decrypt: the permissions boundary b does not allow it"},
		}}
	p := Build(Input{Findings: []finding.Finding{f}}, Options{})
	it := p.Items[0]
	w := strings.Join(it.Warnings, "\n")
	for _, want := range []string{"role/gone does not exist", "444455556666, not the key's", "could not decide kms:GenerateDataKey (depends on aws:SourceVpc",
		"permissions boundary b does not allow it", "was not read by the scan"} {
		if !strings.Contains(w, want) {
			t.Errorf("warnings lack %q:\n%s", want, w)
		}
	}
	text := allText(it)
	if strings.Contains(text, "role/gone") || strings.Contains(text, "role/bounded") || strings.Contains(text, "put-role-policy") {
		t.Errorf("statements proposed for a missing role or past a boundary:\n%s", text)
	}
	if !strings.Contains(text, "role/other") || !strings.Contains(text, "put-key-policy") {
		t.Errorf("no key-policy statement for the other account's role:\n%s", text)
	}
}

func TestNarrowPolicy(t *testing.T) {
	t.Parallel()
	doc, _ := iampolicy.Parse([]byte(sharedKey.Policy))
	b := newBuilder(fixture(), Options{})
	n := b.narrow(doc, leastPrivilegeFinding(finding.Resource{}), sharedKey)
	if !reflect.DeepEqual(n.remove, map[int][]string{2: {"arn:aws:iam::111122223333:role/analytics"},
		3: {"arn:aws:iam::111122223333:role/analytics", "arn:aws:iam::111122223333:role/reporting"}}) {
		t.Errorf("remove = %v", n.remove)
	}
	if !slices.Equal(n.ids, []string{etlGrant}) || len(n.manual) != 1 || !strings.Contains(n.manual[0], "ViaS3InAccount") {
		t.Errorf("grants %v, manual %q", n.ids, n.manual)
	}
	got, changes := narrowPolicy(doc, n.remove)
	var sids []string
	for _, st := range got.Statement {
		sids = append(sids, st.Sid)
	}
	if !slices.Equal(sids, []string{"Root", "Admins", "Use", "ViaS3InAccount"}) || len(changes) != 2 {
		t.Errorf("statements %v, changes %q", sids, changes)
	}
	if p := got.Statement[2].Principal["AWS"]; !slices.Equal(p, []string{sageMakerExec}) {
		t.Errorf("Use keeps %v", p)
	}
	// The root and administration statements are never edited, even when a
	// finding names them.
	admin := leastPrivilegeFinding(finding.Resource{})
	admin.Principals = []finding.KeyPrincipal{{Principal: "arn:aws:iam::111122223333:role/KeyAdmin",
		Sources: []string{"key policy statement Admins"}}, {Principal: "arn:aws:iam::111122223333:role/x",
		Sources: []string{"key policy statement Root", "key policy statement Gone"}}}
	n = b.narrow(doc, admin, sharedKey)
	if len(n.remove) != 0 || len(n.manual) != 3 {
		t.Errorf("remove %v, manual %q", n.remove, n.manual)
	}
}

func TestStatementOf(t *testing.T) {
	t.Parallel()
	doc, _ := iampolicy.Parse([]byte(`{"Statement":[{"Sid":"Use","Effect":"Allow"},{"Sid":"Use (old)","Effect":"Allow"},{"Effect":"Allow"}]}`))
	for src, want := range map[string]int{
		"key policy statement Use":                              0,
		"key policy statement Use (if kms:ViaService)":          0,
		"key policy statement Use (old)":                        1,
		"key policy statement Use (old) (if kms:CallerAccount)": 1,
		"key policy statement #3 (NotPrincipal)":                2,
		"key policy statement Other":                            -1,
		"grant 1":                                               -1,
	} {
		if got := statementOf(doc, src); got != want {
			t.Errorf("statementOf(%q) = %d, want %d", src, got, want)
		}
	}
}

// TestGeneratedPolicyKeepsItsRoles: re-planning kms-key.policy on a key
// whose policy sagekey generated keeps users as users: the grant
// operations they hold through SageMaker do not make them administrators.
func TestGeneratedPolicyKeepsItsRoles(t *testing.T) {
	t.Parallel()
	const admin, user = "arn:aws:iam::111122223333:role/KeyAdmin", "arn:aws:iam::111122223333:role/SageMakerExec"
	doc := keypolicy.Build(keypolicy.Params{Root: "arn:aws:iam::111122223333:root", Admins: []string{admin}, Users: []string{user}})
	admins, users, dropped := classifyPrincipals(doc, acct, "arn:aws:iam::111122223333:root")
	if !slices.Equal(admins, []string{admin}) || !slices.Equal(users, []string{user}) || len(dropped) != 0 {
		t.Errorf("admins %v, users %v, dropped %v", admins, users, dropped)
	}
}
