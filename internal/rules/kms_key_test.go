package rules

import (
	"testing"

	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/inventory"
	"github.com/sagekey/sagekey/internal/keys"
)

// keyCase is one row of a key-rule table test.
type keyCase struct {
	name      string
	key       keys.Key
	protected []inventory.Resource
	want      finding.Status
	severity  finding.Severity
	contains  string
}

func runKeyCases(t *testing.T, rule Rule, cases []keyCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			k := tc.key
			if k.ARN == "" {
				k.ARN, k.Account, k.Region = healthyARN, acct, region
			}
			protected := tc.protected
			if protected == nil {
				protected = []inventory.Resource{resource("notebook-instance")}
			}
			f := rule.CheckKey(fixtureContext(), KeyUse{Key: &k, Protected: Protecting(protected)})
			if f.Status != tc.want {
				t.Fatalf("status = %s, want %s (%q)", f.Status, tc.want, f.Message)
			}
			if tc.severity != 0 && f.Severity != tc.severity {
				t.Errorf("severity = %s, want %s", f.Severity, tc.severity)
			}
			if tc.contains != "" && !containsFold(f.Message, tc.contains) {
				t.Errorf("message %q lacks %q", f.Message, tc.contains)
			}
			if f.Resource.Kind != KeyKind || f.Resource.ARN != k.ARN || len(f.Protects) != len(protected) {
				t.Errorf("key finding must name the key and its blast radius: %+v", f)
			}
		})
	}
}

func TestKeyState(t *testing.T) {
	t.Parallel()
	runKeyCases(t, KeyState(), []keyCase{
		{name: "enabled", key: keys.Key{State: "Enabled"}, want: finding.Pass},
		{name: "disabled", key: keys.Key{State: "Disabled"}, want: finding.Fail, severity: finding.High},
		{name: "pending deletion", key: keys.Key{State: "PendingDeletion"}, want: finding.Fail, severity: finding.Critical, contains: "the data of 1 resource becomes unrecoverable"},
		{name: "not found", key: keys.Key{NotFound: true}, want: finding.Fail, severity: finding.Critical},
		{name: "unknown", key: keys.Key{Error: "kms:DescribeKey: throttled after retries"}, want: finding.Error, contains: "throttled"},
		{name: "no state reported", key: keys.Key{}, want: finding.Error, contains: "did not report"},
	})
}

func TestKeyRotation(t *testing.T) {
	t.Parallel()
	runKeyCases(t, KeyRotation(), []keyCase{
		{name: "on", key: keys.Key{State: "Enabled", Rotation: keys.Rotation{Enabled: true, PeriodDays: 90}}, want: finding.Pass, contains: "90 days"},
		{name: "off", key: keys.Key{State: "Enabled"}, want: finding.Fail},
		{name: "imported material", key: keys.Key{State: "Enabled", Rotation: keys.Rotation{NotApplicable: "imported key material"}}, want: finding.NotApplicable},
		{name: "unreadable", key: keys.Key{State: "Enabled", Rotation: keys.Rotation{Error: "access denied"}}, want: finding.Error},
		{name: "key unknown", key: keys.Key{Error: "denied"}, want: finding.Error},
	})
}

func TestKeyPolicy(t *testing.T) {
	t.Parallel()
	policy := func(stmts string) keys.Key {
		return keys.Key{State: "Enabled", Policy: `{"Version":"2012-10-17","Statement":` + stmts + `}`}
	}
	runKeyCases(t, KeyPolicy(), []keyCase{
		{name: "root only", key: policy(`[{"Sid":"root","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}]`), want: finding.Pass},
		{name: "single statement object", key: policy(`{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}`), want: finding.Pass},
		{name: "star principal", key: policy(`[{"Sid":"open","Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*"}]`), want: finding.Fail, contains: "any principal"},
		{name: "star principal restricted", key: policy(`[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"kms:CallerAccount":"111122223333"}}}]`), want: finding.Pass},
		{name: "star with transport-only condition", key: policy(`[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"kms:Decrypt","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}}]`), want: finding.Fail},
		{name: "cross account", key: policy(`[{"Sid":"x","Effect":"Allow","Principal":{"AWS":["arn:aws:iam::999988887777:role/r"]},"Action":"kms:Decrypt","Resource":"*"}]`), want: finding.Fail, contains: "999988887777"},
		{name: "kms:* to a role", key: policy(`[{"Sid":"admin","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/dev"},"Action":["kms:*"],"Resource":"*"}]`), want: finding.Fail, contains: "kms:*"},
		{name: "service principal is fine", key: policy(`[{"Effect":"Allow","Principal":{"Service":"sagemaker.amazonaws.com"},"Action":"kms:Decrypt","Resource":"*"}]`), want: finding.Pass},
		{name: "deny ignored", key: policy(`[{"Effect":"Deny","Principal":"*","Action":"kms:*","Resource":"*"}]`), want: finding.Pass},
		{name: "unreadable", key: keys.Key{State: "Enabled", PolicyError: "key is in account 9"}, want: finding.Error},
		{name: "garbage", key: keys.Key{State: "Enabled", Policy: "{"}, want: finding.Error, contains: "parsed"},
	})
}

func TestKeyTags(t *testing.T) {
	t.Parallel()
	runKeyCases(t, KeyTags(), []keyCase{
		{name: "tagged", key: keys.Key{State: "Enabled", Tags: map[string]string{"owner": "ml", "cost-center": "cc1"}}, want: finding.Pass},
		{name: "missing cost-center", key: keys.Key{State: "Enabled", Tags: map[string]string{"owner": "ml"}}, want: finding.Fail, contains: "cost-center"},
		{name: "unreadable", key: keys.Key{State: "Enabled", TagsError: "denied"}, want: finding.Error},
		{name: "missing key", key: keys.Key{NotFound: true}, want: finding.NotApplicable},
	})
}

func TestKeyShared(t *testing.T) {
	t.Parallel()
	owned := func(owner string) inventory.Resource {
		r := resource("notebook-instance")
		r.ARN += owner
		if owner != "" {
			r.Tags = map[string]string{"owner": owner}
		}
		return r
	}
	runKeyCases(t, KeyShared(), []keyCase{
		{name: "one owner", protected: []inventory.Resource{owned("a"), owned("a")}, want: finding.Pass},
		{name: "two owners", protected: []inventory.Resource{owned("a"), owned("b")}, want: finding.Fail, contains: "a, b"},
		{name: "ownership unknown is not a pass", protected: []inventory.Resource{owned("")}, want: finding.NotApplicable},
		{name: "one owner plus untagged is not a pass", protected: []inventory.Resource{owned("a"), owned("")}, want: finding.NotApplicable},
	})
}
