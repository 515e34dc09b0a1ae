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
// findings of every (account, region) the run listed completely (only
// those can be gone; see history.Scope.Covers), and every finding it
// observed (a key's findings live in the key's account and region, which
// may lie outside the scope). Reading the whole table on every save cost
// about 3 µs per finding ever stored, so saving one shard, or a small
// scan, into a large history grew with the history, not with the scan.
func (s *Store) statesFor(ctx context.Context, q querier, sc history.Scope, observed []history.Observation) (map[string]history.State, error) {
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
		if err := s.queryStates(ctx, q, out, where, args...); err != nil {
			return nil, err
		}
		pairs = pairs[n:]
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
