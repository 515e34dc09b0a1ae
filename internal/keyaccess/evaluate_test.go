package keyaccess

import (
	"strings"
	"testing"

	"github.com/sagekey/sagekey/internal/inventory"
	"github.com/sagekey/sagekey/internal/keys"
)

const (
	acct     = "111122223333"
	other    = "444455556666"
	roleARN  = "arn:aws:iam::111122223333:role/service-role/sm-exec"
	keyARN   = "arn:aws:kms:us-east-1:111122223333:key/k1"
	via      = "sagemaker.us-east-1.amazonaws.com"
	rootARN  = "arn:aws:iam::111122223333:root"
	otherKey = "arn:aws:kms:us-east-1:444455556666:key/k2"
)

// kp wraps statements (JSON objects) into a policy document.
func kp(statements ...string) string {
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(statements, ",") + `]}`
}

// The statements the cases are built from.
var (
	enableIAM   = `{"Sid":"EnableIAM","Effect":"Allow","Principal":{"AWS":"` + rootARN + `"},"Action":"kms:*","Resource":"*"}`
	allowRole   = `{"Sid":"AllowUse","Effect":"Allow","Principal":{"AWS":"` + roleARN + `"},"Action":["kms:Decrypt","kms:GenerateDataKey*"],"Resource":"*"}`
	iamDecrypt  = `{"Sid":"UseKey","Effect":"Allow","Action":"kms:Decrypt","Resource":"` + keyARN + `"}`
	iamKMSStar  = `{"Sid":"All","Effect":"Allow","Action":"kms:*","Resource":"*"}`
	anyDecrypt  = `{"Sid":"Everyone","Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*"}`
	serviceOnly = `{"Sid":"Svc","Effect":"Allow","Principal":{"Service":"sagemaker.amazonaws.com"},"Action":"kms:*","Resource":"*"}`
)

// role builds a role with identity policies named p1, p2, ... unless
// named with "name=" before the document.
func role(policies ...string) *inventory.Role {
	r := &inventory.Role{ARN: roleARN, Name: "sm-exec"}
	for i, p := range policies {
		name := "p" + string(rune('1'+i))
		if n, doc, ok := strings.Cut(p, "="); ok && !strings.HasPrefix(p, "{") {
			name, p = n, doc
		}
		r.Policies = append(r.Policies, inventory.PolicyDocument{Name: name, Document: p})
	}
	return r
}

func withBoundary(r *inventory.Role, doc string) *inventory.Role {
	r.Boundary = &inventory.PolicyDocument{Name: "ml-boundary", Document: doc}
	return r
}

func withTags(r *inventory.Role, tags map[string]string) *inventory.Role {
	r.Tags = tags
	return r
}

type evalCase struct {
	name string
	// req fields left empty default to roleARN, kms:Decrypt, keyARN, via.
	req       Request
	facts     Facts
	want      Decision
	reason    string // substring of Reason
	dependsOn string // exact, for Unknown
	delegated bool
}

func (c evalCase) run(t *testing.T) {
	t.Helper()
	req := c.req
	if req.Role == "" {
		req.Role = roleARN
	}
	if req.Action == "" {
		req.Action = "kms:Decrypt"
	}
	if req.KeyARN == "" {
		req.KeyARN = keyARN
	}
	if req.ViaService == "-" {
		req.ViaService = ""
	} else if req.ViaService == "" {
		req.ViaService = via
	}
	got := Evaluate(req, c.facts)
	if got.Decision != c.want || !strings.Contains(got.Reason, c.reason) || got.DependsOn != c.dependsOn ||
		got.Delegated != c.delegated || got.Action != req.Action {
		t.Errorf("%s:\n got %v %q depends on %q delegated %v (action %s)\nwant %v %q depends on %q delegated %v",
			c.name, got.Decision, got.Reason, got.DependsOn, got.Delegated, got.Action, c.want, c.reason, c.dependsOn, c.delegated)
	}
	if got.Decision == Unknown && got.DependsOn == "" {
		t.Errorf("%s: Unknown without DependsOn", c.name)
	}
}

