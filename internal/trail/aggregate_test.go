package trail

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// The estate the aggregation tests judge events against: one account, one
// region, a key that protects SageMaker data (reachable by its ID, its ARN,
// its alias and the alias ARN), a second protected key the alias tests
// move to, and a key the scan never saw.
const (
	acct     = "111122223333"
	otherAcc = "444455556666"
	region   = "us-east-1"

	keyID     = "1234abcd-12ab-34cd-56ef-1234567890ab"
	keyARN    = "arn:aws:kms:" + region + ":" + acct + ":key/" + keyID
	aliasName = "alias/sagemaker-data"
	aliasARN  = "arn:aws:kms:" + region + ":" + acct + ":" + aliasName

	key2ID  = "0987dcba-09ba-87dc-65fe-0987654321fe"
	key2ARN = "arn:aws:kms:" + region + ":" + acct + ":key/" + key2ID

	strayARN = "arn:aws:kms:" + region + ":" + acct + ":key/ffffffff-ffff-ffff-ffff-ffffffffffff"

	execRole    = "arn:aws:iam::" + acct + ":role/SageMakerExecution"
	execSession = "arn:aws:sts::" + acct + ":assumed-role/SageMakerExecution/SageMaker"
	devRole     = "arn:aws:iam::" + acct + ":role/Developer"
	devSession  = "arn:aws:sts::" + acct + ":assumed-role/Developer/alice"
	userARN     = "arn:aws:iam::" + acct + ":user/bob"
	outsider    = "arn:aws:iam::" + otherAcc + ":user/mallory"
)

// t0 is a fixed instant; day0 its UTC day.
var (
	t0   = time.Date(2026, 11, 3, 14, 30, 0, 0, time.UTC)
	day0 = time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC)
)

// keyPolicy is a key policy with one Allow statement per principal list.
func keyPolicy(allowed ...string) string {
	var st []string
	for _, p := range allowed {
		st = append(st, fmt.Sprintf(`{"Effect":"Allow","Principal":{"AWS":%q},"Action":"kms:*","Resource":"*"}`, p))
	}
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(st, ",") + `]}`
}

// estate is the default context: the key policy names the execution role
// and delegates to the account.
func estate(guardrails ...string) *Context {
	return NewContext([]KeyFacts{
		{ARN: keyARN, Refs: []string{keyARN, aliasARN}, Policy: keyPolicy(execRole, "arn:aws:iam::"+acct+":root")},
		{ARN: key2ARN, Refs: []string{key2ARN}, Policy: keyPolicy(execRole)},
	}, guardrails)
}

// assumed is the identity of a session of role (an assumed-role ARN).
func assumed(role, session string) UserIdentity {
	return UserIdentity{Type: "AssumedRole", PrincipalID: "AROAEXAMPLE:" + session, AccountID: acct,
		ARN:            session,
		SessionContext: SessionContext{SessionIssuer: SessionIssuer{Type: "Role", ARN: role}}}
}

var nextID int

// kmsEvent is a KMS event by the developer's session at t0 naming no key;
// opts set the rest.
func kmsEvent(name string, opts ...func(*Event)) Event {
	nextID++
	ev := Event{EventVersion: "1.11", EventID: fmt.Sprintf("ev-%04d", nextID), EventTime: t0, EventSource: SourceKMS,
		EventName: name, AWSRegion: region, SourceIPAddress: "203.0.113.10", UserAgent: "aws-cli/2.15.0",
		RecipientAccountID: acct, UserIdentity: assumed(devRole, devSession)}
	for _, o := range opts {
		o(&ev)
	}
	return ev
}

// smEvent is a SageMaker event, like kmsEvent.
func smEvent(name string, opts ...func(*Event)) Event {
	ev := kmsEvent(name, opts...)
	ev.EventSource = SourceSageMaker
	return ev
}

func withID(id string) func(*Event)   { return func(e *Event) { e.EventID = id } }
func at(t time.Time) func(*Event)     { return func(e *Event) { e.EventTime = t } }
func denied(code string) func(*Event) { return func(e *Event) { e.ErrorCode = code } }
func by(id UserIdentity) func(*Event) { return func(e *Event) { e.UserIdentity = id } }
func agent(ua string) func(*Event)    { return func(e *Event) { e.UserAgent = ua } }
func params(js string) func(*Event) {
	return func(e *Event) { e.RequestParameters = json.RawMessage(js) }
}
func response(js string) func(*Event) {
	return func(e *Event) { e.ResponseElements = json.RawMessage(js) }
}
func keyParam(ref string) func(*Event)   { return params(fmt.Sprintf(`{"keyId":%q}`, ref)) }
func errMessage(msg string) func(*Event) { return func(e *Event) { e.ErrorMessage = msg } }
func weighted(n int64, ids ...string) func(*Event) {
	return func(e *Event) { e.Weight, e.Samples = n, ids }
}

// keyResource lists a key in the event's resources, as CloudTrail does for
// KMS data events.
func keyResource(arn string) func(*Event) {
	return func(e *Event) {
		e.Resources = append(e.Resources, EventResource{ARN: arn, AccountID: acct, Type: "AWS::KMS::Key"})
	}
}

// viaSM marks the call as made by SageMaker on the caller's behalf, the way
// CloudTrail records it (invokedBy, source IP and user agent all name the
// service).
func viaSM(e *Event) {
	e.UserIdentity.InvokedBy = SourceSageMaker
	e.SourceIPAddress = SourceSageMaker
	e.UserAgent = SourceSageMaker
}

// aggregate folds events into a fresh aggregator over ctx.
func aggregate(ctx *Context, events ...Event) *Aggregates {
	a := NewAggregator(ctx)
	for i := range events {
		a.Add(&events[i])
	}
	return a.Result()
}

// same fails t with both values as JSON when got differs from want.
func same(t *testing.T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		g, _ := json.MarshalIndent(got, "", "  ")
		w, _ := json.MarshalIndent(want, "", "  ")
		t.Errorf("%s:\n got %s\nwant %s", what, g, w)
	}
}

