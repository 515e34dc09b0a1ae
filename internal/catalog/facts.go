package catalog

import "sync"

// kindFacts are the yes/no facts of each kind that hot paths ask per
// resource. Lookup builds the whole catalog afresh on every call (84 µs,
// 61 KB), which a scan of 100,000 jobs cannot afford per job; these facts
// are computed once and are plain booleans, so sharing them is safe.
var kindFacts = sync.OnceValue(func() map[string]facts {
	out := map[string]facts{}
	for _, k := range Kinds() {
		out[k.ID] = facts{immutable: k.Immutable, jobHistory: k.JobHistory}
	}
	return out
})

type facts struct{ immutable, jobHistory bool }

// IsImmutable reports whether the kind's records never change once
// created (Kind.Immutable); false for an unknown kind.
func IsImmutable(id string) bool { return kindFacts()[id].immutable }

// IsJobHistory reports whether the kind is job history (Kind.JobHistory);
// false for an unknown kind.
func IsJobHistory(id string) bool { return kindFacts()[id].jobHistory }
