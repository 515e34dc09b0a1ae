package scan

import (
	"context"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"

	"github.com/sagekey/sagekey/internal/awsclient"
	"github.com/sagekey/sagekey/internal/engine"
	"github.com/sagekey/sagekey/internal/inventory"
	"github.com/sagekey/sagekey/internal/keys"
	"github.com/sagekey/sagekey/internal/motoserver/mototest"
	"github.com/sagekey/sagekey/internal/rules"
)

const (
	// motoCaller is the account moto gives credentials that are not an
	// assumed role's; otherAccount is reached by assuming a role.
	motoCaller   = "123456789012"
	otherAccount = "222222222222"
	// unscanned owns roles that resources name but the scan does not read.
	unscanned = "333333333333"
)

func TestNeedsKeyAccess(t *testing.T) {
	t.Parallel()
	ids := func(ids ...string) []rules.Rule {
		out := make([]rules.Rule, len(ids))
		for i, id := range ids {
			out[i] = rules.Rule{ID: id}
		}
		return out
	}
	tests := []struct {
		name     string
		selected []rules.Rule
		want     bool
	}{
		{"nothing selected", nil, false},
		{"key and cmk checks", ids("notebook-instance.cmk", "kms-key.state", "kms-key.policy"), false},
		{"a kind's key-access check", ids("notebook-instance.cmk", "endpoint.key-access"), true},
		{"least privilege", ids("kms-key.least-privilege"), true},
		{"a look-alike id", ids("training-job.key-accessible", "kms-key.least-privileged"), false},
	}
	for _, tt := range tests {
		if got := needsKeyAccess(tt.selected); got != tt.want {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
	// Selecting or skipping checks the way --checks and --skip-checks do.
	all := rules.All()
	if needsKeyAccess(engine.Select(all, []string{"notebook-instance.cmk", "kms-key.state"}, nil)) {
		t.Error("cmk and key-state checks alone must not read grants or IAM")
	}
	if needsKeyAccess(engine.Select(all, nil, []string{"*.key-access", "kms-key.least-privilege"})) {
		t.Error("skipping the key-access checks must skip their reads")
	}
}

func TestRolesByAccount(t *testing.T) {
	t.Parallel()
	reached := []reachedAccount{{Account: awsclient.Account{ID: motoCaller}}, {Account: awsclient.Account{ID: otherAccount}}}
	role := func(account, name string) string { return "arn:aws:iam::" + account + ":role/" + name }
	got := rolesByAccount(reached, []inventory.Resource{
		{Account: motoCaller, ExecutionRoles: []string{role(motoCaller, "b"), role(motoCaller, "a")}},
		{Account: motoCaller, ExecutionRoles: []string{role(motoCaller, "a"), role(otherAccount, "shared"), role(unscanned, "x"), "not-an-arn"}},
		{Account: otherAccount, ExecutionRoles: []string{role(otherAccount, "shared")}},
		{Account: otherAccount},
	})
	want := map[string][]string{
		motoCaller:   {role(motoCaller, "a"), role(motoCaller, "b")},
		otherAccount: {role(otherAccount, "shared")},
	}
	if !maps.EqualFunc(got, want, slices.Equal) {
		t.Errorf("got %v, want %v (by the role's account, scanned accounts only, distinct and sorted)", got, want)
	}
}

// keyAccessEstate is what seedKeyAccess created in one account.
type keyAccessEstate struct {
	role       string // the execution role, with its path
	keys       []string
	grantedKey string // the key with a grant to the role
}

// seedKeyAccess creates in cfg's account an execution role (with a path and
// an inline policy), two keys (the first with a grant to the role) and
// three notebook instances: two share the first key, one uses the second.
func seedKeyAccess(t *testing.T, cfg aws.Config, account string) keyAccessEstate {
	t.Helper()
	ctx := context.Background()
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s in %s: %v", what, account, err)
		}
	}
	iamAPI := iam.NewFromConfig(cfg)
	r, err := iamAPI.CreateRole(ctx, &iam.CreateRoleInput{
		RoleName: aws.String("ml-exec"), Path: aws.String("/service-role/"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"sagemaker.amazonaws.com"},"Action":"sts:AssumeRole"}]}`),
	})
	must("CreateRole", err)
	_, err = iamAPI.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("ml-exec"), PolicyName: aws.String("kms"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*"}]}`)})
	must("PutRolePolicy", err)
	e := keyAccessEstate{role: aws.ToString(r.Role.Arn)}

	kmsAPI := kms.NewFromConfig(cfg)
	for range 2 {
		k, err := kmsAPI.CreateKey(ctx, &kms.CreateKeyInput{})
		must("CreateKey", err)
		e.keys = append(e.keys, aws.ToString(k.KeyMetadata.Arn))
	}
	e.grantedKey = e.keys[0]
	_, err = kmsAPI.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: aws.String(e.grantedKey), GranteePrincipal: aws.String(e.role),
		Operations: []kmstypes.GrantOperation{kmstypes.GrantOperationDecrypt}})
	must("CreateGrant", err)

	sm := sagemaker.NewFromConfig(cfg)
	for _, nb := range []struct{ name, key, role string }{
		{"nb-a", e.keys[0], e.role},
		{"nb-b", e.keys[0], e.role},
		{"nb-c", e.keys[1], "arn:aws:iam::" + unscanned + ":role/elsewhere"},
	} {
		_, err := sm.CreateNotebookInstance(ctx, &sagemaker.CreateNotebookInstanceInput{
			NotebookInstanceName: aws.String(nb.name), InstanceType: smtypes.InstanceTypeMlT3Medium,
			RoleArn: aws.String(nb.role), KmsKeyId: aws.String(nb.key),
		})
		must("CreateNotebookInstance "+nb.name, err)
	}
	return e
}