// denial is the group the developer's direct denial on keyARN falls in;
// mods adjust it.
func denial(count int64, samples []string, mods ...func(*Denial)) Denial {
	d := Denial{Day: day0, Account: acct, Region: region, KeyARN: keyARN, Principal: devRole,
		Operation: "kms:Decrypt", Via: ViaDirect, ErrorCode: "AccessDenied", Policy: PolicyDelegated,
		Count: count, Samples: samples}
	for _, m := range mods {
		m(&d)
	}
	return d
}

func TestDenials(t *testing.T) {
	cases := []struct {
		name   string
		events []Event
		want   []Denial
	}{
		{"AccessDenied on a key in resources",
			[]Event{kmsEvent("Decrypt", withID("d1"), denied("AccessDenied"), keyResource(keyARN))},
			[]Denial{denial(1, []string{"d1"})}},
		{"AccessDeniedException keeps its code",
			[]Event{kmsEvent("Decrypt", withID("d1"), denied("AccessDeniedException"), keyResource(keyARN))},
			[]Denial{denial(1, []string{"d1"}, func(d *Denial) { d.ErrorCode = "AccessDeniedException" })}},
		{"another error is no denial",
			[]Event{kmsEvent("Decrypt", denied("KMSInvalidStateException"), keyResource(keyARN))},
			nil},
		{"keyId as a key ID",
			[]Event{kmsEvent("GenerateDataKey", withID("d1"), denied("AccessDenied"), keyParam(keyID))},
			[]Denial{denial(1, []string{"d1"}, func(d *Denial) { d.Operation = "kms:GenerateDataKey" })}},
		{"keyId as a key ARN",
			[]Event{kmsEvent("Decrypt", withID("d1"), denied("AccessDenied"), keyParam(keyARN))},
			[]Denial{denial(1, []string{"d1"})}},
		{"keyId as an alias name, resolved through the scan's references",
			[]Event{kmsEvent("Encrypt", withID("d1"), denied("AccessDenied"), keyParam(aliasName))},
			[]Denial{denial(1, []string{"d1"}, func(d *Denial) { d.Operation = "kms:Encrypt" })}},
		{"keyId as an alias ARN",
			[]Event{kmsEvent("Encrypt", withID("d1"), denied("AccessDenied"), keyParam(aliasARN))},
			[]Denial{denial(1, []string{"d1"}, func(d *Denial) { d.Operation = "kms:Encrypt" })}},
		{"a key protecting no SageMaker data, called directly, is ignored",
			[]Event{kmsEvent("Decrypt", denied("AccessDenied"), keyResource(strayARN))},
			nil},
		{"an alias the scan never saw, called directly, is ignored",
			[]Event{kmsEvent("Decrypt", denied("AccessDenied"), keyParam("alias/other"))},
			nil},
		{"a key protecting no SageMaker data counts when SageMaker called (invokedBy, source IP, user agent)",
			[]Event{kmsEvent("Decrypt", withID("d1"), denied("AccessDenied"), keyResource(strayARN), viaSM)},
			[]Denial{denial(1, []string{"d1"}, func(d *Denial) {
				d.KeyARN, d.Via, d.Policy = strayARN, ViaSageMaker, PolicyUnknown
			})}},
		{"via SageMaker by invokedBy alone",
			[]Event{kmsEvent("Decrypt", withID("d1"), denied("AccessDenied"), keyResource(strayARN),
				func(e *Event) { e.UserIdentity.InvokedBy = SourceSageMaker })},
			[]Denial{denial(1, []string{"d1"}, func(d *Denial) {
				d.KeyARN, d.Via, d.Policy = strayARN, ViaSageMaker, PolicyUnknown
			})}},
		{"via SageMaker by source IP alone",
			[]Event{kmsEvent("Decrypt", withID("d1"), denied("AccessDenied"), keyResource(strayARN),
				func(e *Event) { e.SourceIPAddress = SourceSageMaker })},
			[]Denial{denial(1, []string{"d1"}, func(d *Denial) {
				d.KeyARN, d.Via, d.Policy = strayARN, ViaSageMaker, PolicyUnknown
			})}},
		{"via SageMaker by user agent alone; an unresolved reference is kept as named",
			[]Event{kmsEvent("Decrypt", withID("d1"), denied("AccessDenied"), keyParam("alias/other"), agent(SourceSageMaker))},
			[]Denial{denial(1, []string{"d1"}, func(d *Denial) {
				d.KeyARN, d.Via, d.Policy = "alias/other", ViaSageMaker, PolicyUnknown
			})}},
		{"a protected key via SageMaker",
			[]Event{kmsEvent("GenerateDataKey", withID("d1"), denied("AccessDenied"), keyResource(keyARN), viaSM,
				by(assumed(execRole, execSession)))},
			[]Denial{denial(1, []string{"d1"}, func(d *Denial) {
				d.Operation, d.Via, d.Principal, d.Policy = "kms:GenerateDataKey", ViaSageMaker, execRole, PolicyNamed
			})}},
		{"an IAM user is its own principal",
			[]Event{kmsEvent("Decrypt", withID("d1"), denied("AccessDenied"), keyResource(keyARN),
				by(UserIdentity{Type: "IAMUser", PrincipalID: "AIDAEXAMPLE", ARN: userARN, AccountID: acct}))},
			[]Denial{denial(1, []string{"d1"}, func(d *Denial) { d.Principal = userARN })}},
		{"a service without an ARN is named by invokedBy",
			[]Event{kmsEvent("Decrypt", withID("d1"), denied("AccessDenied"), keyResource(keyARN),
				by(UserIdentity{Type: "AWSService", InvokedBy: "sagemaker.amazonaws.com"}))},
			[]Denial{denial(1, []string{"d1"}, func(d *Denial) {
				d.Principal, d.Via, d.Policy = "sagemaker.amazonaws.com", ViaSageMaker, PolicyUnknown
			})}},
		{"an account outside the policy is unnamed",
			[]Event{kmsEvent("Decrypt", withID("d1"), denied("AccessDenied"), keyParam(keyARN),
				by(UserIdentity{Type: "IAMUser", ARN: outsider, AccountID: otherAcc}))},
			[]Denial{denial(1, []string{"d1"}, func(d *Denial) { d.Principal, d.Policy = outsider, PolicyUnnamed })}},
		{"one group per day, key, principal and operation; samples capped at MaxSamples, smallest IDs",
			[]Event{
				kmsEvent("Decrypt", withID("d5"), denied("AccessDenied"), keyResource(keyARN)),
				kmsEvent("Decrypt", withID("d4"), denied("AccessDenied"), keyResource(keyARN)),
				kmsEvent("Decrypt", withID("d3"), denied("AccessDenied"), keyResource(keyARN), at(t0.Add(time.Hour))),
				kmsEvent("Decrypt", withID("d2"), denied("AccessDenied"), keyResource(keyARN)),
				kmsEvent("Decrypt", withID("d1"), denied("AccessDenied"), keyResource(keyARN)),
				kmsEvent("Decrypt", withID("n1"), denied("AccessDenied"), keyResource(keyARN), at(t0.AddDate(0, 0, 1))),
				kmsEvent("Encrypt", withID("e1"), denied("AccessDenied"), keyResource(keyARN)),
			},
			[]Denial{
				denial(5, []string{"d1", "d2", "d3"}),
				denial(1, []string{"e1"}, func(d *Denial) { d.Operation = "kms:Encrypt" }),
				denial(1, []string{"n1"}, func(d *Denial) { d.Day = day0.AddDate(0, 0, 1) }),
			}},
		{"a pre-aggregated event counts its weight and keeps its samples",
			[]Event{kmsEvent("Decrypt", withID(""), denied("AccessDenied"), keyResource(keyARN),
				weighted(40, "s9", "s2", "s7", "s1"))},
			[]Denial{denial(40, []string{"s1", "s2", "s7"})}},
		{"a weight of zero is one event",
			[]Event{kmsEvent("Decrypt", withID("d1"), denied("AccessDenied"), keyResource(keyARN), weighted(0))},
			[]Denial{denial(1, []string{"d1"})}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := aggregate(estate(), tc.events...)
			same(t, "denials", got.Denials, tc.want)
			var events, matched int64
			for _, e := range tc.events {
				events += max(e.Weight, 1)
			}
			for _, d := range tc.want {
				matched += d.Count
			}
			if got.Events != events || got.Matched != matched {
				t.Errorf("events/matched = %d/%d, want %d/%d", got.Events, got.Matched, events, matched)
			}
		})
	}
}

