package iac

import (
	"context"

	"github.com/sagekey/sagekey/internal/iac/mapping"
	"github.com/sagekey/sagekey/internal/keys"
)

// LiveResolver resolves key references with KMS: it returns the keys it
// described (or could not: a Key with Error) and, for each canonical
// reference, the ARN of the key it resolved to.
type LiveResolver func(ctx context.Context, refs []string) ([]keys.Key, map[string]string, error)

// resolveLive replaces the offline stand-ins of external keys with what
// KMS says of them. A key KMS could not describe keeps the resolver's
// reason, so its slots are ERROR with that reason, never PASS. References
// that name no key (a variable without a value) stay as they were.
func resolveLive(ctx context.Context, live LiveResolver, m *mapping.Mapped) (resolved map[string]bool, err error) {
	refs := make([]string, 0, len(m.External))
	for _, e := range m.External {
		refs = append(refs, e.Ref)
	}
	described, refARNs, err := live(ctx, refs)
	if err != nil {
		return nil, err
	}
	resolved = map[string]bool{}
	for ref, arn := range refARNs {
		m.KeyRefs[ref] = arn
		resolved[ref] = true
	}
	used := map[string]bool{}
	for _, arn := range m.KeyRefs {
		used[arn] = true
	}
	kept := m.Keys[:0]
	seen := map[string]bool{}
	// What KMS described wins over the offline stand-in of the same ARN.
	for _, k := range append(append([]keys.Key(nil), described...), m.Keys...) {
		if used[k.ARN] && !seen[k.ARN] {
			seen[k.ARN] = true
			kept = append(kept, k)
		}
	}
	m.Keys = kept
	return resolved, nil
}

// standIns are the keys the mapping made up for references it could not
// resolve offline (and --live did not): their own kms-key checks would
// only repeat, five times over, what the slot's ERROR already says.
func standIns(m mapping.Mapped, resolved map[string]bool) map[string]bool {
	out := map[string]bool{}
	for _, e := range m.External {
		for _, c := range []string{e.Ref, keys.ParseRef(e.Ref, "", "").Canonical()} {
			if arn, ok := m.KeyRefs[c]; ok && !resolved[c] {
				out[arn] = true
			}
		}
	}
	return out
}
