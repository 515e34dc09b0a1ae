package route

import (
	"maps"
	"path"
	"slices"

	"github.com/sagekey/sagekey/internal/alert"
	"github.com/sagekey/sagekey/internal/finding"
)

// Router holds the built sinks and the compiled routes. It is read-only
// after Build, so one Router may serve concurrent callers.
type Router struct {
	sinks map[string]alert.Sink
	names []string // sorted
	rules []rule
	def   []string
}

// rule is a Rule with its severity parsed.
type rule struct {
	sinks    []string
	owners   []string
	accounts []string
	minSev   finding.Severity
	kinds    []alert.Kind
}

func compile(r Rule) rule {
	c := rule{sinks: slices.Clone(r.Sinks), owners: slices.Clone(r.Owners), accounts: slices.Clone(r.Accounts)}
	if r.MinSeverity != "" {
		c.minSev, _ = finding.ParseSeverity(r.MinSeverity) // Validate checked it
	}
	for _, k := range r.Kinds {
		c.kinds = append(c.kinds, alert.Kind(k))
	}
	return c
}

func (r rule) matches(a alert.Alert) bool {
	if a.Severity < r.minSev {
		return false
	}
	if len(r.kinds) > 0 && !slices.Contains(r.kinds, a.Kind) {
		return false
	}
	// An alert without an owner or account matches no rule that asks for
	// one: it falls to the default rather than to some team's channel.
	if len(r.owners) > 0 && !anyMatch(r.owners, a.Details[alert.DetailOwner]) {
		return false
	}
	if len(r.accounts) > 0 && !anyMatch(r.accounts, a.Account) {
		return false
	}
	return true
}

func anyMatch(patterns []string, v string) bool {
	if v == "" {
		return false
	}
	for _, p := range patterns {
		if ok, _ := path.Match(p, v); ok {
			return true
		}
	}
	return false
}

// Route names the sinks a goes to, deduplicated and sorted: the union of
// the sinks of every rule it matches, else the default sinks, else every
// sink.
func (r *Router) Route(a alert.Alert) []string {
	set := map[string]bool{}
	for _, rl := range r.rules {
		if rl.matches(a) {
			for _, s := range rl.sinks {
				set[s] = true
			}
		}
	}
	if len(set) == 0 {
		if len(r.def) > 0 {
			for _, s := range r.def {
				set[s] = true
			}
		} else {
			return slices.Clone(r.names)
		}
	}
	return slices.Sorted(maps.Keys(set))
}

// Sinks returns the sinks by name; the map is the caller's to keep.
func (r *Router) Sinks() map[string]alert.Sink { return maps.Clone(r.sinks) }

// Names returns the sink names, sorted.
func (r *Router) Names() []string { return slices.Clone(r.names) }
