package keyaccess

import (
	"github.com/sagekey/sagekey/internal/iampolicy"
)

// denies looks for an explicit Deny that covers the request in the key
// policy, the role's identity policies and its permissions boundary. A
// Deny that applies for certain decides the request; one that may apply
// is kept in t, and makes an otherwise allowed request Unknown.
//
// Identity policies that could not be read are not searched; the Allowed
// reason says so (see tally.result).
func (e *evaluator) denies(action string, ctx *iampolicy.Context, t *tally) (Result, bool) {
	for ks := range e.keyStatements(iampolicy.Deny, action, ctx) {
		st, r, v, label := ks.statement, ks.reach, ks.verdict, ks.label
		switch {
		case v.Truth == iampolicy.False:
			continue
		case v.Truth == iampolicy.True && r == reachSession:
			t.denyUnknown(DependsOnSession, sessionReason(st, label, "denies"))
		case v.Truth == iampolicy.True:
			return Result{Decision: Denied, Reason: "explicit Deny in " + label}, true
		default:
			t.denyUnknown(v.DependsOn, "depends on "+v.DependsOn+" (Deny in "+label+")")
		}
	}
	for _, p := range e.rolePolicies() {
		for i, st := range p.doc.Statement {
			if st.Effect != iampolicy.Deny {
				continue
			}
			v := st.Applies(action, e.req.KeyARN, ctx)
			label := p.label + " statement " + statementLabel(st, i)
			switch v.Truth {
			case iampolicy.True:
				return Result{Decision: Denied, Reason: "explicit Deny in " + label}, true
			case iampolicy.Unknown:
				t.denyUnknown(v.DependsOn, "depends on "+v.DependsOn+" (Deny in "+label+")")
			}
		}
	}
	return Result{}, false
}

// rolePolicies are the role's readable identity policies and boundary.
func (e *evaluator) rolePolicies() []policy {
	var out []policy
	for _, p := range e.identity {
		if p.unknown == "" {
			out = append(out, p)
		}
	}
	if e.boundary != nil && e.boundary.unknown == "" {
		out = append(out, *e.boundary)
	}
	return out
}

// sessionReason explains a statement whose reach depends on the session
// ARN: AWS matches a role's session, not the role, against NotPrincipal and
// against a Principal that names a session.
func sessionReason(st iampolicy.Statement, label, verb string) string {
	if len(st.NotPrincipal) > 0 {
		return label + " " + verb + " it to every principal its NotPrincipal does not list; " +
			"it lists the role, but whether it excludes the workload's session depends on the assumed-role session ARN"
	}
	return label + " " + verb + " it to one session of the role; depends on the assumed-role session name"
}