// calls is how often a scan called op.
func calls(res *Result, op string) int64 {
	for _, o := range res.Report.APICalls {
		if o.Operation == op {
			return o.Calls
		}
	}
	return 0
}

// TestKeyAccessReadsAgainstMoto scans two moto accounts, the second through
// an assumed role, with the key-access reads forced and then with no check
// that needs them.
func TestKeyAccessReadsAgainstMoto(t *testing.T) {
	srv := mototest.ForTest(t)
	mototest.DummyCredentials(t)
	callerCfg := mototest.Config(t, srv, "us-east-1")
	otherCfg := awsclient.AssumeRole(callerCfg, callerCfg, "arn:aws:iam::"+otherAccount+":role/OrganizationAccountAccessRole")
	estates := map[string]keyAccessEstate{
		motoCaller:   seedKeyAccess(t, callerCfg, motoCaller),
		otherAccount: seedKeyAccess(t, otherCfg, otherAccount),
	}
	run := func(force bool, checks ...string) *Result {
		t.Helper()
		res, err := Run(context.Background(), Options{
			AWS:            awsclient.Options{EndpointURL: srv.URL(), MaxAttempts: 2},
			Accounts:       awsclient.AccountsOptions{IDs: []string{motoCaller, otherAccount}},
			Regions:        []string{"us-east-1"},
			Settings:       engine.Settings{Checks: checks},
			forceKeyAccess: force,
		})
		if err != nil {
			t.Fatalf("scan: %v", err)
		}
		return res
	}

	t.Run("selected", func(t *testing.T) {
		res := run(true, "notebook-instance.*")
		// Two keys per account, each listed once although two notebooks
		// share the first.
		if n := calls(res, "kms:ListGrants"); n != 4 {
			t.Errorf("kms:ListGrants called %d times, want 4 (once per key)", n)
		}
		for account, e := range estates {
			for _, arn := range e.keys {
				i := slices.IndexFunc(res.Keys, func(k keys.Key) bool { return k.ARN == arn })
				if i < 0 {
					t.Errorf("%s: key %s not resolved", account, arn)
					continue
				}
				k := res.Keys[i]
				wantGrants := 0
				if arn == e.grantedKey {
					wantGrants = 1
				}
				if !k.GrantsRead || k.GrantsError != "" || len(k.Grants) != wantGrants {
					t.Errorf("%s: key %s grants %+v read=%v error=%q, want %d", account, arn, k.Grants, k.GrantsRead, k.GrantsError, wantGrants)
				}
				if wantGrants == 1 && k.Grants[0].Grantee != e.role {
					t.Errorf("%s: grant to %s, want %s", account, k.Grants[0].Grantee, e.role)
				}
			}
		}
		for _, g := range res.Inventory.Gaps {
			if strings.HasPrefix(g.Service, "kms:ListGrants") || strings.HasPrefix(g.Service, "iam:") {
				t.Errorf("unexpected gap %+v", g)
			}
		}

		// IAM is read once per scanned account whose resources name one of
		// its roles, whatever the number of regions and resources.
		var withRoles []string
		for account := range rolesByAccount([]reachedAccount{{Account: awsclient.Account{ID: motoCaller}}, {Account: awsclient.Account{ID: otherAccount}}}, res.Inventory.Resources) {
			withRoles = append(withRoles, account)
		}
		slices.Sort(withRoles)
		if len(withRoles) > 0 && !slices.Equal(withRoles, []string{motoCaller, otherAccount}) {
			t.Errorf("execution roles recorded in %v, want both accounts' notebooks' roles", withRoles)
		}
		if n := calls(res, "iam:GetAccountAuthorizationDetails"); n != int64(len(withRoles)) {
			t.Errorf("iam:GetAccountAuthorizationDetails called %d times, want %d (once per account %v)", n, len(withRoles), withRoles)
		}
		var got []string
		for _, a := range res.Inventory.IAM {
			got = append(got, a.Account)
			e := estates[a.Account]
			r, ok := a.Role(e.role)
			if a.Unknown != "" || len(a.Roles) != 1 || !ok || len(r.Policies) != 1 || r.Policies[0].Name != "kms" ||
				!strings.Contains(r.Policies[0].Document, "kms:Decrypt") {
				t.Errorf("%s: IAM %+v, want the execution role with its inline policy", a.Account, a)
			}
		}
		if !slices.Equal(got, withRoles) {
			t.Errorf("IAM recorded for %v, want %v (sorted; never the unscanned %s)", got, withRoles, unscanned)
		}
		if len(withRoles) == 0 {
			// Until the collectors record execution roles, only the
			// grants half of the wiring is exercised here;
			// TestReadIAMAgainstMoto covers the IAM half on its own.
			t.Log("no resource records an execution role: IAM wiring not exercised end to end")
		}
	})

	t.Run("not selected", func(t *testing.T) {
		res := run(false, "notebook-instance.cmk")
		if n := calls(res, "kms:ListGrants"); n != 0 {
			t.Errorf("kms:ListGrants called %d times without a key-access check", n)
		}
		if n := calls(res, "iam:GetAccountAuthorizationDetails"); n != 0 {
			t.Errorf("iam:GetAccountAuthorizationDetails called %d times without a key-access check", n)
		}
		if res.Inventory.IAM != nil {
			t.Errorf("IAM recorded without a key-access check: %+v", res.Inventory.IAM)
		}
		for _, k := range res.Keys {
			if k.GrantsRead || k.GrantsError != "" {
				t.Errorf("key %s: grants touched without a key-access check: %+v", k.ARN, k)
			}
		}
	})
}