func TestEvaluateKeyPolicyAndDelegation(t *testing.T) {
	t.Parallel()
	for _, c := range []evalCase{
		{name: "direct role grant", facts: Facts{KeyPolicy: kp(allowRole), Role: role()},
			want: Allowed, reason: "key policy statement AllowUse"},
		{name: "direct role grant beside delegation", facts: Facts{KeyPolicy: kp(enableIAM, allowRole), Role: role()},
			want: Allowed, reason: "key policy statement AllowUse", delegated: true},
		{name: "root delegation with an IAM allow", facts: Facts{KeyPolicy: kp(enableIAM), Role: role("sm-kms=" + kp(iamDecrypt))},
			want: Allowed, reason: "IAM policy sm-kms statement UseKey with key policy statement EnableIAM", delegated: true},
		{name: "account-ID delegation, IAM allow by wildcard resource", facts: Facts{
			KeyPolicy: kp(`{"Sid":"Root","Effect":"Allow","Principal":{"AWS":"` + acct + `"},"Action":"kms:*","Resource":"*"}`),
			Role:      role(kp(`{"Effect":"Allow","Action":"kms:Decrypt","Resource":"arn:aws:kms:*:111122223333:key/*"}`))},
			want: Allowed, reason: "IAM policy p1 statement #1 with key policy statement Root", delegated: true},
		{name: "root delegation without an IAM allow", facts: Facts{KeyPolicy: kp(enableIAM), Role: role(kp(`{"Effect":"Allow","Action":"s3:*","Resource":"*"}`))},
			want: Denied, reason: "the key policy delegates to IAM but the role's policies do not allow it", delegated: true},
		{name: "IAM allow for another key", facts: Facts{KeyPolicy: kp(enableIAM),
			Role: role(kp(`{"Effect":"Allow","Action":"kms:Decrypt","Resource":"arn:aws:kms:eu-west-1:*:key/*"}`))},
			want: Denied, reason: "delegates to IAM", delegated: true},
		{name: "not in the key policy", facts: Facts{KeyPolicy: kp(serviceOnly), Role: role(kp(iamKMSStar))},
			want: Denied, reason: "not in the key policy and no IAM delegation"},
		{name: "another account's root is no delegation", facts: Facts{
			KeyPolicy: kp(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":"kms:*","Resource":"*"}`), Role: role(kp(iamKMSStar))},
			want: Denied, reason: "not in the key policy and no IAM delegation"},
		{name: "everyone", facts: Facts{KeyPolicy: kp(anyDecrypt), Role: role()}, want: Allowed, reason: "key policy statement Everyone"},
		{name: "path left out by the resource", req: Request{Role: "arn:aws:iam::111122223333:role/sm-exec"},
			facts: Facts{KeyPolicy: kp(allowRole), Role: role()}, want: Allowed, reason: "AllowUse"},
		{name: "path left out, IAM not read", req: Request{Role: "arn:aws:iam::111122223333:role/sm-exec"},
			facts: Facts{KeyPolicy: kp(allowRole), RoleUnknown: "account not scanned"}, want: Allowed, reason: "AllowUse"},
		{name: "path left out, IAM not read: aws:PrincipalArn unknown", req: Request{Role: "arn:aws:iam::111122223333:role/sm-exec"},
			facts: Facts{KeyPolicy: kp(`{"Sid":"Path","Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::111122223333:role/service-role/*"}}}`),
				RoleUnknown: "account not scanned"}, want: Unknown, reason: "depends on aws:PrincipalArn", dependsOn: "aws:PrincipalArn"},
		{name: "another role of the same account", req: Request{Role: "arn:aws:iam::111122223333:role/service-role/sm-exec2"},
			facts: Facts{KeyPolicy: kp(allowRole), Role: &inventory.Role{ARN: "arn:aws:iam::111122223333:role/service-role/sm-exec2"}},
			want:  Denied, reason: "not in the key policy"},
		{name: "a session principal", facts: Facts{KeyPolicy: kp(
			`{"Sid":"S","Effect":"Allow","Principal":{"AWS":"arn:aws:sts::111122223333:assumed-role/sm-exec/SageMaker"},"Action":"kms:Decrypt","Resource":"*"}`), Role: role()},
			want: Unknown, reason: "one session of the role", dependsOn: DependsOnSession},
	} {
		c.run(t)
	}
}

func TestEvaluateDeny(t *testing.T) {
	t.Parallel()
	denyAll := `{"Sid":"DenyAll","Effect":"Deny","Principal":"*","Action":"kms:*","Resource":"*"}`
	for _, c := range []evalCase{
		{name: "explicit Deny in the key policy", facts: Facts{KeyPolicy: kp(allowRole, denyAll), Role: role()},
			want: Denied, reason: "explicit Deny in key policy statement DenyAll"},
		{name: "Deny without Sid", facts: Facts{KeyPolicy: kp(allowRole, `{"Effect":"Deny","Principal":{"AWS":"`+roleARN+`"},"Action":"kms:Decrypt","Resource":"*"}`), Role: role()},
			want: Denied, reason: "explicit Deny in key policy statement #2"},
		{name: "Deny to the account applies to its roles", facts: Facts{KeyPolicy: kp(allowRole, `{"Sid":"D","Effect":"Deny","Principal":{"AWS":"`+acct+`"},"Action":"kms:Decrypt","Resource":"*"}`), Role: role()},
			want: Denied, reason: "explicit Deny in key policy statement D"},
		{name: "Deny for another action", facts: Facts{KeyPolicy: kp(allowRole, `{"Sid":"D","Effect":"Deny","Principal":"*","Action":"kms:ScheduleKeyDeletion","Resource":"*"}`), Role: role()},
			want: Allowed, reason: "AllowUse"},
		{name: "explicit Deny in an identity policy", facts: Facts{KeyPolicy: kp(allowRole),
			Role: role(kp(iamKMSStar), "guard="+kp(`{"Sid":"NoDecrypt","Effect":"Deny","Action":"kms:Decrypt","Resource":"*"}`))},
			want: Denied, reason: "explicit Deny in IAM policy guard statement NoDecrypt"},
		{name: "explicit Deny in the boundary", facts: Facts{KeyPolicy: kp(allowRole),
			Role: withBoundary(role(), kp(iamKMSStar, `{"Sid":"NoKMS","Effect":"Deny","Action":"kms:Decrypt","Resource":"*"}`))},
			want: Denied, reason: "explicit Deny in permissions boundary ml-boundary statement NoKMS"},
		{name: "Deny with an unknown condition on an allowed request", facts: Facts{KeyPolicy: kp(allowRole,
			`{"Sid":"OrgOnly","Effect":"Deny","Principal":"*","Action":"kms:*","Resource":"*","Condition":{"StringNotEquals":{"aws:PrincipalOrgID":"o-123"}}}`), Role: role()},
			want: Unknown, reason: "depends on aws:PrincipalOrgID (Deny in key policy statement OrgOnly); otherwise allowed by key policy statement AllowUse", dependsOn: "aws:PrincipalOrgID"},
		{name: "Deny with an unknown condition on a request denied anyway", facts: Facts{KeyPolicy: kp(serviceOnly,
			`{"Sid":"OrgOnly","Effect":"Deny","Principal":"*","Action":"kms:*","Resource":"*","Condition":{"StringNotEquals":{"aws:PrincipalOrgID":"o-123"}}}`), Role: role()},
			want: Denied, reason: "not in the key policy"},
		{name: "Deny NotPrincipal that does not list the role", facts: Facts{KeyPolicy: kp(allowRole,
			`{"Sid":"OnlyAdmin","Effect":"Deny","NotPrincipal":{"AWS":["arn:aws:iam::111122223333:role/admin","`+rootARN+`"]},"Action":"kms:*","Resource":"*"}`), Role: role()},
			want: Denied, reason: "explicit Deny in key policy statement OnlyAdmin"},
		{name: "Deny NotPrincipal that lists the role", facts: Facts{KeyPolicy: kp(allowRole,
			`{"Sid":"OnlyUs","Effect":"Deny","NotPrincipal":{"AWS":["`+roleARN+`","`+rootARN+`"]},"Action":"kms:*","Resource":"*"}`), Role: role()},
			want: Unknown, reason: "depends on the assumed-role session ARN", dependsOn: DependsOnSession},
		{name: "Deny NotPrincipal that lists a session of the role", facts: Facts{KeyPolicy: kp(allowRole,
			`{"Sid":"OnlyUs","Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:sts::111122223333:assumed-role/sm-exec/SageMaker"},"Action":"kms:*","Resource":"*"}`), Role: role()},
			want: Unknown, reason: "OnlyUs denies it to every principal its NotPrincipal does not list", dependsOn: DependsOnSession},
		{name: "Deny NotPrincipal \"*\" denies nobody", facts: Facts{KeyPolicy: kp(allowRole,
			`{"Sid":"None","Effect":"Deny","NotPrincipal":"*","Action":"kms:*","Resource":"*"}`), Role: role()},
			want: Allowed, reason: "AllowUse"},
		{name: "Deny NotAction leaves Decrypt", facts: Facts{KeyPolicy: kp(allowRole,
			`{"Sid":"OnlyDecrypt","Effect":"Deny","Principal":"*","NotAction":"kms:Decrypt","Resource":"*"}`), Role: role()},
			want: Allowed, reason: "AllowUse"},
		{name: "Deny NotAction covers GenerateDataKey", req: Request{Action: "kms:GenerateDataKey"}, facts: Facts{KeyPolicy: kp(allowRole,
			`{"Sid":"OnlyDecrypt","Effect":"Deny","Principal":"*","NotAction":"kms:Decrypt","Resource":"*"}`), Role: role()},
			want: Denied, reason: "explicit Deny in key policy statement OnlyDecrypt"},
		{name: "a Deny wins over grants unknown", facts: Facts{KeyPolicy: kp(denyAll), Role: role(), GrantsUnknown: "grants could not be read: AccessDenied"},
			want: Denied, reason: "DenyAll"},
	} {
		c.run(t)
	}
}

func TestEvaluateActionsAndPrincipals(t *testing.T) {
	t.Parallel()
	notPrincipalAllow := `{"Sid":"AllButGuest","Effect":"Allow","NotPrincipal":{"AWS":"arn:aws:iam::111122223333:role/guest"},"Action":"kms:Decrypt","Resource":"*"}`
	for _, c := range []evalCase{
		{name: "Allow NotPrincipal without the role", facts: Facts{KeyPolicy: kp(notPrincipalAllow), Role: role()},
			want: Allowed, reason: "AllButGuest"},
		{name: "Allow NotPrincipal listing the role", facts: Facts{KeyPolicy: kp(
			`{"Sid":"AllButUs","Effect":"Allow","NotPrincipal":{"AWS":"` + roleARN + `"},"Action":"kms:Decrypt","Resource":"*"}`), Role: role()},
			want: Unknown, dependsOn: DependsOnSession, reason: "AllButUs allows it to every principal its NotPrincipal does not list"},
		{name: "Allow NotAction", facts: Facts{KeyPolicy: kp(`{"Sid":"NA","Effect":"Allow","Principal":{"AWS":"` + roleARN + `"},"NotAction":"kms:ScheduleKeyDeletion","Resource":"*"}`), Role: role()},
			want: Allowed, reason: "NA"},
		{name: "Allow NotAction excluding the action", facts: Facts{KeyPolicy: kp(`{"Sid":"NA","Effect":"Allow","Principal":{"AWS":"` + roleARN + `"},"NotAction":"kms:Decrypt","Resource":"*"}`), Role: role()},
			want: Denied, reason: "not in the key policy"},
		{name: "kms:Generate* covers GenerateDataKeyWithoutPlaintext", req: Request{Action: "kms:GenerateDataKeyWithoutPlaintext"},
			facts: Facts{KeyPolicy: kp(allowRole), Role: role()}, want: Allowed, reason: "AllowUse"},
		{name: "kms:Generate* does not cover Encrypt", req: Request{Action: "kms:Encrypt"},
			facts: Facts{KeyPolicy: kp(allowRole), Role: role()}, want: Denied, reason: "not in the key policy"},
		{name: "kms:* in IAM, lower-case action in the key policy", req: Request{Action: "kms:ReEncryptFrom"},
			facts: Facts{KeyPolicy: kp(`{"Sid":"R","Effect":"Allow","Principal":{"AWS":"` + rootARN + `"},"Action":"KMS:reencrypt*","Resource":"*"}`), Role: role(kp(iamKMSStar))},
			want:  Allowed, reason: "IAM policy p1 statement All with key policy statement R", delegated: true},
		{name: "key policy Resource naming another key", facts: Facts{KeyPolicy: kp(`{"Sid":"R","Effect":"Allow","Principal":{"AWS":"` + roleARN + `"},"Action":"kms:*","Resource":"` + otherKey + `"}`), Role: role()},
			want: Denied, reason: "not in the key policy"},
		{name: "a service principal never matches a role", facts: Facts{KeyPolicy: kp(serviceOnly), Role: role()},
			want: Denied, reason: "not in the key policy and no IAM delegation"},
		{name: "cross-account role with an IAM allow", req: Request{Role: "arn:aws:iam::444455556666:role/sm-exec"},
			facts: Facts{KeyPolicy: kp(`{"Sid":"Partner","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:role/sm-exec"},"Action":"kms:Decrypt","Resource":"*"}`),
				Role: &inventory.Role{ARN: "arn:aws:iam::444455556666:role/sm-exec", Policies: []inventory.PolicyDocument{{Name: "x", Document: kp(iamDecrypt)}}}},
			want: Allowed, reason: "IAM policy x statement UseKey with key policy statement Partner", delegated: true},
		{name: "cross-account role without an IAM allow", req: Request{Role: "arn:aws:iam::444455556666:role/sm-exec"},
			facts: Facts{KeyPolicy: kp(`{"Sid":"Partner","Effect":"Allow","Principal":{"AWS":"`+other+`"},"Action":"kms:Decrypt","Resource":"*"}`, anyDecrypt),
				Role: &inventory.Role{ARN: "arn:aws:iam::444455556666:role/sm-exec"}},
			want: Denied, reason: "access from another account needs both", delegated: true},
	} {
		c.run(t)
	}
}

func TestEvaluateConditions(t *testing.T) {
	t.Parallel()
	viaSM := `{"Sid":"ViaSM","Effect":"Allow","Principal":{"AWS":"` + roleARN + `"},"Action":"kms:Decrypt","Resource":"*",` +
		`"Condition":{"StringEquals":{"kms:ViaService":"sagemaker.us-east-1.amazonaws.com"}}}`
	caller := `{"Sid":"Caller","Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*",` +
		`"Condition":{"StringEquals":{"kms:CallerAccount":"111122223333"}}}`
	tagged := `{"Sid":"Team","Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*",` +
		`"Condition":{"StringEquals":{"aws:PrincipalTag/team":"ml"},"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::111122223333:role/service-role/*"}}}`
	grantForResource := `{"Sid":"Grants","Effect":"Allow","Principal":{"AWS":"` + roleARN + `"},"Action":"kms:CreateGrant","Resource":"*",` +
		`"Condition":{"Bool":{"kms:GrantIsForAWSResource":"true"}}}`
	s3ctx := `{"Sid":"S3Only","Effect":"Allow","Principal":{"AWS":"` + roleARN + `"},"Action":"kms:Decrypt","Resource":"*",` +
		`"Condition":{"StringLike":{"kms:EncryptionContext:aws:s3:arn":"arn:aws:s3:::models/*"}}}`
	for _, c := range []evalCase{
		{name: "kms:ViaService, right region", facts: Facts{KeyPolicy: kp(viaSM), Role: role()}, want: Allowed, reason: "ViaSM"},
		{name: "kms:ViaService, wrong region", req: Request{ViaService: "sagemaker.eu-west-1.amazonaws.com"},
			facts: Facts{KeyPolicy: kp(viaSM), Role: role()}, want: Denied, reason: "not in the key policy"},
		{name: "kms:ViaService on a direct call", req: Request{ViaService: "-"},
			facts: Facts{KeyPolicy: kp(viaSM), Role: role()}, want: Denied, reason: "not in the key policy"},
		{name: "kms:CallerAccount, own account", facts: Facts{KeyPolicy: kp(caller), Role: role()}, want: Allowed, reason: "Caller"},
		{name: "kms:CallerAccount, another account", req: Request{Role: "arn:aws:iam::444455556666:role/x"},
			facts: Facts{KeyPolicy: kp(caller), Role: &inventory.Role{ARN: "arn:aws:iam::444455556666:role/x", Policies: []inventory.PolicyDocument{{Name: "all", Document: kp(iamKMSStar)}}}},
			want:  Denied, reason: "not in the key policy"},
		{name: "aws:PrincipalTag present", facts: Facts{KeyPolicy: kp(tagged), Role: withTags(role(), map[string]string{"Team": "ml"})},
			want: Allowed, reason: "Team"},
		{name: "aws:PrincipalTag absent", facts: Facts{KeyPolicy: kp(tagged), Role: withTags(role(), map[string]string{"cost": "1"})},
			want: Denied, reason: "not in the key policy"},
		{name: "aws:PrincipalTag with the role unknown", facts: Facts{KeyPolicy: kp(tagged), RoleUnknown: "IAM not readable"},
			want: Unknown, reason: "depends on aws:PrincipalTag/team (key policy statement Team)", dependsOn: "aws:PrincipalTag/team"},
		{name: "kms:GrantIsForAWSResource through SageMaker", req: Request{Action: "kms:CreateGrant"},
			facts: Facts{KeyPolicy: kp(grantForResource), Role: role()}, want: Allowed, reason: "Grants"},
		{name: "kms:GrantIsForAWSResource on a direct call", req: Request{Action: "kms:CreateGrant", ViaService: "-"},
			facts: Facts{KeyPolicy: kp(grantForResource), Role: role()}, want: Denied, reason: "not in the key policy"},
		{name: "an unknown condition", facts: Facts{KeyPolicy: kp(s3ctx), Role: role()},
			want: Unknown, reason: "depends on kms:EncryptionContext:aws:s3:arn (key policy statement S3Only)", dependsOn: "kms:EncryptionContext:aws:s3:arn"},
		{name: "an unknown condition beside a certain allow", facts: Facts{KeyPolicy: kp(s3ctx, allowRole), Role: role()},
			want: Allowed, reason: "AllowUse"},
		{name: "an unknown condition in the identity policy", facts: Facts{KeyPolicy: kp(enableIAM),
			Role: role(kp(`{"Sid":"Tagged","Effect":"Allow","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/team":"ml"}}}`))},
			want: Unknown, reason: "depends on aws:ResourceTag/team (IAM policy p1 statement Tagged)", dependsOn: "aws:ResourceTag/team", delegated: true},
	} {
		c.run(t)
	}
}

func TestEvaluateBoundaryAndGrants(t *testing.T) {
	t.Parallel()
	encryptOnly := kp(`{"Effect":"Allow","Action":["kms:Encrypt","s3:*"],"Resource":"*"}`)
	grant := func(g keys.Grant) []keys.Grant { return []keys.Grant{g} }
	for _, c := range []evalCase{
		{name: "boundary removes a direct role grant", facts: Facts{KeyPolicy: kp(allowRole), Role: withBoundary(role(), encryptOnly)},
			want: Denied, reason: "the permissions boundary ml-boundary does not allow it"},
		{name: "boundary removes a delegated allow", facts: Facts{KeyPolicy: kp(enableIAM), Role: withBoundary(role(kp(iamKMSStar)), encryptOnly)},
			want: Denied, reason: "the permissions boundary ml-boundary does not allow it", delegated: true},
		{name: "boundary that allows", facts: Facts{KeyPolicy: kp(enableIAM), Role: withBoundary(role(kp(iamDecrypt)), kp(iamKMSStar))},
			want: Allowed, reason: "IAM policy p1 statement UseKey with key policy statement EnableIAM", delegated: true},
		{name: "boundary and a \"*\" grant", facts: Facts{KeyPolicy: kp(anyDecrypt), Role: withBoundary(role(), encryptOnly)},
			want: Unknown, reason: "whether a boundary limits", dependsOn: "permissions boundary ml-boundary"},
		{name: "boundary unreadable", facts: Facts{KeyPolicy: kp(allowRole),
			Role: &inventory.Role{ARN: roleARN, Boundary: &inventory.PolicyDocument{Name: "b", Unknown: "policy version not readable"}}},
			want: Unknown, reason: "permissions boundary b could not be read: policy version not readable, which limits key policy statement AllowUse", dependsOn: "permissions boundary b"},
		{name: "a grant supplies the permission", facts: Facts{KeyPolicy: kp(serviceOnly), Role: role(),
			Grants: grant(keys.Grant{ID: "g1", Grantee: roleARN, Operations: []string{"Decrypt", "Encrypt"}})},
			want: Allowed, reason: "grant g1"},
		{name: "a grant survives the boundary", facts: Facts{KeyPolicy: kp(serviceOnly), Role: withBoundary(role(), encryptOnly),
			Grants: grant(keys.Grant{ID: "g1", Grantee: roleARN, Operations: []string{"Decrypt"}})},
			want: Allowed, reason: "grant g1"},
		{name: "a grant for other operations", facts: Facts{KeyPolicy: kp(serviceOnly), Role: role(),
			Grants: grant(keys.Grant{ID: "g1", Grantee: roleARN, Operations: []string{"Encrypt"}})},
			want: Denied, reason: "not in the key policy"},
		{name: "a constrained grant", facts: Facts{KeyPolicy: kp(serviceOnly), Role: role(),
			Grants: grant(keys.Grant{ID: "g2", Grantee: roleARN, Operations: []string{"Decrypt"}, Constrained: true})},
			want: Unknown, reason: "depends on the grant's encryption-context constraint (grant g2)", dependsOn: "grant g2 encryption context"},
		{name: "a grant to a session", facts: Facts{KeyPolicy: kp(serviceOnly), Role: role(),
			Grants: grant(keys.Grant{ID: "g3", Grantee: "arn:aws:sts::111122223333:assumed-role/sm-exec/s1", Operations: []string{"Decrypt"}})},
			want: Unknown, reason: "grant g3 is for the session", dependsOn: DependsOnSession},
		{name: "grants unreadable", facts: Facts{KeyPolicy: kp(serviceOnly), Role: role(), GrantsUnknown: "grants could not be read: AccessDenied"},
			want: Unknown, reason: "no policy allows it and grants could not be read: AccessDenied", dependsOn: DependsOnGrants},
		{name: "grants unreadable but the policy allows", facts: Facts{KeyPolicy: kp(allowRole), Role: role(), GrantsUnknown: "x"},
			want: Allowed, reason: "AllowUse"},
	} {
		c.run(t)
	}
}

func TestEvaluateMissingFacts(t *testing.T) {
	t.Parallel()
	for _, c := range []evalCase{
		{name: "role missing", facts: Facts{KeyPolicy: kp(allowRole), RoleMissing: true}, want: Denied, reason: "role does not exist"},
		{name: "policy unreadable", facts: Facts{PolicyUnknown: "AccessDeniedException", Role: role()},
			want: Unknown, reason: "the key policy could not be read: AccessDeniedException", dependsOn: DependsOnKeyPolicy},
		{name: "policy unparsable", facts: Facts{KeyPolicy: `{"Statement":[{"Principal":"someone"}]}`, Role: role()},
			want: Unknown, reason: "the key policy could not be parsed", dependsOn: DependsOnKeyPolicy},
		{name: "role unknown while delegation is needed", facts: Facts{KeyPolicy: kp(enableIAM), RoleUnknown: "the IAM roles of account 111122223333 could not be read: AccessDenied"},
			want: Unknown, reason: "the IAM roles of account 111122223333 could not be read: AccessDenied", dependsOn: DependsOnRole, delegated: true},
		{name: "role unknown with a direct allow", facts: Facts{KeyPolicy: kp(allowRole), RoleUnknown: "account not scanned"},
			want: Allowed, reason: "AllowUse; not checked for an explicit Deny: the role's IAM policies and permissions boundary (account not scanned)"},
		{name: "role unknown, not in the key policy", facts: Facts{KeyPolicy: kp(serviceOnly), RoleUnknown: "account not scanned"},
			want: Denied, reason: "not in the key policy and no IAM delegation"},
		{name: "an identity policy unreadable, delegation needs it", facts: Facts{KeyPolicy: kp(enableIAM),
			Role: &inventory.Role{ARN: roleARN, Policies: []inventory.PolicyDocument{{Name: "lost", Unknown: "NoSuchEntity"}}}},
			want: Unknown, reason: "IAM policy lost could not be read: NoSuchEntity", dependsOn: "IAM policy lost", delegated: true},
		{name: "an identity policy unreadable, allowed directly", facts: Facts{KeyPolicy: kp(allowRole),
			Role: &inventory.Role{ARN: roleARN, Policies: []inventory.PolicyDocument{{Name: "lost", Unknown: "NoSuchEntity"}}}},
			want: Allowed, reason: "not checked for an explicit Deny: IAM policy lost (NoSuchEntity)"},
		{name: "an identity policy that does not parse", facts: Facts{KeyPolicy: kp(enableIAM), Role: role("broken={")},
			want: Unknown, reason: "IAM policy broken could not be read: it could not be parsed", dependsOn: "IAM policy broken", delegated: true},
		{name: "an identity policy without its document", facts: Facts{KeyPolicy: kp(enableIAM),
			Role: &inventory.Role{ARN: roleARN, Policies: []inventory.PolicyDocument{{Name: "empty"}, {Name: "ok", Document: kp(iamDecrypt)}}}},
			want: Allowed, reason: "IAM policy ok statement UseKey with key policy statement EnableIAM; not checked for an explicit Deny: IAM policy empty (its document was not recorded)", delegated: true},
		{name: "not a role ARN", req: Request{Role: "sm-exec"}, facts: Facts{KeyPolicy: kp(allowRole)},
			want: Unknown, reason: `"sm-exec" is not an IAM role ARN`, dependsOn: DependsOnRole},
	} {
		c.run(t)
	}
}

func TestEvaluateActionsSharesOneParse(t *testing.T) {
	t.Parallel()
	f := Facts{KeyPolicy: kp(allowRole), Role: role()}
	got := EvaluateActions(Request{Role: roleARN, KeyARN: keyARN, ViaService: via}, []string{"kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"}, f)
	want := []Decision{Allowed, Denied, Allowed}
	for i, r := range got {
		if r.Decision != want[i] || r.Action == "" {
			t.Errorf("action %d: %+v, want %v", i, r, want[i])
		}
	}
	got = EvaluateActions(Request{Role: roleARN, KeyARN: keyARN}, []string{"kms:Decrypt", "kms:Encrypt"}, Facts{RoleMissing: true})
	if got[0].Decision != Denied || got[1].Decision != Denied || got[1].Action != "kms:Encrypt" {
		t.Errorf("role missing: %+v", got)
	}
}

func TestDecisionZeroValueIsUnknown(t *testing.T) {
	t.Parallel()
	var d Decision
	if d != Unknown || d.String() != "unknown" || Allowed.String() != "allowed" || Denied.String() != "denied" {
		t.Errorf("Decision strings: %v %v %v", d, Allowed, Denied)
	}
}
