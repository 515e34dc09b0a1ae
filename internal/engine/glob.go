package engine

import (
	"regexp"
	"strings"

	"github.com/sagekey/sagekey/internal/rules"
)

// Glob matches with "*" standing for any run of characters, including "/"
// and ":", which ARNs are full of (path.Match would stop at "/").
type Glob struct{ re *regexp.Regexp }

// CompileGlob compiles a pattern; every other character is literal.
func CompileGlob(pattern string) Glob {
	parts := strings.Split(pattern, "*")
	for i, p := range parts {
		parts[i] = regexp.QuoteMeta(p)
	}
	return Glob{re: regexp.MustCompile("^" + strings.Join(parts, ".*") + "$")}
}

// Match reports whether s matches the whole pattern.
func (g Glob) Match(s string) bool { return g.re.MatchString(s) }

// MatchAny reports whether s matches any of the patterns.
func MatchAny(patterns []string, s string) bool {
	for _, p := range patterns {
		if CompileGlob(p).Match(s) {
			return true
		}
	}
	return false
}

// Select returns the rules chosen by include (all when empty) minus exclude.
func Select(all []rules.Rule, include, exclude []string) []rules.Rule {
	var out []rules.Rule
	for _, r := range all {
		if (len(include) == 0 || MatchAny(include, r.ID)) && !MatchAny(exclude, r.ID) {
			out = append(out, r)
		}
	}
	return out
}