// TestDenialPolicyRelation checks each relation of the refused principal to
// the key policy, with the relation derived from the policy in each case.
func TestDenialPolicyRelation(t *testing.T) {
	anyone := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*"}}`
	denyOnly := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":{"AWS":"` + devRole + `"},"Action":"kms:*","Resource":"*"}]}`
	cases := []struct {
		name   string
		policy string
		who    UserIdentity
		want   string
	}{
		{"the role in an Allow statement", keyPolicy(devRole), assumed(devRole, devSession), PolicyNamed},
		{"the wildcard principal", anyone, assumed(devRole, devSession), PolicyNamed},
		{`{"AWS": "*"}`, keyPolicy("*"), assumed(devRole, devSession), PolicyNamed},
		{"the session ARN itself", keyPolicy(devSession), assumed(devRole, devSession), PolicyNamed},
		{"the user in an Allow statement", keyPolicy(userARN), UserIdentity{Type: "IAMUser", ARN: userARN, AccountID: acct}, PolicyNamed},
		{"the account root delegates", keyPolicy("arn:aws:iam::" + acct + ":root"), assumed(devRole, devSession), PolicyDelegated},
		{"a bare account ID delegates", keyPolicy(acct), assumed(devRole, devSession), PolicyDelegated},
		{"a different role and no root grant", keyPolicy(execRole), assumed(devRole, devSession), PolicyUnnamed},
		{"another account's root names not this one", keyPolicy("arn:aws:iam::" + otherAcc + ":root"), assumed(devRole, devSession), PolicyUnnamed},
		{"a principal of another account under this account's root", keyPolicy("arn:aws:iam::" + acct + ":root"),
			UserIdentity{Type: "IAMUser", ARN: outsider, AccountID: otherAcc}, PolicyUnnamed},
		{"a Deny statement names nobody allowed", denyOnly, assumed(devRole, devSession), PolicyUnnamed},
		{"a service cannot be judged by AWS principals", keyPolicy("arn:aws:iam::" + acct + ":root"),
			UserIdentity{Type: "AWSService", InvokedBy: "sagemaker.amazonaws.com"}, PolicyUnknown},
		{"but the wildcard names even a service", anyone, UserIdentity{Type: "AWSService", InvokedBy: "sagemaker.amazonaws.com"}, PolicyNamed},
		{"no policy read", "", assumed(devRole, devSession), PolicyUnknown},
		{"a policy that does not parse", "{not json", assumed(devRole, devSession), PolicyUnknown},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := NewContext([]KeyFacts{{ARN: keyARN, Refs: []string{keyARN}, Policy: tc.policy}}, nil)
			got := aggregate(ctx, kmsEvent("Decrypt", denied("AccessDenied"), keyResource(keyARN), by(tc.who)))
			if len(got.Denials) != 1 {
				t.Fatalf("denials = %+v, want one", got.Denials)
			}
			if p := got.Denials[0].Policy; p != tc.want {
				t.Errorf("policy relation = %q, want %q", p, tc.want)
			}
		})
	}
}

