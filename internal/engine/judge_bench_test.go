package engine

import (
	"fmt"
	"testing"

	"github.com/sagekey/sagekey/internal/inventory"
	"github.com/sagekey/sagekey/internal/keys"
)

// jobEstate is n training jobs over 5 keys, run as 2 roles.
func jobEstate(n int) (inventory.Inventory, *keys.Set) {
	ks := keys.NewSet()
	var arns []string
	for i := range 5 {
		arn := fmt.Sprintf("arn:aws:kms:us-east-1:111122223333:key/%08d-1111-1111-1111-111111111111", i)
		ks.Put(arn, &keys.Key{ARN: arn, Ref: arn, Account: "111122223333", Region: "us-east-1",
			Manager: keys.ManagerCustomer, State: keys.StateEnabled, Rotation: keys.Rotation{Enabled: true}, Policy: `{"Statement":[]}`, GrantsRead: true})
		arns = append(arns, arn)
	}
	roles := []string{"arn:aws:iam::111122223333:role/a", "arn:aws:iam::111122223333:role/b"}
	inv := inventory.Inventory{IAM: []inventory.AccountIAM{{Account: "111122223333",
		Roles: []inventory.Role{{ARN: roles[0], Name: "a"}, {ARN: roles[1], Name: "b"}}}}}
	for i := range n {
		name := fmt.Sprintf("job-%06d", i)
		inv.Resources = append(inv.Resources, inventory.Resource{Kind: "training-job", Name: name, Account: "111122223333", Region: "us-east-1",
			ARN: "arn:aws:sagemaker:us-east-1:111122223333:training-job/" + name, Tags: map[string]string{"owner": "team"},
			ExecutionRoles: roles[i%2 : i%2+1],
			Slots: []inventory.Slot{{Type: "volume", Name: "volume", KeyRef: arns[i%5], InstanceTypes: []string{"ml.m5.large"}},
				{Type: "output", Name: "output", KeyRef: arns[i%5], OutputURI: "s3://b/out/" + name}}})
	}
	return inv, ks
}

// BenchmarkJudge is a scan's evaluation of 10,000 jobs (Judge), and one
// reading of every finding it made (what the store and each report do).
func BenchmarkJudge(b *testing.B) {
	inv, ks := jobEstate(10000)
	b.ReportAllocs()
	for range b.N {
		l := Judge(inv, ks, Settings{OwnerTag: "owner"})
		for _, f := range l.All() {
			_ = f
		}
	}
}
