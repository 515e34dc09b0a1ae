package guardrails

import (
	"strings"
	"testing"

	"github.com/sagekey/sagekey/internal/catalog"
	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/iampolicy"
	"github.com/sagekey/sagekey/internal/inventory"
	"github.com/sagekey/sagekey/internal/keys"
	"github.com/sagekey/sagekey/internal/rules"
)

const (
	kaAccount = "123456789012"
	kaRegion  = "us-east-1"
	kaKey     = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"
)

var kaUsers = []string{"arn:aws:iam::123456789012:role/SageMakerExecution", "arn:aws:iam::123456789012:role/ml/TrainingRole"}

// generatedKey is the key `sagekey guardrails --key-admin … --key-user …`
// would create, as the resolver would record it once deployed.
func generatedKey(t *testing.T) *keys.Key {
	t.Helper()
	b := mustBuild(t, Settings{KeyAdmins: []string{"arn:aws:iam::123456789012:role/KeyAdmin"}, KeyUsers: kaUsers})
	if b.Key == nil {
		t.Fatal("no key generated")
	}
	policy, err := iampolicy.Minify(b.Key.Policy)
	if err != nil {
		t.Fatal(err)
	}
	return &keys.Key{Ref: kaKey, ARN: kaKey, Account: kaAccount, Region: kaRegion, Manager: keys.ManagerCustomer,
		State: keys.StateEnabled, Rotation: keys.Rotation{Enabled: true}, Policy: string(policy), GrantsRead: true}
}

// kaContext holds the key and the key users' IAM facts: roles with no
// policies of their own, so only the key policy can let them in.
func kaContext(k *keys.Key) *rules.Context {
	ks := keys.NewSet()
	ks.Put(keys.ParseRef(k.ARN, kaAccount, kaRegion).Canonical(), k)
	iam := inventory.AccountIAM{Account: kaAccount}
	for _, u := range kaUsers {
		iam.Roles = append(iam.Roles, inventory.Role{ARN: u, Name: u[strings.LastIndex(u, "/")+1:]})
	}
	return &rules.Context{Keys: ks, IAM: map[string]inventory.AccountIAM{kaAccount: iam}}
}

// kaResource is a resource of kind whose every slot uses the key, running
// as the key users.
func kaResource(kind catalog.Kind) inventory.Resource {
	r := inventory.Resource{Kind: kind.ID, Name: "r-" + kind.ID, Account: kaAccount, Region: kaRegion,
		ARN: "arn:aws:sagemaker:us-east-1:123456789012:" + kind.ID + "/r", ExecutionRoles: kaUsers}
	for _, s := range kind.Slots {
		r.Slots = append(r.Slots, inventory.Slot{Type: s.ID, Name: s.ID, Label: s.Title, KeyRef: kaKey})
	}
	return r
}

// TestGeneratedKeyPolicyLetsKeyUsersWork: the key policy guardrails
// generate for --key-user roles must let those roles do everything the
// catalog says their workloads need, for every kind, or the first job on a
// freshly generated key fails with an access denial.
func TestGeneratedKeyPolicyLetsKeyUsersWork(t *testing.T) {
	t.Parallel()
	k := generatedKey(t)
	ctx := kaContext(k)
	seen := 0
	for _, rule := range rules.All() {
		kindID, ok := strings.CutSuffix(rule.ID, ".key-access")
		if !ok {
			continue
		}
		seen++
		kind, found := catalog.Lookup(kindID)
		if !found {
			t.Fatalf("%s: kind %s not in the catalog", rule.ID, kindID)
		}
		f := rule.CheckResource(ctx, kaResource(kind))
		if f.Status != finding.Pass {
			t.Errorf("%s = %s: %s", rule.ID, f.Status, f.Message)
		}
	}
	if seen == 0 {
		t.Fatal("no key-access rules")
	}
}

// TestGeneratedKeyPolicyIsLeastPrivilege: on a key protecting resources
// that run as the key users, nobody else may use the generated key.
func TestGeneratedKeyPolicyIsLeastPrivilege(t *testing.T) {
	t.Parallel()
	k := generatedKey(t)
	var protected []inventory.Resource
	for _, kind := range catalog.Kinds() {
		if kind.RoleField != "" {
			protected = append(protected, kaResource(kind))
		}
	}
	f := rules.KeyLeastPrivilege().CheckKey(kaContext(k), rules.KeyUse{Key: k, Protected: rules.Protecting(protected)})
	if f.Status != finding.Pass {
		t.Fatalf("kms-key.least-privilege = %s: %s", f.Status, f.Message)
	}
	// Not vacuous: a resource running as only one of the users leaves the
	// other as an extra principal.
	only := protected[0]
	only.ExecutionRoles = kaUsers[:1]
	f = rules.KeyLeastPrivilege().CheckKey(kaContext(k), rules.KeyUse{Key: k, Protected: []*inventory.Resource{&only}})
	if f.Status != finding.Fail || len(f.Principals) != 1 || f.Principals[0].Principal != kaUsers[1] {
		t.Errorf("one workload role: kms-key.least-privilege = %s %+v, want FAIL naming %s", f.Status, f.Principals, kaUsers[1])
	}
}