// Realistic access denied messages: the principal, action and resource as
// IAM writes them, then the policy type and, since 2025, the policy ARN
// (https://aws.amazon.com/blogs/security/enhanced-access-denied-error-messages-with-policy-arns).
const (
	denyHead  = "User: " + devSession + " is not authorized to perform: sagemaker:CreateNotebookInstance on resource: arn:aws:sagemaker:us-east-1:111122223333:notebook-instance/research-nb"
	scpARN    = "arn:aws:organizations::999988887777:policy/o-a1b2c3d4e5/service_control_policy/p-12345678"
	rcpARN    = "arn:aws:organizations::999988887777:policy/o-a1b2c3d4e5/resource_control_policy/p-87654321"
	idPolARN  = "arn:aws:iam::111122223333:policy/SageKeyGuardrail"
	boundARN  = "arn:aws:iam::111122223333:policy/boundaries/DeveloperBoundary"
	encodedAF = ". Encoded authorization failure message: XQ_jqde5rHje6j9P-qke7-HNpHWzSWvxYobhcCPSpfOmLTkOylRBKd0eE4Xx4U"
)

func blocked(count int64, samples []string, mods ...func(*Blocked)) Blocked {
	b := Blocked{Day: day0, Account: acct, Region: region, Action: "sagemaker:CreateNotebookInstance",
		PolicyType: PolicySCP, Guardrail: GuardrailUnknown, Principal: devRole, Count: count, Samples: samples}
	for _, m := range mods {
		m(&b)
	}
	return b
}

func TestBlocked(t *testing.T) {
	create := func(msg string, opts ...func(*Event)) Event {
		return smEvent("CreateNotebookInstance", append([]func(*Event){withID("b1"), denied("AccessDeniedException"), errMessage(msg)}, opts...)...)
	}
	withPolicy := func(typ, arn, guard string) func(*Blocked) {
		return func(b *Blocked) { b.PolicyType, b.PolicyARN, b.Guardrail = typ, arn, guard }
	}
	cases := []struct {
		name       string
		guardrails []string
		events     []Event
		want       []Blocked
	}{
		{"SCP, message without a policy ARN, no guardrails given", nil,
			[]Event{create(denyHead + " with an explicit deny in a service control policy")},
			[]Blocked{blocked(1, []string{"b1"})}},
		{"SCP without a policy ARN: unattributed even with guardrails given", []string{"p-12345678"},
			[]Event{create(denyHead + " with an explicit deny in a service control policy" + encodedAF)},
			[]Blocked{blocked(1, []string{"b1"})}},
		{"SCP with its ARN, guardrail given by policy ID", []string{"p-12345678"},
			[]Event{create(denyHead + " with an explicit deny in a service control policy: " + scpARN)},
			[]Blocked{blocked(1, []string{"b1"}, withPolicy(PolicySCP, scpARN, GuardrailYes))}},
		{"SCP with its ARN, guardrail given by ARN (any case)", []string{strings.ToUpper(scpARN)},
			[]Event{create(denyHead + " with an explicit deny in a service control policy: " + scpARN + ".")},
			[]Blocked{blocked(1, []string{"b1"}, withPolicy(PolicySCP, scpARN, GuardrailYes))}},
		{"SCP with its ARN that is not a guardrail", []string{"p-00000000", idPolARN},
			[]Event{create(denyHead + " with an explicit deny in a service control policy: " + scpARN + encodedAF)},
			[]Blocked{blocked(1, []string{"b1"}, withPolicy(PolicySCP, scpARN, GuardrailNo))}},
		{"SCP with its ARN, no guardrails given", nil,
			[]Event{create(denyHead + " with an explicit deny in a service control policy: " + scpARN)},
			[]Blocked{blocked(1, []string{"b1"}, withPolicy(PolicySCP, scpARN, GuardrailUnknown))}},
		{"identity-based policy, guardrail given by name", []string{"SageKeyGuardrail"},
			[]Event{create(denyHead + " with an explicit deny in an identity-based policy: " + idPolARN)},
			[]Blocked{blocked(1, []string{"b1"}, withPolicy(PolicyIdentity, idPolARN, GuardrailYes))}},
		{"identity-based policy, guardrail given by ARN", []string{idPolARN},
			[]Event{create(denyHead + " with an explicit deny in an identity-based policy: " + idPolARN)},
			[]Blocked{blocked(1, []string{"b1"}, withPolicy(PolicyIdentity, idPolARN, GuardrailYes))}},
		{"identity-based policy without ARN", []string{idPolARN},
			[]Event{create(denyHead + " with an explicit deny in an identity-based policy")},
			[]Blocked{blocked(1, []string{"b1"}, withPolicy(PolicyIdentity, "", GuardrailUnknown))}},
		{"resource control policy", []string{"p-12345678"},
			[]Event{create(denyHead + " with an explicit deny in a resource control policy: " + rcpARN)},
			[]Blocked{blocked(1, []string{"b1"}, withPolicy(PolicyRCP, rcpARN, GuardrailNo))}},
		{"permissions boundary (no word 'policy' in the phrase)", []string{"p-12345678"},
			[]Event{create(denyHead + " with an explicit deny in a permissions boundary: " + boundARN)},
			[]Blocked{blocked(1, []string{"b1"}, withPolicy(PolicyBoundary, boundARN, GuardrailNo))}},
		{"session policy", nil,
			[]Event{create(denyHead + " with an explicit deny in a session policy")},
			[]Blocked{blocked(1, []string{"b1"}, withPolicy(PolicySession, "", GuardrailUnknown))}},
		{"VPC endpoint policy", nil,
			[]Event{create(denyHead + " with an explicit deny in a VPC endpoint policy")},
			[]Blocked{blocked(1, []string{"b1"}, withPolicy(PolicyVPCEndpoint, "", GuardrailUnknown))}},
		{"an older message naming no policy type is still an explicit deny", []string{"p-12345678"},
			[]Event{create(denyHead + " with an explicit deny")},
			[]Blocked{blocked(1, []string{"b1"}, withPolicy(PolicyOther, "", GuardrailUnknown))}},
		{"non-ASCII text before the phrase and another case keep the ARN intact", []string{"p-12345678"},
			[]Event{create("User: arn:aws:sts::111122223333:assumed-role/Dev/İstanbul-ǅ is not authorized to perform: sagemaker:CreateNotebookInstance WITH AN EXPLICIT DENY IN A SERVICE CONTROL POLICY: " + scpARN)},
			[]Blocked{blocked(1, []string{"b1"}, withPolicy(PolicySCP, scpARN, GuardrailYes))}},
		{"AccessDenied code as well as AccessDeniedException", nil,
			[]Event{create(denyHead+" with an explicit deny in a service control policy", denied("AccessDenied"))},
			[]Blocked{blocked(1, []string{"b1"})}},
		{"an implicit deny is a missing permission, not counted", []string{"p-12345678"},
			[]Event{create(denyHead + " because no identity-based policy allows the sagemaker:CreateNotebookInstance action")},
			nil},
		{"an implicit deny by an SCP is not counted either", nil,
			[]Event{create(denyHead + " because no service control policy allows the sagemaker:CreateNotebookInstance action")},
			nil},
		{"a non-create action is not counted", nil,
			[]Event{smEvent("DescribeNotebookInstance", denied("AccessDeniedException"),
				errMessage("User: "+devSession+" is not authorized to perform: sagemaker:DescribeNotebookInstance on resource: arn:aws:sagemaker:us-east-1:111122223333:notebook-instance/x with an explicit deny in a service control policy"))},
			nil},
		{"a create the guardrails cannot condition (CreateEndpoint) is not counted", nil,
			[]Event{smEvent("CreateEndpoint", denied("AccessDeniedException"),
				errMessage("User: "+devSession+" is not authorized to perform: sagemaker:CreateEndpoint on resource: arn:aws:sagemaker:us-east-1:111122223333:endpoint/x with an explicit deny in a service control policy"))},
			nil},
		{"a key-update action is counted", nil,
			[]Event{smEvent("UpdateDomain", withID("u1"), denied("AccessDeniedException"),
				errMessage("User: "+devSession+" is not authorized to perform: sagemaker:UpdateDomain on resource: arn:aws:sagemaker:us-east-1:111122223333:domain/d-abc with an explicit deny in a service control policy"))},
			[]Blocked{blocked(1, []string{"u1"}, func(b *Blocked) { b.Action = "sagemaker:UpdateDomain" })}},
		{"groups sum per day, action, policy and principal", []string{"p-12345678"},
			[]Event{
				create(denyHead+" with an explicit deny in a service control policy: "+scpARN, withID("b2")),
				create(denyHead+" with an explicit deny in a service control policy: "+scpARN, withID("b1")),
				create(denyHead+" with an explicit deny in a service control policy: "+scpARN, withID("b3"), weighted(3)),
				create(denyHead+" with an explicit deny in a service control policy: "+scpARN, withID("b4"), by(assumed(execRole, execSession))),
			},
			[]Blocked{
				blocked(5, []string{"b1", "b2", "b3"}, withPolicy(PolicySCP, scpARN, GuardrailYes)),
				blocked(1, []string{"b4"}, withPolicy(PolicySCP, scpARN, GuardrailYes), func(b *Blocked) { b.Principal = execRole }),
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := aggregate(estate(tc.guardrails...), tc.events...)
			same(t, "blocked", got.Blocked, tc.want)
			if len(got.Creators) != 0 {
				t.Errorf("a refused create made creators %+v", got.Creators)
			}
		})
	}
}

