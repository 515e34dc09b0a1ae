package trailscan

import (
	"testing"

	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/inventory"
	"github.com/sagekey/sagekey/internal/keys"
	"github.com/sagekey/sagekey/internal/store"
)

// TestEstateKeyAccess checks that the estate carries the stored scan's
// key-access verdicts, evaluated from the snapshot's facts: a role the key
// policy names PASSes, one it omits FAILs, and a resource with no role (or
// no key) judges no pair.
func TestEstateKeyAccess(t *testing.T) {
	const (
		account = "111122223333"
		named   = "arn:aws:iam::111122223333:role/named"
		omitted = "arn:aws:iam::111122223333:role/omitted"
	)
	notebook := func(name string, roles ...string) inventory.Resource {
		return inventory.Resource{Kind: "notebook-instance", Name: name, Account: account, Region: "us-east-1",
			ARN:            "arn:aws:sagemaker:us-east-1:111122223333:notebook-instance/" + name,
			ExecutionRoles: roles, Slots: []inventory.Slot{{Type: "volume", Name: "volume", KeyRef: testKey}}}
	}
	policy := `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"` + named + `"},"Action":"kms:*","Resource":"*"}]}`
	snap := store.Snapshot{
		Inventory: inventory.Inventory{
			Resources: []inventory.Resource{notebook("ok", named), notebook("broken", omitted), notebook("roleless")},
			IAM: []inventory.AccountIAM{{Account: account, Roles: []inventory.Role{
				{ARN: named, Name: "named"}, {ARN: omitted, Name: "omitted"}}}},
		},
		Keys: []keys.Key{{ARN: testKey, Ref: testKey, Account: account, Region: "us-east-1", Manager: keys.ManagerCustomer,
			State: keys.StateEnabled, Policy: policy, GrantsRead: true}},
		KeyRefs: map[string]string{keys.ParseRef(testKey, account, "us-east-1").Canonical(): testKey},
	}
	e := EstateOf(snap)
	got := map[string]finding.Status{}
	for _, f := range e.KeyAccess {
		if f.CheckID != "notebook-instance.key-access" {
			t.Errorf("estate carries %s", f.CheckID)
		}
		for _, a := range f.Access {
			got[a.Role] = a.Status
			if a.KeyARN != testKey {
				t.Errorf("%s judged on %s", a.Role, a.KeyARN)
			}
		}
	}
	if len(e.KeyAccess) != 2 || got[named] != finding.Pass || got[omitted] != finding.Fail {
		t.Errorf("key access verdicts %v in %d findings, want %s PASS and %s FAIL", got, len(e.KeyAccess), named, omitted)
	}
	if len(e.Protects[testKey]) != 3 {
		t.Errorf("the key protects %d resources, want 3", len(e.Protects[testKey]))
	}
}
