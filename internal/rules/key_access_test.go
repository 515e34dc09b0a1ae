package rules

import (
	"strings"
	"testing"

	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/inventory"
	"github.com/sagekey/sagekey/internal/keys"
)

const (
	accessRoleA = "arn:aws:iam::111122223333:role/train-a"
	accessRoleB = "arn:aws:iam::111122223333:role/train-b"
	// a role of an account the scan did not read
	foreignRole = "arn:aws:iam::444455556666:role/train"
)

// allowAll lets the principals use the key for everything a slot may need.
func allowAll(principals ...string) string {
	return `{"Statement":[{"Sid":"Use","Effect":"Allow","Principal":{"AWS":["` + strings.Join(principals, `","`) + `"]},` +
		`"Action":["kms:Encrypt","kms:Decrypt","kms:ReEncrypt*","kms:GenerateDataKey*","kms:DescribeKey","kms:CreateGrant"],"Resource":"*"}]}`
}

const rootOnly = `{"Statement":[{"Sid":"EnableIAM","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}]}`

func accessKey(arn, policy string) keys.Key {
	return keys.Key{ARN: arn, Ref: arn, Account: ExampleAccount, Region: ExampleRegion, Manager: keys.ManagerCustomer,
		State: keys.StateEnabled, Policy: policy, GrantsRead: true}
}

func accessIAM(roles ...inventory.Role) []inventory.AccountIAM {
	return []inventory.AccountIAM{{Account: ExampleAccount, Roles: roles}}
}

func role(arn, policy string) inventory.Role {
	_, name := splitLast(arn, "/")
	r := inventory.Role{ARN: arn, Name: name}
	if policy != "" {
		r.Policies = []inventory.PolicyDocument{{Name: "inline", Document: policy}}
	}
	return r
}

// trainingJob runs as roles with its volume and output on key.
func trainingJob(key string, roles ...string) *inventory.Resource {
	return &inventory.Resource{Kind: "training-job", Name: "job", ARN: "arn:aws:sagemaker:us-east-1:111122223333:training-job/job",
		Account: ExampleAccount, Region: ExampleRegion, ExecutionRoles: roles,
		Slots: []inventory.Slot{
			{Type: "volume", Name: "volume", Label: "ML storage volume", KeyRef: key, InstanceTypes: []string{"ml.m5.xlarge"}},
			{Type: "output", Name: "output", Label: "output", KeyRef: key, OutputURI: "s3://bucket/out"},
		}}
}

