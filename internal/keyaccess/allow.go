package keyaccess

import (
	"strings"

	"github.com/sagekey/sagekey/internal/iampolicy"
)

// keyPolicyAllows records in t every way the key policy's Allow statements
// let the caller perform action.
func (e *evaluator) keyPolicyAllows(action string, ctx *iampolicy.Context, t *tally) {
	// Access from another account needs both the key policy and the
	// caller's IAM policies, whatever principal the key policy names.
	cross := e.caller.account != e.keyAccount
	for ks := range e.keyStatements(iampolicy.Allow, action, ctx) {
		st, r, v, label := ks.statement, ks.reach, ks.verdict, ks.label
		switch {
		case v.Truth == iampolicy.False:
		case v.Truth == iampolicy.Unknown:
			t.allowUnknown(v.DependsOn, "depends on "+v.DependsOn+" ("+label+")")
		case r == reachSession:
			t.allowUnknown(DependsOnSession, sessionReason(st, label, "allows"))
		case r == reachAccount || cross:
			t.delegated = true
			e.viaIAM(action, ctx, label, cross && r != reachAccount, t)
		default:
			e.direct(action, ctx, label, r, t)
		}
	}
}

// direct handles a key policy Allow that names the role (or everyone) in
// the key's own account. A grant to the role ARN is still limited by the
// role's permissions boundary.
func (e *evaluator) direct(action string, ctx *iampolicy.Context, label string, r reach, t *tally) {
	if e.facts.Role == nil {
		// The boundary cannot be checked; the key policy allows, and the
		// Allowed reason says what was not checked.
		t.allow(label)
		return
	}
	b, why := e.boundaryAllows(action, ctx)
	switch {
	case b.Truth == iampolicy.True:
		t.allow(label)
	case b.Truth == iampolicy.Unknown:
		t.allowUnknown(b.DependsOn, why+", which limits "+label)
	case r == reachRole:
		t.boundaryBlocked = e.boundary.label
	default:
		// AWS exempts a grant to the session from the boundary but not one
		// to the role ARN; which of the two "*" is, it does not document.
		t.allowUnknown(e.boundary.label, label+` allows every principal ("*"), but the `+e.boundary.label+
			" does not allow it; whether a boundary limits a \"*\" grant is not documented")
	}
}

// viaIAM handles a key policy Allow that needs the role's IAM policies too:
// delegation to the role's account, or any Allow for a role in another
// account.
func (e *evaluator) viaIAM(action string, ctx *iampolicy.Context, label string, cross bool, t *tally) {
	if e.facts.Role == nil {
		why := e.facts.RoleUnknown
		if why == "" {
			why = "the role's IAM policies are not known"
		}
		t.allowUnknown(DependsOnRole, why)
		return
	}
	id, why := anyAllows(e.identity, action, e.req.KeyARN, ctx)
	switch id.Truth {
	case iampolicy.False:
		if cross {
			t.crossSilent = true
		} else {
			t.iamSilent = true
		}
		return
	case iampolicy.Unknown:
		t.allowUnknown(id.DependsOn, why)
		return
	}
	b, bwhy := e.boundaryAllows(action, ctx)
	switch b.Truth {
	case iampolicy.True:
		t.allow(why + " with " + label)
	case iampolicy.Unknown:
		t.allowUnknown(b.DependsOn, bwhy)
	default:
		t.boundaryBlocked = e.boundary.label
	}
}

// boundaryAllows is True when the role has no permissions boundary.
func (e *evaluator) boundaryAllows(action string, ctx *iampolicy.Context) (iampolicy.Verdict, string) {
	if e.boundary == nil {
		return iampolicy.Verdict{Truth: iampolicy.True}, ""
	}
	return e.boundary.allows(action, e.req.KeyARN, ctx)
}

// grantsAllow records the grants that give the caller action. Grants are
// not IAM policies: neither the role's identity policies nor its boundary
// limit them, only an explicit Deny does.
func (e *evaluator) grantsAllow(action string, t *tally) {
	op := action
	if len(op) > 4 && strings.EqualFold(op[:4], "kms:") {
		op = op[4:]
	}
	for _, g := range e.facts.Grants {
		if !containsFold(g.Operations, op) {
			continue
		}
		label := "grant " + g.ID
		switch {
		case e.caller.isRole(g.Grantee) && g.Constrained:
			t.allowUnknown(label+" encryption context", "depends on the grant's encryption-context constraint ("+label+")")
		case e.caller.isRole(g.Grantee):
			t.allow(label)
		case e.caller.isSession(g.Grantee):
			// A grant to a session ARN serves that session only.
			t.allowUnknown(DependsOnSession, label+" is for the session "+g.Grantee+"; depends on the assumed-role session name")
		case e.caller.isAccount(g.Grantee):
			t.allowUnknown(DependsOnRole, label+" is for the role's account; sagekey does not decide how an account grant reaches a role")
		}
	}
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}
