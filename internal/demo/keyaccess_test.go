package demo_test

import (
	"bytes"
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/sagekey/sagekey/internal/cli"
	"github.com/sagekey/sagekey/internal/demo"
	"github.com/sagekey/sagekey/internal/motoserver/mototest"
)

// accessDoc is the part of the sagekey.scan/v1 document this test reads.
type accessDoc struct {
	Scan struct {
		Accounts []string `json:"accounts"`
		APICalls struct {
			Operations []struct {
				Operation string `json:"operation"`
				Calls     int64  `json:"calls"`
			} `json:"operations"`
		} `json:"api_calls"`
	} `json:"scan"`
	Findings []struct {
		CheckID  string `json:"check_id"`
		Status   string `json:"status"`
		Message  string `json:"message"`
		Resource struct {
			Kind   string `json:"kind"`
			Name   string `json:"name"`
			Region string `json:"region"`
		} `json:"resource"`
	} `json:"findings"`
}

// TestScanKeyAccess seeds the demo estate (IAM, key policies, grants and
// the key-access cases) into a real moto_server, runs sagekey scan as the
// demo does, and checks every <kind>.key-access and kms-key.least-privilege
// finding against the manifest, both ways: each expectation has its
// finding with the expected status and message, and each finding was
// expected. It also checks the price of the IAM and grant reads.
func TestScanKeyAccess(t *testing.T) {
	srv := mototest.ForTest(t)
	mototest.DummyCredentials(t) // after ForTest: moto_server inherits the environment
	t.Chdir(t.TempDir())         // no stray ./sagekey.yaml
	cfgFor := func(region string) aws.Config { return mototest.Config(t, srv, region) }
	m, err := demo.Seed(t.Context(), cfgFor, []string{primary, secondary})
	if err != nil {
		t.Fatalf("Seed: %v", err)
	}

	t.Run("manifest shows every verdict", func(t *testing.T) {
		seen := map[string]bool{}
		statuses := map[string]map[string]int{}
		for _, c := range m.Checks {
			id := c.CheckID + " " + c.Region + " " + c.Name
			if seen[id] {
				t.Errorf("duplicate expectation %s", id)
			}
			seen[id] = true
			if c.Why == "" || strings.Contains(c.Why, "\n") || len(c.Message) == 0 {
				t.Errorf("%s: Why must be one non-empty line and Message not empty: %+v", id, c)
			}
			family := "key-access"
			if c.CheckID == demo.CheckLeastPrivilege {
				family = c.CheckID
			}
			if statuses[family] == nil {
				statuses[family] = map[string]int{}
			}
			statuses[family][c.Status]++
		}
		for family, want := range map[string][]string{
			"key-access":             {demo.StatusPass, demo.StatusFail, demo.StatusError, demo.StatusNotApplicable},
			demo.CheckLeastPrivilege: {demo.StatusPass, demo.StatusFail, demo.StatusNotApplicable},
		} {
			for _, st := range want {
				if statuses[family][st] == 0 {
					t.Errorf("no %s expected to be %s", family, st)
				}
			}
		}
		// Every key has a least-privilege verdict.
		for name, arn := range m.Keys {
			region := strings.Split(arn, ":")[3]
			if _, ok := m.FindCheck(demo.CheckLeastPrivilege, region, "key/"+strings.Split(arn, "/")[1]); !ok {
				t.Errorf("key %s has no %s expectation", name, demo.CheckLeastPrivilege)
			}
		}
	})

	t.Run("moto keeps the IAM and key facts", func(t *testing.T) {
		checkSeededIAM(t, m, cfgFor(primary))
	})

	doc := scanKeyAccess(t, srv.URL())
	t.Run("findings match the manifest", func(t *testing.T) {
		found := map[string]bool{}
		for _, f := range doc.Findings {
			if !strings.HasSuffix(f.CheckID, ".key-access") && f.CheckID != demo.CheckLeastPrivilege {
				continue
			}
			id := f.CheckID + " " + f.Resource.Region + " " + f.Resource.Name
			found[id] = true
			exp, ok := m.FindCheck(f.CheckID, f.Resource.Region, f.Resource.Name)
			if !ok {
				t.Errorf("%s: %s finding the manifest does not expect: %s", id, f.Status, f.Message)
				continue
			}
			if f.Status != exp.Status || f.Resource.Kind != exp.Kind {
				t.Errorf("%s: %s %s, want %s %s (%s); message: %s", id, f.Resource.Kind, f.Status, exp.Kind, exp.Status, exp.Why, f.Message)
			}
			for _, part := range exp.Message {
				if !strings.Contains(f.Message, part) {
					t.Errorf("%s: message lacks %q (%s):\n%s", id, part, exp.Why, f.Message)
				}
			}
		}
		for _, exp := range m.Checks {
			if id := exp.CheckID + " " + exp.Region + " " + exp.Name; !found[id] {
				t.Errorf("%s: no finding (want %s: %s)", id, exp.Status, exp.Why)
			}
		}
	})

	t.Run("IAM read once per account, grants once per key", func(t *testing.T) {
		calls := map[string]int64{}
		for _, op := range doc.Scan.APICalls.Operations {
			calls[op.Operation] = op.Calls
		}
		if got, want := calls["iam:GetAccountAuthorizationDetails"], int64(len(doc.Scan.Accounts)); want != 1 || got != want {
			t.Errorf("iam:GetAccountAuthorizationDetails called %d times for %d accounts, want once per account", got, want)
		}
		// Every seeded key is used and exists, and each one's grants fit
		// one page; the missing key and AWS-managed keys have none to read.
		if got, want := calls["kms:ListGrants"], int64(len(m.Keys)); got != want {
			t.Errorf("kms:ListGrants called %d times, want once per customer-managed key (%d)", got, want)
		}
	})
}