func TestKeyAccess(t *testing.T) {
	t.Parallel()
	kmsAllow := `{"Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"` + exampleHealthyKey + `"}]}`
	cluster := &inventory.Resource{Kind: "cluster", Name: "hp", ARN: "arn:aws:sagemaker:us-east-1:111122223333:cluster/hp",
		Account: ExampleAccount, Region: ExampleRegion, ExecutionRoles: []string{accessRoleA, accessRoleB},
		Slots: []inventory.Slot{
			{Type: "root-volume", Name: "root-volume:a", Label: "group a: root volume", KeyRef: exampleHealthyKey, Role: accessRoleA},
			{Type: "root-volume", Name: "root-volume:b", Label: "group b: root volume", KeyRef: exampleOtherKey, Role: accessRoleB},
		}}
	tests := []struct {
		name     string
		resource *inventory.Resource
		keys     []keys.Key
		iam      []inventory.AccountIAM
		denials  map[string]int
		want     finding.Status
		contains []string
	}{
		{name: "key policy names the role", resource: trainingJob(exampleHealthyKey, accessRoleA),
			keys: []keys.Key{accessKey(exampleHealthyKey, allowAll(accessRoleA))}, iam: accessIAM(role(accessRoleA, "")),
			want: finding.Pass, contains: []string{"every execution role may perform"}},
		{name: "a foreign role the key policy does not name is denied whatever its IAM", resource: trainingJob(exampleHealthyKey, foreignRole),
			keys: []keys.Key{accessKey(exampleHealthyKey, rootOnly)}, iam: accessIAM(),
			want: finding.Fail, contains: []string{"not in the key policy"}},
		{name: "key policy without the role and no delegation", resource: trainingJob(exampleHealthyKey, accessRoleA),
			keys: []keys.Key{accessKey(exampleHealthyKey, allowAll(accessRoleB))}, iam: accessIAM(role(accessRoleA, "")),
			want: finding.Fail, contains: []string{accessRoleA, "kms:CreateGrant", "not in the key policy and no IAM delegation"}},
		{name: "delegated, but the role's policies do not allow it", resource: trainingJob(exampleHealthyKey, accessRoleA),
			keys: []keys.Key{accessKey(exampleHealthyKey, rootOnly)}, iam: accessIAM(role(accessRoleA, "")),
			want: finding.Fail, contains: []string{"delegates to IAM but the role's policies do not allow it"}},
		{name: "delegated and allowed by the role's policy", resource: trainingJob(exampleHealthyKey, accessRoleA),
			keys: []keys.Key{accessKey(exampleHealthyKey, rootOnly)}, iam: accessIAM(role(accessRoleA, kmsAllow)),
			want: finding.Pass},
		{name: "the role does not exist", resource: trainingJob(exampleHealthyKey, accessRoleA),
			keys: []keys.Key{accessKey(exampleHealthyKey, rootOnly)}, iam: accessIAM(),
			want: finding.Fail, contains: []string{"does not exist"}},
		{name: "IAM of the role's account was not read", resource: trainingJob(exampleHealthyKey, foreignRole),
			keys: []keys.Key{accessKey(exampleHealthyKey, allowAll("arn:aws:iam::444455556666:root"))}, iam: accessIAM(),
			want: finding.Error, contains: []string{"444455556666"}},
		{name: "IAM unreadable", resource: trainingJob(exampleHealthyKey, accessRoleA),
			keys: []keys.Key{accessKey(exampleHealthyKey, rootOnly)},
			iam:  []inventory.AccountIAM{{Account: ExampleAccount, Unknown: "access denied"}},
			want: finding.Error, contains: []string{"access denied"}},
		{name: "an unknown condition is ERROR, never PASS", resource: trainingJob(exampleHealthyKey, accessRoleA),
			keys: []keys.Key{accessKey(exampleHealthyKey, `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"`+accessRoleA+`"},`+
				`"Action":"kms:*","Resource":"*","Condition":{"StringEquals":{"kms:EncryptionContext:project":"x"}}}]}`)},
			iam:  accessIAM(role(accessRoleA, "")),
			want: finding.Error, contains: []string{"kms:EncryptionContext:project"}},
		{name: "policy not read", resource: trainingJob(exampleHealthyKey, accessRoleA),
			keys: []keys.Key{{ARN: exampleHealthyKey, Ref: exampleHealthyKey, Account: ExampleAccount, Region: ExampleRegion,
				Manager: keys.ManagerCustomer, State: keys.StateEnabled, PolicyError: "access denied (kms:GetKeyPolicy)", GrantsRead: true}},
			iam:  accessIAM(role(accessRoleA, "")),
			want: finding.Error, contains: []string{"kms:GetKeyPolicy"}},
		{name: "roles unknown", resource: func() *inventory.Resource {
			r := trainingJob(exampleHealthyKey)
			r.RolesUnknown = "model m1 no longer exists"
			return r
		}(), want: finding.Error, contains: []string{"model m1 no longer exists"}},
		{name: "roles unknown but no customer-managed key to use", resource: func() *inventory.Resource {
			r := trainingJob("alias/aws/sagemaker")
			r.RolesUnknown = "model m1 no longer exists"
			return r
		}(), want: finding.NotApplicable, contains: []string{"no slot uses a customer-managed key"}},
		{name: "no execution role", resource: trainingJob(exampleHealthyKey),
			want: finding.NotApplicable, contains: []string{"no execution role"}},
		{name: "only AWS-managed keys", resource: trainingJob("alias/aws/sagemaker", accessRoleA),
			want: finding.NotApplicable, contains: []string{"no slot uses a customer-managed key"}},
		{name: "each instance group's role is judged on its own key", resource: cluster,
			keys: []keys.Key{accessKey(exampleHealthyKey, allowAll(accessRoleA)), accessKey(exampleOtherKey, allowAll(accessRoleB))},
			iam:  accessIAM(role(accessRoleA, ""), role(accessRoleB, "")), want: finding.Pass},
		{name: "CloudTrail denials are quoted", resource: trainingJob(exampleHealthyKey, accessRoleA),
			keys: []keys.Key{accessKey(exampleHealthyKey, allowAll(accessRoleB))}, iam: accessIAM(role(accessRoleA, "")),
			denials: map[string]int{DenialKey(accessRoleA, exampleHealthyKey): 7},
			want:    finding.Fail, contains: []string{"CloudTrail: 7 KMS access denials of this role on this key in the last 30 days"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := Example{Keys: tt.keys, IAM: tt.iam}.Context()
			if tt.denials != nil {
				c.KeyDenials, c.DenialWindow = tt.denials, "last 30 days"
			}
			rule := ruleByID(t, tt.resource.Kind+".key-access")
			f := rule.CheckResource(c, *tt.resource)
			if f.Status != tt.want {
				t.Fatalf("status %s, want %s: %s", f.Status, tt.want, f.Message)
			}
			for _, s := range tt.contains {
				if !strings.Contains(f.Message, s) {
					t.Errorf("message %q lacks %q", f.Message, s)
				}
			}
			if f.Status == finding.Fail && len(f.Access) == 0 {
				t.Errorf("a FAIL must carry its role/key pairs for remediation")
			}
		})
	}
}

// The volume and the output are reached through different services, so
// they are judged as separate pairs, each with its own kms:ViaService.
func TestKeyAccessJudgesEachServiceSeparately(t *testing.T) {
	t.Parallel()
	viaS3Only := `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"` + accessRoleA + `"},"Action":"kms:*","Resource":"*",` +
		`"Condition":{"StringEquals":{"kms:ViaService":"s3.us-east-1.amazonaws.com"}}}]}`
	c := Example{Keys: []keys.Key{accessKey(exampleHealthyKey, viaS3Only)}, IAM: accessIAM(role(accessRoleA, ""))}.Context()
	f := ruleByID(t, "training-job.key-access").CheckResource(c, *trainingJob(exampleHealthyKey, accessRoleA))
	if f.Status != finding.Fail || len(f.Access) != 2 {
		t.Fatalf("got %s with %d pairs, want FAIL with 2: %s", f.Status, len(f.Access), f.Message)
	}
	byVia := map[string]finding.Status{}
	for _, a := range f.Access {
		byVia[a.ViaService] = a.Status
	}
	if byVia["s3.us-east-1.amazonaws.com"] != finding.Pass || byVia["sagemaker.us-east-1.amazonaws.com"] != finding.Fail {
		t.Errorf("pairs by service: %v", byVia)
	}
}

func ruleByID(t *testing.T, id string) Rule {
	t.Helper()
	for _, r := range All() {
		if r.ID == id {
			return r
		}
	}
	t.Fatalf("no rule %s", id)
	return Rule{}
}
