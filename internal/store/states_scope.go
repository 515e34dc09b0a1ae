package store

import (
	"context"
	"strings"

	"github.com/sagekey/sagekey/internal/history"
)

// pairChunk is how many (account, region) pairs one query names; a wide
// scope (an organization's every region) takes several queries.
const pairChunk = 1000

// fingerprintChunk is how many fingerprints one IN (...) names.
const fingerprintChunk = 500

// statesFor reads only the states history.Advance needs for one run: the
// findings of every (account, region) the run listed completely, or, for
// a targeted run, of every resource it named (only those can be gone; see
// history.Scope.Covers), and every finding it observed (a key's findings live in the key's account and region, which
// may lie outside the scope). Reading the whole table on every save cost
// about 3 µs per finding ever stored, so saving one shard, or a small
// scan, into a large history grew with the history, not with the scan.
//
// It reads only the fingerprints within r: SaveRun advances a run one
// fingerprint range at a time, so that no more than a range's states are
// held at once.
func (s *Store) statesFor(ctx context.Context, q querier, sc history.Scope, observed []history.Observation, r fingerprintRange) (map[string]history.State, error) {
	out := map[string]history.State{}
	for pairs := sc.Complete; len(pairs) > 0; {
		n := min(len(pairs), pairChunk)
		args := make([]any, 0, 2*n)
		rows := make([]string, 0, n)
		for _, c := range pairs[:n] {
			args = append(args, c.Account, c.Region)
			rows = append(rows, "(?, ?)")
		}
		// A row-value IN over a VALUES list: both SQLite and PostgreSQL
		// match (account, region) pairs exactly, with the findings index.
		where := "(account, region) IN (VALUES " + strings.Join(rows, ", ") + ")"
		if sc.Targeted {
			// A targeted run covers only the kinds it names per unit (a
			// sweep's key findings): the units' other findings stay out.
			kinds := coveredKinds(sc.Complete)
			where += " AND kind IN (" + placeholders(len(kinds)) + ")"
			args = append(args, kinds...)
		}
		where, args = r.and(where, args)
		if err := s.queryStates(ctx, q, out, where, args...); err != nil {
			return nil, err
		}
		pairs = pairs[n:]
	}
	if sc.Targeted {
		// Compared without case, as Covers compares them: a resource named
		// by an event in another case is still the stored one. The
		// findings_by_resource_lower index serves lower(resource_arn).
		for arns := lowerSet(sc.Resources); len(arns) > 0; {
			n := min(len(arns), fingerprintChunk)
			where, args := r.and("lower(resource_arn) IN ("+placeholders(n)+")", arns[:n:n])
			if err := s.queryStates(ctx, q, out, where, args...); err != nil {
				return nil, err
			}
			arns = arns[n:]
		}
	}
	var missing []any
	for _, o := range observed {
		if fp := o.Fingerprint(); !hasState(out, fp) {
			missing = append(missing, fp)
		}
	}
	for len(missing) > 0 {
		n := min(len(missing), fingerprintChunk)
		if err := s.queryStates(ctx, q, out, "fingerprint IN ("+placeholders(n)+")", missing[:n]...); err != nil {
			return nil, err
		}
		missing = missing[n:]
	}
	return out, nil
}

func hasState(m map[string]history.State, fp string) bool {
	_, ok := m[fp]
	return ok
}

// lowerSet returns the distinct non-empty strings of ss, lowercased.
func lowerSet(ss []string) []any {
	seen := make(map[string]bool, len(ss))
	out := make([]any, 0, len(ss))
	for _, v := range ss {
		v = strings.ToLower(v)
		if v != "" && !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

// coveredKinds is the union of the kinds a scope's coverage names.
func coveredKinds(cov []history.Coverage) []any {
	seen := map[string]bool{}
	out := []any{}
	for _, c := range cov {
		for _, k := range c.Kinds {
			if !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	if len(out) == 0 {
		out = append(out, "") // IN () is not SQL; no finding has an empty kind
	}
	return out
}
