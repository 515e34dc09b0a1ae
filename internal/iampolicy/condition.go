package iampolicy

import (
	"math"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"time"
)

// EvalConditions evaluates a statement's Condition block against ctx:
// operator blocks and the keys within one are ANDed. Blocks and keys are
// visited in sorted order, so the dependency an Unknown names is stable.
func EvalConditions(c Conditions, ctx *Context) Verdict {
	out := yes
	for _, op := range sortedKeys(c) {
		block := c[op]
		for _, key := range sortedKeys(block) {
			out = And(out, EvalCondition(op, key, block[key], ctx))
			if out.Truth == False {
				return no
			}
		}
	}
	return out
}

// EvalCondition evaluates one condition: operator, key and the policy's
// values (ORed). It follows IAM:
//
//   - an absent key makes a positive operator false and a negated one
//     (StringNotEquals, ArnNotLike, ...) true; the IfExists suffix makes any
//     operator true on an absent key;
//   - ForAnyValue: is false and ForAllValues: true on an absent key; with
//     values, one / every request value must satisfy the operator;
//   - Null "true" holds when the key is absent, "false" when present;
//   - a negated operator holds when no request value matches any policy
//     value.
//
// A key not known in ctx, an unknown operator, or a numeric or date value
// that does not parse makes the condition Unknown.
func EvalCondition(operator, key string, want []string, ctx *Context) Verdict {
	set, base, ifExists := splitOperator(operator)
	if !operators[base] || (base == "Null" && (ifExists || set != "")) {
		return unknownOn("condition operator " + operator)
	}
	got, known := ctx.Lookup(key)
	if !known {
		return unknownOn(key)
	}
	if base == "Null" {
		return verdictOf(containsFold(want, strconv.FormatBool(len(got) == 0)))
	}
	positive, negated := positiveOf(base)
	if len(got) == 0 {
		switch {
		case ifExists:
			return yes
		case set == "ForAnyValue":
			return no
		case set == "ForAllValues":
			return yes
		}
		return verdictOf(negated)
	}
	patterns, v := expandAll(want, ctx)
	if v.Truth == Unknown {
		return v
	}
	// one reports whether a request value satisfies the operator.
	one := func(i int) Verdict {
		m := anyOf(len(patterns), func(j int) Verdict { return compare(positive, key, got[i], patterns[j]) })
		if negated {
			return not(m)
		}
		return m
	}
	switch set {
	case "ForAnyValue":
		return anyOf(len(got), one)
	case "ForAllValues":
		return allOf(len(got), one)
	}
	if negated {
		return allOf(len(got), one)
	}
	return anyOf(len(got), one)
}

// splitOperator takes "ForAllValues:StringNotLikeIfExists" apart.
func splitOperator(op string) (set, base string, ifExists bool) {
	if s, rest, ok := strings.Cut(op, ":"); ok {
		set, op = s, rest
		if set != "ForAnyValue" && set != "ForAllValues" {
			return set, "", false
		}
	}
	base, ifExists = strings.CutSuffix(op, "IfExists")
	return set, base, ifExists
}

// negatedOperators map each negated operator to the positive one it negates.
var negatedOperators = map[string]string{
	"StringNotEquals": "StringEquals", "StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
	"StringNotLike": "StringLike", "ArnNotEquals": "ArnEquals", "ArnNotLike": "ArnLike",
	"NumericNotEquals": "NumericEquals", "DateNotEquals": "DateEquals", "NotIpAddress": "IpAddress",
}

func positiveOf(base string) (string, bool) {
	if p, ok := negatedOperators[base]; ok {
		return p, true
	}
	return base, false
}

// expandAll substitutes policy variables in every value; values that match
// nothing (a variable on an absent key, no default) are dropped.
func expandAll(want []string, ctx *Context) ([]string, Verdict) {
	out := make([]string, 0, len(want))
	for _, w := range want {
		p, ok, v := expand(w, ctx)
		if v.Truth == Unknown {
			return nil, v
		}
		if ok {
			out = append(out, p)
		}
	}
	return out, yes
}

// compare applies a positive operator to one request value and one policy
// value in glob form.
func compare(op, key, got, pattern string) Verdict {
	switch op {
	case "StringLike":
		return verdictOf(glob(pattern, got))
	case "ArnEquals", "ArnLike":
		// IAM gives ArnEquals the same wildcard matching as ArnLike.
		return verdictOf(matchARN(pattern, got))
	}
	want := unescapeGlob(pattern)
	switch op {
	case "StringEquals", "BinaryEquals":
		return verdictOf(got == want)
	case "StringEqualsIgnoreCase", "Bool":
		return verdictOf(strings.EqualFold(got, want))
	case "IpAddress":
		return ipIn(key, got, want)
	}
	if n, ok := strings.CutPrefix(op, "Numeric"); ok {
		g, err1 := strconv.ParseFloat(got, 64)
		w, err2 := strconv.ParseFloat(want, 64)
		if err1 != nil || err2 != nil {
			return unknownOn(key)
		}
		return verdictOf(ordered(n, g, w))
	}
	if n, ok := strings.CutPrefix(op, "Date"); ok {
		g, ok1 := parseDate(got)
		w, ok2 := parseDate(want)
		if !ok1 || !ok2 {
			return unknownOn(key)
		}
		return verdictOf(ordered(n, g, w))
	}
	return unknownOn("condition operator " + op)
}

// ordered applies the comparison named by a Numeric/Date operator's suffix.
func ordered(cmp string, g, w float64) bool {
	switch cmp {
	case "Equals":
		return g == w
	case "LessThan":
		return g < w
	case "LessThanEquals":
		return g <= w
	case "GreaterThan":
		return g > w
	case "GreaterThanEquals":
		return g >= w
	}
	return false
}

// parseDate reads the date forms IAM accepts (ISO 8601 and epoch seconds)
// as seconds since the epoch.
func parseDate(s string) (float64, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04Z07:00", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return float64(t.UnixNano()) / 1e9, true
		}
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && !math.IsNaN(f) {
		return f, true
	}
	return 0, false
}

func ipIn(key, got, want string) Verdict {
	addr, err := netip.ParseAddr(got)
	if err != nil {
		return unknownOn(key)
	}
	prefix, err := netip.ParsePrefix(want)
	if err != nil {
		a, err2 := netip.ParseAddr(want)
		if err2 != nil {
			return unknownOn(key)
		}
		prefix = netip.PrefixFrom(a, a.BitLen())
	}
	return verdictOf(prefix.Contains(addr))
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
