package rules

import (
	"testing"
	"time"

	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/inventory"
	"github.com/sagekey/sagekey/internal/keys"
)

const (
	acct   = "111122223333"
	region = "us-east-1"
	// Key ARNs of the fixture key set.
	healthyARN  = "arn:aws:kms:us-east-1:111122223333:key/11111111-1111-1111-1111-111111111111"
	disabledARN = "arn:aws:kms:us-east-1:111122223333:key/22222222-2222-2222-2222-222222222222"
	pendingARN  = "arn:aws:kms:us-east-1:111122223333:key/33333333-3333-3333-3333-333333333333"
	missingARN  = "arn:aws:kms:us-east-1:111122223333:key/44444444-4444-4444-4444-444444444444"
	deniedARN   = "arn:aws:kms:us-east-1:111122223333:key/55555555-5555-5555-5555-555555555555"
	awsARN      = "arn:aws:kms:us-east-1:111122223333:key/66666666-6666-6666-6666-666666666666"
	// undescribedARN was described, but KMS named neither manager nor state.
	undescribedARN = "arn:aws:kms:us-east-1:111122223333:key/77777777-7777-7777-7777-777777777777"
)

// fixtureKeys is a resolved key set as the resolver would produce it.
func fixtureKeys() *keys.Set {
	s := keys.NewSet()
	put := func(arn string, k keys.Key) {
		k.ARN, k.Ref, k.Account, k.Region = arn, arn, acct, region
		s.Put(arn, &k)
	}
	put(healthyARN, keys.Key{Manager: keys.ManagerCustomer, State: "Enabled", Rotation: keys.Rotation{Enabled: true, PeriodDays: 365}})
	put(disabledARN, keys.Key{Manager: keys.ManagerCustomer, State: "Disabled"})
	put(pendingARN, keys.Key{Manager: keys.ManagerCustomer, State: "PendingDeletion",
		DeletionDate: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)})
	put(missingARN, keys.Key{NotFound: true})
	put(deniedARN, keys.Key{Error: "kms:DescribeKey: access denied (AccessDeniedException)"})
	put(awsARN, keys.Key{Manager: keys.ManagerAWS, State: "Enabled"})
	put(undescribedARN, keys.Key{})
	// The alias of the healthy key resolves to the same key.
	healthy, _ := s.Get(healthyARN)
	s.Put("arn:aws:kms:us-east-1:111122223333:alias/ml-data", healthy)
	return s
}

func fixtureContext() *Context {
	return &Context{Keys: fixtureKeys(), RequiredTags: []string{"owner", "cost-center"}, OwnerTag: "owner"}
}

func resource(kind string, slots ...inventory.Slot) inventory.Resource {
	return inventory.Resource{
		Kind: kind, ARN: "arn:aws:sagemaker:us-east-1:111122223333:" + kind + "/r1", Name: "r1",
		Account: acct, Region: region, Slots: slots,
	}
}

// cmkCase is one row of a <kind>.cmk table test.
type cmkCase struct {
	name     string
	slots    []inventory.Slot
	want     finding.Status
	severity finding.Severity
	contains string // a phrase the message must contain
}

func runCMKCases(t *testing.T, rule Rule, cases []cmkCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := rule.CheckResource(fixtureContext(), resource(rule.Kind, tc.slots...))
			if f.Status != tc.want {
				t.Fatalf("status = %s, want %s (message %q)", f.Status, tc.want, f.Message)
			}
			if tc.severity != 0 && f.Severity != tc.severity {
				t.Errorf("severity = %s, want %s", f.Severity, tc.severity)
			}
			if tc.contains != "" && !containsFold(f.Message, tc.contains) {
				t.Errorf("message %q does not contain %q", f.Message, tc.contains)
			}
			if f.CheckID != rule.ID || f.Remediation == "" || len(f.Slots) != len(tc.slots) {
				t.Errorf("finding metadata incomplete: %+v", f)
			}
		})
	}
}