func TestCreators(t *testing.T) {
	const (
		nbARN  = "arn:aws:sagemaker:us-east-1:111122223333:notebook-instance/research-nb"
		tjARN  = "arn:aws:sagemaker:us-east-1:111122223333:training-job/xgb-2026-11-03"
		ecARN  = "arn:aws:sagemaker:us-east-1:111122223333:endpoint-config/fraud-v1"
		epARN  = "arn:aws:sagemaker:us-east-1:111122223333:endpoint/fraud"
		clARN  = "arn:aws:sagemaker:us-east-1:111122223333:cluster/a1b2c3d4e5f6"
		tfUA   = "APN/1.0 HashiCorp/1.0 Terraform/1.9.8 (+https://www.terraform.io) terraform-provider-aws/5.80.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.32.5 os/linux lang/go#1.23.3 md/GOOS#linux md/GOARCH#amd64 api/sagemaker#1.168.1"
		smSDKU = "Boto3/1.35.0 md/Botocore#1.35.0 ua/2.0 os/linux#5.10 md/arch#x86_64 lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.35.0 lib/AWS-SageMaker-Python-SDK#2.232.1"
	)
	creator := func(arn, action, id string, when time.Time, tool, ua string) Creator {
		return Creator{ResourceARN: arn, Account: acct, Region: region, Action: action, EventID: id, Time: when,
			Principal: devRole, Identity: devSession, SourceIP: "203.0.113.10", UserAgent: ua, Tool: tool}
	}
	created := func(name, field, arn, id string, when time.Time, ua string) Event {
		return smEvent(name, withID(id), at(when), agent(ua), response(fmt.Sprintf(`{%q:%q}`, field, arn)))
	}
	cases := []struct {
		name   string
		events []Event
		want   []Creator
	}{
		{"notebookInstanceArn", []Event{created("CreateNotebookInstance", "notebookInstanceArn", nbARN, "c1", t0, tfUA)},
			[]Creator{creator(nbARN, "sagemaker:CreateNotebookInstance", "c1", t0, ToolTerraform, tfUA)}},
		{"trainingJobArn", []Event{created("CreateTrainingJob", "trainingJobArn", tjARN, "c1", t0, smSDKU)},
			[]Creator{creator(tjARN, "sagemaker:CreateTrainingJob", "c1", t0, ToolSageMakerSDK, smSDKU)}},
		{"endpointConfigArn", []Event{created("CreateEndpointConfig", "endpointConfigArn", ecARN, "c1", t0, "AWS Internal")},
			[]Creator{creator(ecARN, "sagemaker:CreateEndpointConfig", "c1", t0, ToolConsole, "AWS Internal")}},
		{"endpointArn (CreateEndpoint, read off DescribeEndpoint)", []Event{created("CreateEndpoint", "endpointArn", epARN, "c1", t0, "cloudformation.amazonaws.com")},
			[]Creator{creator(epARN, "sagemaker:CreateEndpoint", "c1", t0, ToolCloudFormation, "cloudformation.amazonaws.com")}},
		{"clusterArn (CreateCluster)", []Event{created("CreateCluster", "clusterArn", clARN, "c1", t0, "aws-cli/2.15.0 Python/3.11.6 Linux/5.10 exe/x86_64.amzn.2")},
			[]Creator{creator(clARN, "sagemaker:CreateCluster", "c1", t0, ToolCLI, "aws-cli/2.15.0 Python/3.11.6 Linux/5.10 exe/x86_64.amzn.2")}},
		{"a failed create is ignored", []Event{
			smEvent("CreateNotebookInstance", denied("ValidationException"), response(`null`)),
			smEvent("CreateTrainingJob", denied("ResourceLimitExceeded"), response(fmt.Sprintf(`{"trainingJobArn":%q}`, tjARN))),
		}, nil},
		{"a call that creates nothing is ignored", []Event{
			smEvent("UpdateNotebookInstance", response(fmt.Sprintf(`{"notebookInstanceArn":%q}`, nbARN))),
			smEvent("DescribeTrainingJob", response(fmt.Sprintf(`{"trainingJobArn":%q}`, tjARN))),
		}, nil},
		{"a response without a SageMaker ARN is ignored", []Event{
			smEvent("CreateNotebookInstance", response(`{"notebookInstanceArn":"research-nb","roleArn":"`+devRole+`"}`)),
			smEvent("CreateNotebookInstance", response(`not json`)),
		}, nil},
		{"the latest create of a name wins, in either order", []Event{
			created("CreateTrainingJob", "trainingJobArn", tjARN, "c2", t0.Add(time.Hour), tfUA),
			created("CreateTrainingJob", "trainingJobArn", tjARN, "c1", t0, smSDKU),
			created("CreateTrainingJob", "trainingJobArn", tjARN, "c0", t0.Add(-time.Hour), smSDKU),
		}, []Creator{creator(tjARN, "sagemaker:CreateTrainingJob", "c2", t0.Add(time.Hour), ToolTerraform, tfUA)}},
		{"of two creates at the same instant the greater event ID wins", []Event{
			created("CreateTrainingJob", "trainingJobArn", tjARN, "c9", t0, tfUA),
			created("CreateTrainingJob", "trainingJobArn", tjARN, "c1", t0, smSDKU),
		}, []Creator{creator(tjARN, "sagemaker:CreateTrainingJob", "c9", t0, ToolTerraform, tfUA)}},
		{"an IAM user creates as itself", []Event{
			created("CreateNotebookInstance", "notebookInstanceArn", nbARN, "c1", t0, tfUA),
		}, []Creator{creator(nbARN, "sagemaker:CreateNotebookInstance", "c1", t0, ToolTerraform, tfUA)}},
	}
	// The IAM-user case swaps the identity in both the event and the want.
	last := &cases[len(cases)-1]
	last.events[0].UserIdentity = UserIdentity{Type: "IAMUser", ARN: userARN, AccountID: acct}
	last.want[0].Principal, last.want[0].Identity = userARN, ""
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			same(t, "creators", aggregate(estate(), tc.events...).Creators, tc.want)
			rev := slices.Clone(tc.events)
			slices.Reverse(rev)
			same(t, "creators, events reversed", aggregate(estate(), rev...).Creators, tc.want)
		})
	}
}

