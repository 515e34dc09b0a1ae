package iampolicy

// AppliesToAction reports whether the statement covers action: one of its
// Action patterns matches, or, with NotAction, none of them does. A
// statement with neither covers nothing.
func (st Statement) AppliesToAction(action string) bool {
	switch {
	case len(st.Action) > 0:
		return anyMatch(st.Action, action)
	case len(st.NotAction) > 0:
		return !anyMatch(st.NotAction, action)
	}
	return false
}

func anyMatch(patterns Strings, action string) bool {
	for _, p := range patterns {
		if MatchAction(p, action) {
			return true
		}
	}
	return false
}

// AppliesToResource reports whether the statement covers the resource ARN
// through Resource or NotResource. Policy variables in the patterns are
// substituted from ctx; one whose key is unknown makes the answer Unknown.
func (st Statement) AppliesToResource(resource string, ctx *Context) Verdict {
	match := func(patterns Strings) Verdict {
		return anyOf(len(patterns), func(i int) Verdict {
			p, ok, v := expand(patterns[i], ctx)
			if v.Truth == Unknown || !ok {
				return v
			}
			return verdictOf(glob(p, resource))
		})
	}
	switch {
	case len(st.Resource) > 0:
		return match(st.Resource)
	case len(st.NotResource) > 0:
		return not(match(st.NotResource))
	}
	return no
}

// Applies reports whether the statement applies to a request for action on
// resource with context ctx, leaving out the principal (which only a
// resource policy names, and which the caller matches): action, resource and
// conditions, ANDed.
func (st Statement) Applies(action, resource string, ctx *Context) Verdict {
	if !st.AppliesToAction(action) {
		return no
	}
	return And(st.AppliesToResource(resource, ctx), EvalConditions(st.Condition, ctx))
}

// ConditionKeys returns the statement's condition keys as written, sorted
// and without duplicates.
func (st Statement) ConditionKeys() []string {
	seen := map[string]bool{}
	for _, block := range st.Condition {
		for k := range block {
			seen[k] = true
		}
	}
	return sortedKeys(seen)
}
