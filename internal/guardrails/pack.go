package guardrails

import (
	"fmt"

	"github.com/sagekey/sagekey/internal/iampolicy"
)

// pack places the statements, in order, into as few policies of at most limit
// minified characters as first fit achieves. Every statement lands in exactly
// one policy; one that cannot fit even alone is an error, never truncated.
// Policies are named prefix-1, prefix-2, ...
func pack(statements []iampolicy.Statement, limit int, prefix string) ([]Policy, error) {
	var docs []iampolicy.Document
	for _, st := range statements {
		placed := false
		for i := range docs {
			candidate := docs[i]
			candidate.Statement = append(append([]iampolicy.Statement(nil), docs[i].Statement...), st)
			n, err := size(candidate)
			if err != nil {
				return nil, err
			}
			if n <= limit {
				docs[i], placed = candidate, true
				break
			}
		}
		if placed {
			continue
		}
		alone := iampolicy.Document{Version: iampolicy.Version, Statement: []iampolicy.Statement{st}}
		n, err := size(alone)
		if err != nil {
			return nil, err
		}
		if n > limit {
			return nil, fmt.Errorf("statement %s is %d characters minified, over the %d-character policy limit even alone "+
				"(fewer approved keys or exempt principals, or wider patterns, would shrink it)", st.Sid, n, limit)
		}
		docs = append(docs, alone)
	}
	out := make([]Policy, len(docs))
	for i, d := range docs {
		out[i] = Policy{Name: fmt.Sprintf("%s-%d", prefix, i+1), Document: d}
	}
	return out, nil
}

// size is the minified length in characters (runes), as AWS counts.
func size(d iampolicy.Document) (int, error) {
	b, err := iampolicy.Minify(d)
	if err != nil {
		return 0, err
	}
	return len([]rune(string(b))), nil
}
