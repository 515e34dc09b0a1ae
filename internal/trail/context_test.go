package trail

import (
	"slices"
	"strings"
	"testing"

	"github.com/sagekey/sagekey/internal/catalog"
)

func TestCreatorActions(t *testing.T) {
	byKind := map[string][]string{}
	for _, k := range catalog.Kinds() {
		got := CreatorActions(k)
		byKind[k.ID] = got
		if !slices.IsSorted(got) || len(slices.Compact(slices.Clone(got))) != len(got) {
			t.Errorf("%s: %q not sorted and unique", k.ID, got)
		}
		for _, a := range got {
			// An event name is one word: a note in DescribeAPI must not leak in.
			if !strings.HasPrefix(a, "Create") || strings.ContainsAny(a, " (+:") {
				t.Errorf("%s: %q is not a create event name", k.ID, a)
			}
		}
		for _, a := range k.CreateActions {
			if !slices.Contains(got, strings.TrimPrefix(a, "sagemaker:")) {
				t.Errorf("%s: guardrailed create %s missing from %q", k.ID, a, got)
			}
		}
	}
	// Kinds whose create carries no key condition are still created by a
	// named call, read off their Describe call.
	for kind, want := range map[string][]string{
		"endpoint":            {"CreateEndpoint"},
		"cluster":             {"CreateCluster"},
		"monitoring-schedule": {"CreateMonitoringSchedule"},
		"auto-ml-job":         {"CreateAutoMLJob", "CreateAutoMLJobV2"},
		"notebook-instance":   {"CreateNotebookInstance"},
	} {
		if got := byKind[kind]; !slices.Equal(got, want) {
			t.Errorf("CreatorActions(%s) = %q, want %q", kind, got, want)
		}
	}
}

func TestProtectedAndResolve(t *testing.T) {
	const (
		cnKey  = "arn:aws-cn:kms:cn-north-1:111122223333:key/" + keyID
		govKey = "arn:aws-us-gov:kms:us-gov-west-1:111122223333:key/" + key2ID
	)
	ctx := NewContext([]KeyFacts{
		{ARN: keyARN, Refs: []string{aliasARN}},
		{ARN: cnKey},
		{ARN: govKey, Refs: []string{"arn:aws-us-gov:kms:us-gov-west-1:111122223333:alias/gov"}},
	}, nil)
	for _, arn := range []string{keyARN, strings.ToUpper(keyARN), aliasARN, cnKey, govKey} {
		if !ctx.Protected(arn) {
			t.Errorf("Protected(%s) = false", arn)
		}
	}
	if ctx.Protected(strayARN) {
		t.Errorf("Protected(%s) = true for a key the scan never saw", strayARN)
	}
	cases := []struct{ ref, account, region, want string }{
		{keyID, acct, region, keyARN},
		{keyARN, otherAcc, "eu-west-1", keyARN}, // an ARN names its own account and region
		{aliasName, acct, region, keyARN},
		{aliasARN, acct, region, keyARN},
		{aliasName, otherAcc, region, ""}, // the same alias name in another account is another alias
		{aliasName, acct, "eu-west-1", ""},
		{keyID, acct, "cn-north-1", cnKey}, // the partition follows the region
		{"alias/gov", acct, "us-gov-west-1", govKey},
		{"", acct, region, ""},
		{"not-a-key", acct, region, ""},
	}
	for _, tc := range cases {
		if got := ctx.resolveKey(tc.ref, tc.account, tc.region); got != tc.want {
			t.Errorf("resolveKey(%q, %s, %s) = %q, want %q", tc.ref, tc.account, tc.region, got, tc.want)
		}
	}
}

func TestGuardrailAttribution(t *testing.T) {
	cases := []struct {
		name       string
		guardrails []string
		policy     string
		want       string
	}{
		{"no guardrails given", nil, scpARN, GuardrailUnknown},
		{"no policy named", []string{"p-12345678"}, "", GuardrailUnknown},
		{"SCP by ID", []string{"p-12345678"}, scpARN, GuardrailYes},
		{"SCP by ARN", []string{scpARN}, scpARN, GuardrailYes},
		{"SCP by ID, another case", []string{"P-12345678"}, scpARN, GuardrailYes},
		{"identity policy by name", []string{"SageKeyGuardrail"}, idPolARN, GuardrailYes},
		{"identity policy by ARN", []string{idPolARN}, idPolARN, GuardrailYes},
		{"policy with a path, by name", []string{"DeveloperBoundary"}, boundARN, GuardrailYes},
		{"another policy", []string{"p-00000000", "SageKeyGuardrail"}, scpARN, GuardrailNo},
		{"a prefix of the ID is not the ID", []string{"p-1234"}, scpARN, GuardrailNo},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := NewContext(nil, tc.guardrails).guardrail(tc.policy); got != tc.want {
				t.Errorf("guardrail(%q) with %q = %q, want %q", tc.policy, tc.guardrails, got, tc.want)
			}
		})
	}
}

// TestContextIsolated checks that a Context keeps its own copy of what it
// was built from: the caller may reuse its slices.
func TestContextIsolated(t *testing.T) {
	guardrails := []string{"p-12345678"}
	keys := []KeyFacts{{ARN: keyARN, Refs: []string{aliasARN}}}
	ctx := NewContext(keys, guardrails)
	guardrails[0] = "p-00000000"
	keys[0].Refs[0] = strayARN
	if got := ctx.guardrail(scpARN); got != GuardrailYes {
		t.Errorf("guardrail after the caller changed its slice = %q, want %q", got, GuardrailYes)
	}
	if !ctx.Protected(aliasARN) || ctx.Protected(strayARN) {
		t.Error("the context followed a change to the caller's key references")
	}
}
