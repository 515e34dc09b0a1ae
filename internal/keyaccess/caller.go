package keyaccess

import (
	"iter"
	"strings"

	"github.com/sagekey/sagekey/internal/iampolicy"
)

// caller is the role a request comes from. A workload never calls as the
// role itself but as a session of it (arn:aws:sts::…:assumed-role/<name>/<session>), whose
// session name sagekey does not know.
type caller struct {
	// arn is the role's ARN: its own when IAM was read, else the one the
	// resource records, which may lack the role's path.
	arn       string
	partition string
	account   string
	name      string
	// pathKnown: arn is certainly the role's full ARN (IAM was read, or it
	// has a path), so it can be aws:PrincipalArn.
	pathKnown bool
}

// newCaller reads the role ARN a request names and, when IAM was read, the
// role's own ARN.
func newCaller(roleARN, actualARN string) (caller, bool) {
	partition, account, name, path, ok := splitRoleARN(roleARN)
	if !ok {
		return caller{}, false
	}
	c := caller{arn: roleARN, partition: partition, account: account, name: name, pathKnown: path}
	if _, a, n, _, ok := splitRoleARN(actualARN); ok && a == account && n == name {
		c.arn, c.pathKnown = actualARN, true
	}
	return c, true
}

// splitRoleARN reads arn:<partition>:iam::<account>:role/<path/>name; path
// says whether the ARN has a path.
func splitRoleARN(arn string) (partition, account, name string, path, ok bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "iam" || parts[4] == "" {
		return "", "", "", false, false
	}
	rest, isRole := strings.CutPrefix(parts[5], "role/")
	if !isRole || rest == "" || strings.HasSuffix(rest, "/") {
		return "", "", "", false, false
	}
	i := strings.LastIndexByte(rest, '/')
	return parts[1], parts[4], rest[i+1:], i >= 0, true
}

func (c caller) rootARN() string { return "arn:" + c.partition + ":iam::" + c.account + ":root" }

// isRole matches a role ARN by partition, account and name: role names are
// unique in an account whatever their path, and a policy or grant names the
// real ARN (KMS checks principals), so a path that the resource's record
// lacks does not make it another role.
func (c caller) isRole(p string) bool {
	partition, account, name, _, ok := splitRoleARN(p)
	return ok && partition == c.partition && account == c.account && name == c.name
}

func (c caller) isAccount(p string) bool { return p == c.account || p == c.rootARN() }

// isSession reports whether p is the ARN of a session of the role, with any
// session name.
func (c caller) isSession(p string) bool {
	prefix := "arn:" + c.partition + ":sts::" + c.account + ":assumed-role/" + c.name + "/"
	return strings.HasPrefix(p, prefix) && len(p) > len(prefix)
}

// reach is how a statement's principal relates to the caller.
type reach int

const (
	reachNone reach = iota
	// reachRole: the statement names the role's ARN.
	reachRole
	// reachEveryone: "*", or a NotPrincipal that lists neither the role
	// nor a session of it.
	reachEveryone
	// reachAccount: the caller's account (its ID or root ARN). In an Allow
	// this delegates to the account's IAM policies; a Deny applies to every
	// principal of the account.
	reachAccount
	// reachSession: whether the statement covers the caller depends on the
	// session ARN (a Principal naming one session of the role, or a
	// NotPrincipal listing the role or one of its sessions).
	reachSession
)

// reachOf matches a statement's Principal or NotPrincipal. Only "AWS" and
// "*" principals can name a role; service principals never do. The
// strongest match wins: the role itself, then everyone, then the account.
func reachOf(st iampolicy.Statement, c caller) reach {
	if len(st.NotPrincipal) > 0 {
		for _, p := range st.NotPrincipal.AWSValues() {
			if p == "*" {
				return reachNone
			}
			// AWS checks each identity of a session (account, role,
			// session) against the list, so a session is excluded only when
			// its own ARN is listed: listing the account alone, as the
			// documented pattern does for admins, never excludes it.
			if c.isRole(p) || c.isSession(p) {
				return reachSession
			}
		}
		return reachEveryone
	}
	best := reachNone
	for _, p := range st.Principal.AWSValues() {
		switch {
		case c.isRole(p):
			return reachRole
		case p == "*":
			best = reachEveryone
		case c.isAccount(p) && best != reachEveryone:
			best = reachAccount
		case c.isSession(p) && best == reachNone:
			best = reachSession
		}
	}
	return best
}

// accountOf returns the account of an ARN.
func accountOf(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 5 || parts[0] != "arn" {
		return ""
	}
	return parts[4]
}

// keyStatement is a key-policy statement that can reach the caller, with
// its verdict on one action.
type keyStatement struct {
	statement iampolicy.Statement
	reach     reach
	verdict   iampolicy.Verdict
	label     string
}

// keyStatements yields the key policy's statements of one effect whose
// principal can reach the caller, in order, each judged for action.
func (e *evaluator) keyStatements(effect, action string, ctx *iampolicy.Context) iter.Seq[keyStatement] {
	return func(yield func(keyStatement) bool) {
		for i, st := range e.keyPolicy.Statement {
			if st.Effect != effect {
				continue
			}
			r := reachOf(st, e.caller)
			if r == reachNone {
				continue
			}
			ks := keyStatement{statement: st, reach: r, verdict: st.Applies(action, e.req.KeyARN, ctx),
				label: "key policy statement " + statementLabel(st, i)}
			if !yield(ks) {
				return
			}
		}
	}
}