// scanKeyAccess runs sagekey scan over both demo regions, as the demo does,
// without storing it.
func scanKeyAccess(t *testing.T, endpoint string) accessDoc {
	t.Helper()
	var out, errOut bytes.Buffer
	code := cli.Run(t.Context(), []string{"scan", "--endpoint-url", endpoint, "--regions", primary + "," + secondary,
		"--format", "json", "--max-attempts", "2", "--no-store"}, &out, &errOut)
	if code != cli.ExitViolations {
		t.Errorf("scan exit %d, want %d (FAIL findings)\n%s", code, cli.ExitViolations, errOut.String())
	}
	var doc accessDoc
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatalf("scan output is not JSON: %v\n%s", err, errOut.String())
	}
	return doc
}

// checkSeededIAM reads back the facts the key-access verdicts rest on, so
// a moto change that drops one fails here rather than as a puzzling
// verdict: the roles, the execution role's KMS policy and the keys it
// lists, a key policy naming a role, and the grant.
func checkSeededIAM(t *testing.T, m *demo.Manifest, cfg aws.Config) {
	t.Helper()
	ctx := t.Context()
	ic := iam.NewFromConfig(cfg)
	roles := []string{demo.RoleExecution, demo.RoleKeyAdmin, demo.RoleClaims, demo.RoleRecsysTraining, demo.RoleAnalytics, demo.RoleBIExport}
	if len(m.Roles) != len(roles) {
		t.Errorf("manifest roles %v, want %d", m.Roles, len(roles))
	}
	for _, role := range roles {
		out, err := ic.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(role)})
		if err != nil {
			t.Errorf("GetRole %s: %v", role, err)
			continue
		}
		if got := aws.ToString(out.Role.Arn); got != m.RoleARN(role) {
			t.Errorf("role %s ARN %s, want %s", role, got, m.RoleARN(role))
		}
	}
	pol, err := ic.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(demo.RoleExecution), PolicyName: aws.String(demo.ExecutionRolePolicy)})
	if err != nil {
		t.Fatalf("GetRolePolicy: %v", err)
	}
	// IAM URL-encodes policy documents in responses.
	doc, err := url.QueryUnescape(aws.ToString(pol.PolicyDocument))
	if err != nil {
		t.Fatalf("policy document: %v", err)
	}
	for name, listed := range map[string]bool{
		demo.KeyHealthy: true, demo.KeySecondary: true, demo.KeyNoDelegation: true, demo.KeyDenyGrants: true,
		demo.KeyDelegatedOnly: false, demo.KeyBucketBound: false, demo.KeyGrantOnly: false, demo.KeyNamedRole: false,
	} {
		if strings.Contains(doc, m.Keys[name]) != listed {
			t.Errorf("%s lists the %s key: %v, want %v\n%s", demo.ExecutionRolePolicy, name, !listed, listed, doc)
		}
	}
	attached, err := ic.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(demo.RoleClaims)})
	if err != nil || !slices.ContainsFunc(attached.AttachedPolicies, func(p iamtypes.AttachedPolicy) bool { return aws.ToString(p.PolicyName) == demo.ArtifactsPolicy }) {
		t.Errorf("%s attached policies %+v (%v), want %s", demo.RoleClaims, attached, err, demo.ArtifactsPolicy)
	}

	kc := kms.NewFromConfig(cfg)
	kp, err := kc.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: aws.String(m.Keys[demo.KeyNamedRole]), PolicyName: aws.String("default")})
	if err != nil || !strings.Contains(aws.ToString(kp.Policy), m.RoleARN(demo.RoleClaims)) {
		t.Errorf("the %s key policy does not name %s (%v): %s", demo.KeyNamedRole, demo.RoleClaims, err, aws.ToString(kp.Policy))
	}
	grants, err := kc.ListGrants(ctx, &kms.ListGrantsInput{KeyId: aws.String(m.Keys[demo.KeyGrantOnly])})
	if err != nil || len(grants.Grants) != 1 || aws.ToString(grants.Grants[0].GranteePrincipal) != m.RoleARN(demo.RoleExecution) {
		t.Errorf("grants on the %s key: %+v (%v), want one to %s", demo.KeyGrantOnly, grants, err, demo.RoleExecution)
	}
}