func TestKeyEvents(t *testing.T) {
	keyEvent := func(action, key, id, detail string) KeyEvent {
		return KeyEvent{EventID: id, Time: t0, Account: acct, Region: region, KeyARN: key, Action: "kms:" + action,
			Principal: devRole, Identity: devSession, SourceIP: "203.0.113.10", UserAgent: "aws-cli/2.15.0",
			Tool: ToolCLI, Detail: detail}
	}
	// Every lifecycle action on the protected key is kept, on a key the
	// scan never saw none is.
	for _, action := range KeyLifecycleActions() {
		t.Run(action, func(t *testing.T) {
			got := aggregate(estate(),
				kmsEvent(action, withID("k1"), keyParam(keyID), response(`{"keyId":"`+keyARN+`"}`)),
				kmsEvent(action, withID("k2"), keyParam(strayARN)))
			detail := ""
			if action == "ScheduleKeyDeletion" {
				detail = "pending window 30 days (default)"
			}
			same(t, "key events", got.KeyEvents, []KeyEvent{keyEvent(action, keyARN, "k1", detail)})
			if got.Matched != 1 {
				t.Errorf("matched = %d, want 1", got.Matched)
			}
		})
	}
	cases := []struct {
		name   string
		events []Event
		want   []KeyEvent
	}{
		{"ScheduleKeyDeletion with its pending window",
			[]Event{kmsEvent("ScheduleKeyDeletion", withID("k1"), params(`{"keyId":"`+keyID+`","pendingWindowInDays":7}`))},
			[]KeyEvent{keyEvent("ScheduleKeyDeletion", keyARN, "k1", "pending window 7 days")}},
		{"ScheduleKeyDeletion's window from the response when the request omits it",
			[]Event{kmsEvent("ScheduleKeyDeletion", withID("k1"), keyParam(keyARN),
				response(`{"keyId":"`+keyARN+`","keyState":"PendingDeletion","pendingWindowInDays":10}`))},
			[]KeyEvent{keyEvent("ScheduleKeyDeletion", keyARN, "k1", "pending window 10 days")}},
		{"DeleteAlias resolved through the alias to the protected key",
			[]Event{kmsEvent("DeleteAlias", withID("k1"), params(`{"aliasName":"`+aliasName+`"}`))},
			[]KeyEvent{keyEvent("DeleteAlias", keyARN, "k1", aliasName)}},
		{"UpdateAlias away from the protected key to one the scan never saw",
			[]Event{kmsEvent("UpdateAlias", withID("k1"), params(`{"aliasName":"`+aliasName+`","targetKeyId":"`+strayARN+`"}`))},
			[]KeyEvent{keyEvent("UpdateAlias", keyARN, "k1", aliasName+" -> "+strayARN)}},
		{"UpdateAlias between two protected keys is an event on both",
			[]Event{kmsEvent("UpdateAlias", withID("k1"), params(`{"aliasName":"`+aliasName+`","targetKeyId":"`+key2ID+`"}`))},
			[]KeyEvent{
				keyEvent("UpdateAlias", key2ARN, "k1", aliasName+" -> "+key2ID),
				keyEvent("UpdateAlias", keyARN, "k1", aliasName+" -> "+key2ID),
			}},
		{"an alias of no protected key is ignored",
			[]Event{kmsEvent("DeleteAlias", params(`{"aliasName":"alias/unrelated"}`))},
			nil},
		{"a refused lifecycle call is a denial, not an event",
			[]Event{kmsEvent("DisableKey", denied("AccessDeniedException"), keyParam(keyARN))},
			nil},
		{"a failed lifecycle call is nothing",
			[]Event{kmsEvent("ScheduleKeyDeletion", denied("KMSInvalidStateException"), keyParam(keyARN))},
			nil},
		{"calls that change no key's life are ignored",
			[]Event{kmsEvent("DescribeKey", keyParam(keyARN)), kmsEvent("CreateAlias", params(`{"aliasName":"alias/x","targetKeyId":"`+keyID+`"}`)),
				kmsEvent("TagResource", keyParam(keyARN))},
			nil},
		{"the same event read twice is kept once",
			[]Event{kmsEvent("DisableKey", withID("k1"), keyParam(keyARN)), kmsEvent("DisableKey", withID("k1"), keyParam(keyARN))},
			[]KeyEvent{keyEvent("DisableKey", keyARN, "k1", "")}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			same(t, "key events", aggregate(estate(), tc.events...).KeyEvents, tc.want)
		})
	}
	if got := aggregate(estate(), kmsEvent("DisableKey", denied("AccessDeniedException"), keyParam(keyARN))); len(got.Denials) != 1 {
		t.Errorf("a refused DisableKey on a protected key: denials = %+v, want one", got.Denials)
	}
}

