package rules

import (
	"github.com/sagekey/sagekey/internal/catalog"
	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/inventory"
	"github.com/sagekey/sagekey/internal/keys"
)

// Example is a documented input of a rule with the verdict it must give.
// The meta-test runs every example, and the generated check docs show them,
// so the docs can never claim a behaviour the code does not have.
type Example struct {
	Name     string
	Want     finding.Status
	Resource *inventory.Resource // resource rules
	Key      *KeyUse             // key rules
	// Keys replace the example context's keys of the same ARN, and IAM is
	// the example's IAM facts (key-access rules).
	Keys []keys.Key
	IAM  []inventory.AccountIAM
}

// Context is the context the example is evaluated in: ExampleContext with
// the example's own keys and IAM facts.
func (e Example) Context() *Context {
	c := ExampleContext()
	for i := range e.Keys {
		k := e.Keys[i]
		c.Keys.Put(k.ARN, &k)
	}
	for _, a := range e.IAM {
		c.IAM[a.Account] = a
	}
	return c
}

// Example keys, resolved as the resolver would report them.
const (
	ExampleAccount    = "111122223333"
	ExampleRegion     = "us-east-1"
	exampleHealthyKey = "arn:aws:kms:us-east-1:111122223333:key/0e8e4c8e-1111-4a4a-9b9b-111111111111"
	exampleOtherKey   = "arn:aws:kms:us-east-1:111122223333:key/0e8e4c8e-2222-4a4a-9b9b-222222222222"
)

// ExampleContext is the context examples are evaluated in.
func ExampleContext() *Context {
	ks := keys.NewSet()
	for _, arn := range []string{exampleHealthyKey, exampleOtherKey} {
		ks.Put(arn, &keys.Key{ARN: arn, Ref: arn, Account: ExampleAccount, Region: ExampleRegion,
			Manager: keys.ManagerCustomer, State: keys.StateEnabled, Rotation: keys.Rotation{Enabled: true}})
	}
	return &Context{Keys: ks, RequiredTags: []string{"owner", "cost-center"}, OwnerTag: "owner",
		IAM: map[string]inventory.AccountIAM{}}
}

// cmkExamples derives a passing and a failing resource from the catalog:
// every slot type keyed with a healthy CMK, and every slot type empty on an
// EBS-backed instance type writing to a regular S3 bucket.
func cmkExamples(kind catalog.Kind) []Example {
	build := func(key string) *inventory.Resource {
		r := &inventory.Resource{Kind: kind.ID, Name: "example", Account: ExampleAccount, Region: ExampleRegion,
			ARN: "arn:aws:sagemaker:us-east-1:111122223333:" + kind.ID + "/example"}
		for _, s := range kind.Slots {
			slot := inventory.Slot{Type: s.ID, Name: s.ID, Label: s.Title, KeyRef: key}
			if s.LocalStorage != catalog.TableNone {
				slot.InstanceTypes = []string{"ml.m5.xlarge"}
			}
			if s.S3Output {
				slot.OutputURI = "s3://example-bucket/output"
			}
			r.Slots = append(r.Slots, slot)
		}
		return r
	}
	return []Example{
		{Name: "every slot uses an Enabled customer-managed key", Want: finding.Pass, Resource: build(exampleHealthyKey)},
		{Name: "no key configured in any slot", Want: finding.Fail, Resource: build("")},
	}
}

func tagExamples(kind string) []Example {
	r := func(tags map[string]string) *inventory.Resource {
		return &inventory.Resource{Kind: kind, Name: "example", Account: ExampleAccount, Region: ExampleRegion,
			ARN: "arn:aws:sagemaker:us-east-1:111122223333:" + kind + "/example", Tags: tags}
	}
	return []Example{
		{Name: "owner and cost-center tags present", Want: finding.Pass, Resource: r(map[string]string{"owner": "ml-platform", "cost-center": "cc-42"})},
		{Name: "cost-center tag missing", Want: finding.Fail, Resource: r(map[string]string{"owner": "ml-platform"})},
	}
}

// keyExample builds a KeyUse for key-rule examples from a key literal.
func keyExample(name string, want finding.Status, k keys.Key, owners ...string) Example {
	k.ARN, k.Ref, k.Account, k.Region = exampleHealthyKey, exampleHealthyKey, ExampleAccount, ExampleRegion
	if k.Manager == "" && !k.NotFound && k.Error == "" {
		k.Manager = keys.ManagerCustomer
	}
	if len(owners) == 0 {
		owners = []string{"ml-platform"}
	}
	u := &KeyUse{Key: &k}
	for i, o := range owners {
		u.Protected = append(u.Protected, &inventory.Resource{Kind: "notebook-instance", Name: o,
			ARN:  "arn:aws:sagemaker:us-east-1:111122223333:notebook-instance/nb-" + string(rune('a'+i)),
			Tags: map[string]string{"owner": o}, Account: ExampleAccount, Region: ExampleRegion})
	}
	return Example{Name: name, Want: want, Key: u}
}

// exampleRole is the execution role of key-access examples.
const exampleRole = "arn:aws:iam::111122223333:role/example-sagemaker-execution"

// keyAccessExamples pair the cmk example resource, run as exampleRole, with
// a key policy that names the role and one that names only an administrator.
func keyAccessExamples(kind catalog.Kind) []Example {
	resource := cmkExamples(kind)[0].Resource
	resource.ExecutionRoles = []string{exampleRole}
	withPolicy := func(policy string) []keys.Key {
		return []keys.Key{{ARN: exampleHealthyKey, Ref: exampleHealthyKey, Account: ExampleAccount, Region: ExampleRegion,
			Manager: keys.ManagerCustomer, State: keys.StateEnabled, Rotation: keys.Rotation{Enabled: true},
			Policy: policy, GrantsRead: true}}
	}
	iam := []inventory.AccountIAM{{Account: ExampleAccount, Roles: []inventory.Role{{ARN: exampleRole, Name: "example-sagemaker-execution"}}}}
	return []Example{
		{Name: "the key policy lets the execution role use the key", Want: finding.Pass, Resource: resource, IAM: iam,
			Keys: withPolicy(`{"Statement":[{"Sid":"Use","Effect":"Allow","Principal":{"AWS":"` + exampleRole + `"},` +
				`"Action":["kms:Encrypt","kms:Decrypt","kms:ReEncrypt*","kms:GenerateDataKey*","kms:DescribeKey","kms:CreateGrant","kms:RetireGrant","kms:ListGrants","kms:RevokeGrant","kms:ListAliases"],"Resource":"*"}]}`)},
		{Name: "the key policy names only an administrator", Want: finding.Fail, Resource: resource, IAM: iam,
			Keys: withPolicy(`{"Statement":[{"Sid":"Admin","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/key-admin"},` +
				`"Action":"kms:*","Resource":"*"}]}`)},
	}
}

// runAsExampleRole makes every resource of a key example run as exampleRole.
func runAsExampleRole(e Example) Example {
	for i := range e.Key.Protected {
		e.Key.Protected[i].ExecutionRoles = []string{exampleRole}
	}
	return e
}
