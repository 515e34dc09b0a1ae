package iampolicy

import "strings"

// MatchAction reports whether an Action pattern ("kms:Generate*", "kms:*",
// "*") covers action. Action names are case-insensitive in IAM.
func MatchAction(pattern, action string) bool {
	return glob(escapeBackslash(strings.ToLower(pattern)), strings.ToLower(action))
}

// MatchResource reports whether a Resource pattern covers the resource ARN.
// ARNs are case-sensitive; "*" and "?" may match across ARN segments, as
// they do in the Resource element.
func MatchResource(pattern, resource string) bool {
	return glob(escapeBackslash(pattern), resource)
}

// MatchARN is the ArnLike comparison: each of the six colon-separated
// components is matched on its own (the last one may contain colons), so a
// wildcard does not reach into the next component. A pattern without a colon
// ("*") is matched as a whole; any other pattern that is not a six-component
// ARN matches nothing.
func MatchARN(pattern, arn string) bool {
	return matchARN(escapeBackslash(pattern), arn)
}

// matchARN takes a pattern already in glob form (see glob).
func matchARN(pattern, arn string) bool {
	p := strings.SplitN(pattern, ":", 6)
	a := strings.SplitN(arn, ":", 6)
	if len(p) == 1 {
		return glob(pattern, arn)
	}
	if len(p) != 6 || len(a) != 6 {
		return false
	}
	for i := range p {
		if !glob(p[i], a[i]) {
			return false
		}
	}
	return true
}

// escapeBackslash turns policy text into glob form, in which a backslash
// escapes the next character (so policy variables ${*} and ${?} can stand for
// a literal asterisk or question mark).
func escapeBackslash(s string) string { return strings.ReplaceAll(s, `\`, `\\`) }

// escapeGlob makes every character of s literal in glob form.
func escapeGlob(s string) string {
	return strings.NewReplacer(`\`, `\\`, `*`, `\*`, `?`, `\?`).Replace(s)
}

// unescapeGlob turns glob form back into the literal text, for operators
// that compare exactly.
func unescapeGlob(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// glob matches s against pattern, where "*" matches any run of characters
// (including none), "?" exactly one, and a backslash makes the next
// character literal. It backtracks only to the last "*", so it runs in
// O(len(pattern)·len(s)).
func glob(pattern, s string) bool {
	p, r := []rune(pattern), []rune(s)
	pi, si := 0, 0
	star, mark := -1, 0
	for si < len(r) {
		switch {
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, si
			pi++
			continue
		case pi < len(p) && p[pi] == '?':
			pi++
			si++
			continue
		case pi < len(p):
			c, width := p[pi], 1
			if c == '\\' && pi+1 < len(p) {
				c, width = p[pi+1], 2
			}
			if c == r[si] {
				pi += width
				si++
				continue
			}
		}
		if star < 0 {
			return false
		}
		mark++
		pi, si = star+1, mark
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}