func TestRequests(t *testing.T) {
	req := func(op string, day time.Time, count int64) RequestCount {
		return RequestCount{Day: day, Account: acct, Region: region, KeyARN: keyARN, Operation: "kms:" + op, Count: count}
	}
	sm := by(UserIdentity{Type: "AWSService", InvokedBy: SourceSageMaker})
	cases := []struct {
		name   string
		events []Event
		want   []RequestCount
	}{
		{"each data-key and grant operation via SageMaker, per operation", []Event{
			kmsEvent("GenerateDataKey", sm, viaSM, keyResource(keyARN)),
			kmsEvent("GenerateDataKeyWithoutPlaintext", sm, viaSM, keyResource(keyARN)),
			kmsEvent("Decrypt", sm, viaSM, keyResource(keyARN)),
			kmsEvent("Decrypt", sm, viaSM, keyResource(keyARN)),
			kmsEvent("Encrypt", sm, viaSM, keyParam(keyID)),
			kmsEvent("ReEncrypt", sm, viaSM, keyResource(keyARN)),
			kmsEvent("CreateGrant", sm, viaSM, keyParam(aliasName)),
		}, []RequestCount{
			req("CreateGrant", day0, 1), req("Decrypt", day0, 2), req("Encrypt", day0, 1),
			req("GenerateDataKey", day0, 1), req("GenerateDataKeyWithoutPlaintext", day0, 1), req("ReEncrypt", day0, 1),
		}},
		{"per day", []Event{
			kmsEvent("Decrypt", sm, viaSM, keyResource(keyARN)),
			kmsEvent("Decrypt", sm, viaSM, keyResource(keyARN), at(day0.AddDate(0, 0, 1).Add(-time.Nanosecond))),
			kmsEvent("Decrypt", sm, viaSM, keyResource(keyARN), at(day0.AddDate(0, 0, 1))),
		}, []RequestCount{req("Decrypt", day0, 2), req("Decrypt", day0.AddDate(0, 0, 1), 1)}},
		{"per key, the scan's or not", []Event{
			kmsEvent("Decrypt", sm, viaSM, keyResource(keyARN)),
			kmsEvent("Decrypt", sm, viaSM, keyResource(strayARN)),
		}, []RequestCount{req("Decrypt", day0, 1), func() RequestCount { r := req("Decrypt", day0, 1); r.KeyARN = strayARN; return r }()}},
		{"a pre-aggregated row counts its weight", []Event{
			kmsEvent("GenerateDataKey", sm, viaSM, keyResource(keyARN), weighted(1200)),
		}, []RequestCount{req("GenerateDataKey", day0, 1200)}},
		{"direct calls are not SageMaker's traffic", []Event{
			kmsEvent("Decrypt", keyResource(keyARN)),
			kmsEvent("GenerateDataKey", keyParam(keyARN)),
		}, nil},
		{"other KMS calls via SageMaker are not counted", []Event{
			kmsEvent("DescribeKey", sm, viaSM, keyResource(keyARN)),
			kmsEvent("RetireGrant", sm, viaSM, keyResource(keyARN)),
		}, nil},
		{"a failed call is not counted", []Event{
			kmsEvent("Decrypt", sm, viaSM, keyResource(keyARN), denied("KMSInvalidStateException")),
		}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := aggregate(estate(), tc.events...)
			same(t, "requests", got.Requests, tc.want)
			if len(got.Denials) != 0 {
				t.Errorf("denials = %+v, want none", got.Denials)
			}
		})
	}
}