// TestReadIAMAgainstMoto reads two moto accounts' roles with instrumented
// clients: one call per account, roles of unscanned accounts skipped, and an
// account whose IAM is denied recorded as unknown and as a gap.
func TestReadIAMAgainstMoto(t *testing.T) {
	t.Parallel()
	srv := mototest.ForTest(t)
	callerCfg := mototest.Config(t, srv, "us-east-1")
	otherCfg := awsclient.AssumeRole(callerCfg, callerCfg, "arn:aws:iam::"+otherAccount+":role/OrganizationAccountAccessRole")
	callerRole := seedKeyAccess(t, callerCfg, motoCaller).role
	otherRole := seedKeyAccess(t, otherCfg, otherAccount).role

	const denied = "444444444444"
	deniedCfg := callerCfg.Copy()
	deniedCfg.BaseEndpoint = aws.String(denyingIAM(t))

	meter := awsclient.NewMeter()
	reach := func(id string, cfg aws.Config) reachedAccount {
		return reachedAccount{Account: awsclient.Account{ID: id}, cfg: awsclient.Instrument(cfg, meter, awsclient.NewRateLimits(1)), regions: []string{"us-east-1", "eu-west-1"}}
	}
	accounts := []reachedAccount{reach(otherAccount, otherCfg), reach(motoCaller, callerCfg), reach(denied, deniedCfg)}
	pathless := "arn:aws:iam::" + motoCaller + ":role/ml-exec"
	resources := []inventory.Resource{
		{Account: motoCaller, Region: "us-east-1", ExecutionRoles: []string{callerRole, "arn:aws:iam::" + unscanned + ":role/x"}},
		{Account: motoCaller, Region: "eu-west-1", ExecutionRoles: []string{pathless}},
		{Account: otherAccount, Region: "us-east-1", ExecutionRoles: []string{otherRole, "arn:aws:iam::" + otherAccount + ":role/missing"}},
		{Account: denied, Region: "us-east-1", ExecutionRoles: []string{"arn:aws:iam::" + denied + ":role/r"}},
	}
	got, gaps := readIAM(context.Background(), accounts, resources, 4)

	var calls int64
	for _, op := range meter.Operations() {
		if op.Operation == "iam:GetAccountAuthorizationDetails" {
			calls = op.Calls
		}
	}
	if calls != 3 {
		t.Errorf("iam:GetAccountAuthorizationDetails called %d times, want once per account (3)", calls)
	}
	var accountsGot []string
	for _, a := range got {
		accountsGot = append(accountsGot, a.Account)
	}
	if want := []string{motoCaller, otherAccount, denied}; !slices.Equal(accountsGot, want) {
		t.Fatalf("IAM of %v, want %v (sorted by account)", accountsGot, want)
	}
	if a := got[0]; a.Unknown != "" || len(a.Roles) != 1 || a.Roles[0].ARN != callerRole {
		t.Errorf("%s: %+v, want the role once, by its real ARN", a.Account, a)
	}
	if a := got[1]; a.Unknown != "" || len(a.Roles) != 1 || a.Roles[0].ARN != otherRole {
		t.Errorf("%s: %+v, want its own role only (a missing role is absent)", a.Account, a)
	}
	if a := got[2]; !strings.Contains(a.Unknown, "access denied") || a.Roles != nil {
		t.Errorf("%s: %+v, want Unknown", a.Account, a)
	}
	if len(gaps) != 1 || gaps[0].Account != denied || gaps[0].Service != "iam:GetAccountAuthorizationDetails" ||
		!strings.Contains(gaps[0].Reason, "access denied") {
		t.Errorf("gaps %+v, want one for the denied account", gaps)
	}
}

// denyingIAM is an endpoint that refuses every IAM request as IAM does.
func denyingIAM(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(http.StatusForbidden)
		_, _ = io.WriteString(w, `<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type>`+
			`<Code>AccessDenied</Code><Message>not authorized to perform: iam:GetAccountAuthorizationDetails</Message></Error><RequestId>1</RequestId></ErrorResponse>`)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}
