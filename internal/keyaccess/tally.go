package keyaccess

import "strings"

// tally collects what the statements and grants said about one action;
// result turns it into the decision.
type tally struct {
	// allowed names the first source that allows for certain.
	allowed string
	// unknownAllow and unknownDeny are the first Allow and Deny that may
	// apply, depending on something sagekey does not know.
	unknownAllow, unknownDeny *Result
	// delegated: the key policy lets the role's IAM policies decide.
	delegated bool
	// Why nothing allowed: the boundary removed an Allow; the key policy
	// delegates but the identity policies do not allow; cross-account access
	// the identity policies do not allow.
	boundaryBlocked string
	iamSilent       bool
	crossSilent     bool
}

func (t *tally) allow(source string) {
	if t.allowed == "" {
		t.allowed = source
	}
}

func (t *tally) allowUnknown(dependsOn, reason string) {
	if t.unknownAllow == nil {
		t.unknownAllow = &Result{Reason: reason, DependsOn: dependsOn}
	}
}

func (t *tally) denyUnknown(dependsOn, reason string) {
	if t.unknownDeny == nil {
		t.unknownDeny = &Result{Reason: reason, DependsOn: dependsOn}
	}
}

func (t *tally) result(e *evaluator) Result {
	r := Result{Delegated: t.delegated}
	switch {
	case t.allowed != "" && t.unknownDeny != nil:
		r.Reason, r.DependsOn = t.unknownDeny.Reason+"; otherwise allowed by "+t.allowed, t.unknownDeny.DependsOn
	case t.allowed != "":
		r.Decision, r.Reason = Allowed, t.allowed
		if notes := e.unchecked(); len(notes) > 0 {
			r.Reason += "; not checked for an explicit Deny: " + strings.Join(notes, ", ")
		}
	case t.unknownAllow != nil:
		r.Reason, r.DependsOn = t.unknownAllow.Reason, t.unknownAllow.DependsOn
	case e.facts.GrantsUnknown != "":
		// Grants only add permissions: without them the answer could
		// still be Allowed.
		r.Reason, r.DependsOn = "no policy allows it and "+e.facts.GrantsUnknown, DependsOnGrants
	default:
		r.Decision = Denied
		switch {
		case t.boundaryBlocked != "":
			r.Reason = "the " + t.boundaryBlocked + " does not allow it"
		case t.crossSilent:
			r.Reason = "the key policy allows it, but the role's IAM policies do not (access from another account needs both)"
		case t.iamSilent:
			r.Reason = "the key policy delegates to IAM but the role's policies do not allow it"
		default:
			r.Reason = "not in the key policy and no IAM delegation"
		}
	}
	return r
}

// unchecked names the role policies an explicit Deny could hide in.
func (e *evaluator) unchecked() []string {
	if e.facts.Role == nil {
		why := e.facts.RoleUnknown
		if why == "" {
			why = "not known"
		}
		return []string{"the role's IAM policies and permissions boundary (" + why + ")"}
	}
	var out []string
	for _, p := range append(append([]policy(nil), e.identity...), derefPolicy(e.boundary)...) {
		if p.unknown != "" {
			out = append(out, p.label+" ("+p.unknown+")")
		}
	}
	return out
}

func derefPolicy(p *policy) []policy {
	if p == nil {
		return nil
	}
	return []policy{*p}
}
