package rules

import (
	"strings"
	"testing"

	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/inventory"
	"github.com/sagekey/sagekey/internal/keys"
)

func TestKeyLeastPrivilege(t *testing.T) {
	t.Parallel()
	const (
		root      = `{"Sid":"Root","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}`
		admin     = `{"Sid":"Admins","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/key-admin"},"Action":["kms:Create*","kms:Describe*","kms:Put*","kms:ScheduleKeyDeletion"],"Resource":"*"}`
		service   = `{"Sid":"Logs","Effect":"Allow","Principal":{"Service":"logs.amazonaws.com"},"Action":["kms:Encrypt","kms:Decrypt"],"Resource":"*"}`
		analytics = "arn:aws:iam::111122223333:role/analytics"
	)
	policy := func(statements ...string) string {
		return `{"Statement":[` + strings.Join(statements, ",") + `]}`
	}
	use := func(principals ...string) string {
		return `{"Sid":"Use","Effect":"Allow","Principal":{"AWS":["` + strings.Join(principals, `","`) + `"]},"Action":["kms:Decrypt","kms:GenerateDataKey"],"Resource":"*"}`
	}
	workload := func(roles ...string) inventory.Resource {
		return inventory.Resource{Kind: "training-job", Name: "job", ARN: "arn:aws:sagemaker:us-east-1:111122223333:training-job/job",
			Account: ExampleAccount, Region: ExampleRegion, ExecutionRoles: roles}
	}
	tests := []struct {
		name      string
		key       keys.Key
		protected []inventory.Resource
		want      finding.Status
		contains  []string
	}{
		{name: "the workload's role, root, an administrator and a service principal",
			key:       accessKey(exampleHealthyKey, policy(root, admin, service, use(accessRoleA))),
			protected: []inventory.Resource{workload(accessRoleA)}, want: finding.Pass},
		{name: "a key shared by three roles where one workload uses it",
			key:       accessKey(exampleHealthyKey, policy(root, use(accessRoleA, accessRoleB, analytics))),
			protected: []inventory.Resource{workload(accessRoleA)}, want: finding.Fail,
			contains: []string{"2 principals", accessRoleB, analytics, "key policy statement Use"}},
		{name: "a grant to a role no workload runs as",
			key: func() keys.Key {
				k := accessKey(exampleHealthyKey, policy(root, use(accessRoleA)))
				k.Grants = []keys.Grant{{ID: "g1", Grantee: analytics, Operations: []string{"Decrypt"}},
					{ID: "g2", Grantee: "sagemaker.amazonaws.com", Operations: []string{"Decrypt"}}}
				return k
			}(),
			protected: []inventory.Resource{workload(accessRoleA)}, want: finding.Fail, contains: []string{analytics, "grant g1"}},
		{name: "grants not read",
			key: func() keys.Key {
				k := accessKey(exampleHealthyKey, policy(root, use(accessRoleA)))
				k.GrantsRead, k.GrantsError = false, "access denied (kms:ListGrants)"
				return k
			}(),
			protected: []inventory.Resource{workload(accessRoleA)}, want: finding.Error, contains: []string{"kms:ListGrants"}},
		{name: "an extra principal may be the role that could not be read",
			key: accessKey(exampleHealthyKey, policy(root, use(accessRoleA, accessRoleB))),
			protected: []inventory.Resource{workload(accessRoleA), func() inventory.Resource {
				r := workload()
				r.RolesUnknown = "model m1 could not be described"
				return r
			}()}, want: finding.Error, contains: []string{"model m1 could not be described", accessRoleB}},
		{name: "policy unreadable",
			key: keys.Key{ARN: exampleHealthyKey, Ref: exampleHealthyKey, Account: ExampleAccount, Region: ExampleRegion,
				Manager: keys.ManagerCustomer, State: keys.StateEnabled, PolicyError: "access denied", GrantsRead: true},
			protected: []inventory.Resource{workload(accessRoleA)}, want: finding.Error, contains: []string{"could not be read"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			k := tt.key
			f := KeyLeastPrivilege().CheckKey(ExampleContext(), KeyUse{Key: &k, Protected: Protecting(tt.protected)})
			if f.Status != tt.want {
				t.Fatalf("status %s, want %s: %s", f.Status, tt.want, f.Message)
			}
			for _, s := range tt.contains {
				if !strings.Contains(f.Message, s) {
					t.Errorf("message %q lacks %q", f.Message, s)
				}
			}
			if f.Status == finding.Fail && len(f.Principals) == 0 {
				t.Errorf("a FAIL must list the principals for remediation")
			}
		})
	}
}