// TestEventCounts checks what Events and Matched count: every record read
// (weighted), skipped or unusable, and the weighted records of interest.
func TestEventCounts(t *testing.T) {
	a := NewAggregator(estate())
	for _, ev := range []Event{
		kmsEvent("Decrypt", denied("AccessDenied"), keyResource(keyARN), weighted(4)),     // matched ×4
		kmsEvent("Decrypt", keyResource(keyARN)),                                          // direct: not matched
		{EventSource: "s3.amazonaws.com", EventName: "GetObject", EventTime: t0},          // noise
		kmsEvent("DisableKey", keyParam(keyARN)),                                          // matched
		smEvent("ListTrainingJobs"),                                                       // not matched
		kmsEvent("Decrypt", denied("AccessDenied"), keyResource(strayARN), weighted(100)), // ignored key
	} {
		a.Add(&ev)
	}
	a.CountSkipped(50)
	a.AddProblem("AWSLogs/x.json.gz", ProblemBadRecord, "not a JSON CloudTrail record")
	a.AddProblem("AWSLogs/x.json.gz", ProblemBadRecord, "not a JSON CloudTrail record")
	got := a.Result()
	if got.Events != 4+1+1+1+1+100+50+2 || got.Matched != 5 {
		t.Errorf("events/matched = %d/%d, want 160/5", got.Events, got.Matched)
	}
	same(t, "problems", got.Problems, []Problem{{Unit: "AWSLogs/x.json.gz", Kind: ProblemBadRecord, Reason: "not a JSON CloudTrail record", Count: 2}})
}

// TestWhoAndWhere checks who an event names as its principal and which
// account it is booked to, for each kind of identity CloudTrail records.
func TestWhoAndWhere(t *testing.T) {
	cases := []struct {
		name                string
		ev                  Event
		principal, identity string
		account             string
	}{
		{"assumed role: the role, and the session", Event{RecipientAccountID: acct, UserIdentity: assumed(devRole, devSession)},
			devRole, devSession, acct},
		{"IAM user", Event{RecipientAccountID: acct, UserIdentity: UserIdentity{Type: "IAMUser", ARN: userARN, AccountID: acct}},
			userARN, "", acct},
		{"root", Event{RecipientAccountID: acct, UserIdentity: UserIdentity{Type: "Root", ARN: "arn:aws:iam::" + acct + ":root", AccountID: acct}},
			"arn:aws:iam::" + acct + ":root", "", acct},
		{"a service on someone's behalf", Event{RecipientAccountID: acct, UserIdentity: UserIdentity{Type: "AWSService", InvokedBy: SourceSageMaker}},
			SourceSageMaker, "", acct},
		{"a service known only by its source", Event{RecipientAccountID: acct, SourceIPAddress: "cloudformation.amazonaws.com", UserIdentity: UserIdentity{Type: "AWSService"}},
			"cloudformation.amazonaws.com", "", acct},
		{"another account's service principal ID", Event{UserIdentity: UserIdentity{Type: "AWSAccount", PrincipalID: "AIDAEXAMPLE", AccountID: otherAcc}},
			"AIDAEXAMPLE", "", otherAcc},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, id := principalOf(&tc.ev)
			if p != tc.principal || id != tc.identity {
				t.Errorf("principalOf = %q, %q; want %q, %q", p, id, tc.principal, tc.identity)
			}
			if a := AccountOf(&tc.ev); a != tc.account {
				t.Errorf("AccountOf = %q, want %q", a, tc.account)
			}
		})
	}
}

// TestCreatedARN checks which ARN a create response names as the new
// resource.
func TestCreatedARN(t *testing.T) {
	cases := []struct{ resp, want string }{
		{`{"notebookInstanceArn":"arn:aws:sagemaker:us-east-1:111122223333:notebook-instance/nb"}`, "arn:aws:sagemaker:us-east-1:111122223333:notebook-instance/nb"},
		{`{"arn":"arn:aws:sagemaker:us-east-1:111122223333:inference-experiment/x"}`, "arn:aws:sagemaker:us-east-1:111122223333:inference-experiment/x"},
		{`{"domainArn":"arn:aws:sagemaker:us-east-1:111122223333:domain/d-abc","url":"https://d-abc.studio.us-east-1.sagemaker.aws"}`, "arn:aws:sagemaker:us-east-1:111122223333:domain/d-abc"},
		// Of several SageMaker ARNs the smallest, whatever the map order.
		{`{"zArn":"arn:aws:sagemaker:us-east-1:111122223333:model-package/b/1","aArn":"arn:aws:sagemaker:us-east-1:111122223333:model-package/a/1"}`, "arn:aws:sagemaker:us-east-1:111122223333:model-package/a/1"},
		{`{"roleArn":"` + devRole + `","count":3,"listArn":["arn:aws:sagemaker:us-east-1:1:x/y"]}`, ""},
		{`null`, ""},
		{``, ""},
		{`[]`, ""},
	}
	for _, tc := range cases {
		if got := createdARN(json.RawMessage(tc.resp)); got != tc.want {
			t.Errorf("createdARN(%s) = %q, want %q", tc.resp, got, tc.want)
		}
	}
}

// FuzzParseExplicitDeny checks that no message, however malformed, makes
// the parser panic or name a policy ARN the message does not contain.
func FuzzParseExplicitDeny(f *testing.F) {
	for _, seed := range []string{
		denyHead + " with an explicit deny in a service control policy: " + scpARN,
		denyHead + " with an explicit deny in a permissions boundary: " + boundARN + encodedAF,
		denyHead + " because no identity-based policy allows the sagemaker:CreateNotebookInstance action",
		"with an explicit deny", "with an explicit deny in a ", "İ with an explicit deny in an identity-based policy:",
		"\xff\xfewith an explicit deny in a session policy: arn:aws:iam::1:policy/x",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, msg string) {
		explicit, typ, arn := parseExplicitDeny(msg)
		if !explicit && (typ != "" || arn != "") {
			t.Errorf("an implicit deny with type %q and ARN %q", typ, arn)
		}
		if arn != "" && !strings.Contains(msg, arn) {
			t.Errorf("ARN %q is not in the message %q", arn, msg)
		}
	})
}
