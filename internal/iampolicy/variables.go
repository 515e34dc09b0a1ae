package iampolicy

import "strings"

// expand substitutes the policy variables of a Resource or condition value
// ("arn:aws:iam::${aws:PrincipalAccount}:role/*") from ctx and returns it in
// glob form: text written in the policy keeps its wildcards, substituted
// values and the escapes ${*}, ${?} and ${$} are literal.
//
// A variable whose key is unknown makes the value Unknown on that variable.
// A variable whose key is absent takes its default (${key, 'default'}); with
// no default the value matches nothing (ok is false), as in IAM. A key with
// several values cannot be substituted and is Unknown.
func expand(value string, ctx *Context) (pattern string, ok bool, v Verdict) {
	if !strings.Contains(value, "${") {
		return escapeBackslash(value), true, yes
	}
	var b strings.Builder
	rest := value
	for {
		start := strings.Index(rest, "${")
		if start < 0 {
			b.WriteString(escapeBackslash(rest))
			return b.String(), true, yes
		}
		end := strings.IndexByte(rest[start:], '}')
		if end < 0 {
			b.WriteString(escapeBackslash(rest))
			return b.String(), true, yes
		}
		b.WriteString(escapeBackslash(rest[:start]))
		inner := rest[start+2 : start+end]
		rest = rest[start+end+1:]
		switch inner {
		case "*", "?", "$":
			b.WriteString(escapeGlob(inner))
			continue
		}
		key, def, hasDefault := strings.Cut(inner, ",")
		key = strings.TrimSpace(key)
		vals, known := ctx.Lookup(key)
		switch {
		case !known:
			return "", false, unknownOn("${" + key + "}")
		case len(vals) > 1:
			return "", false, unknownOn("${" + key + "}")
		case len(vals) == 1:
			b.WriteString(escapeGlob(vals[0]))
		case hasDefault:
			b.WriteString(escapeGlob(strings.Trim(strings.TrimSpace(def), "'")))
		default:
			return "", false, no
		}
	}
}
