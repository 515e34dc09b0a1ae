package demo

// KindKey is the kind of key findings, and CheckLeastPrivilege the check
// that judges who may use a key.
const (
	KindKey             = "kms-key"
	CheckLeastPrivilege = "kms-key.least-privilege"
)

// AccessCheck is the key-access check of a resource kind.
func AccessCheck(kind string) string { return kind + ".key-access" }

// verdict is an expected check verdict: status, why, and the substrings
// the finding's message must contain.
type verdict struct {
	status, why string
	message     []string
}

// The key-access verdicts most of the estate gets. The rule judges who may
// use a key, not its state: a resource on a disabled key or one pending
// deletion passes when its role may use the key (the cmk and kms-key.state
// checks fail it), and one on an AWS-managed or missing key has nothing of
// the customer's to judge.
var (
	accessGranted = verdict{StatusPass, "the key policy names " + RoleExecution + " and its IAM policy lists the key",
		[]string{"every execution role may perform every KMS action"}}
	accessNoCMK = verdict{StatusNotApplicable, "no slot uses an existing customer-managed key",
		[]string{"no slot uses a customer-managed key"}}
)

// onlyRole is the kms-key.least-privilege PASS of a key that the role the
// resources on it run as, the account root and the key administrator may
// use (a Deny or a condition narrowing the role does not matter here).
func onlyRole(role string) verdict {
	return verdict{StatusPass, "only " + role + ", the account root and the key administrator may use it",
		[]string{"only the 1 execution role of the protected resources"}}
}

// expectAccess records a resource's expected <kind>.key-access verdict.
func (m *Manifest) expectAccess(kind, region, name string, v verdict) {
	m.expectCheck(CheckExpectation{CheckID: AccessCheck(kind), Kind: kind, Region: region, Name: name,
		Status: v.status, Why: v.why, Message: v.message})
}
