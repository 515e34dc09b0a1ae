package engine

import (
	"encoding/json"

	"github.com/sagekey/sagekey/internal/finding"
)

// findingParts shares what findings repeat: jobs launched alike get the
// same message, the same slot verdicts and the same key-access entries,
// and a scan of 100,000 jobs would otherwise hold 300,000 copies of a few
// hundred values. Findings are only read once evaluated (the report
// writers, the store, remediation), so sharing is invisible.
type findingParts struct {
	messages map[string]string
	slots    map[string][]finding.Slot
	access   map[string][]finding.Access
}

func newFindingParts() *findingParts {
	return &findingParts{messages: map[string]string{}, slots: map[string][]finding.Slot{}, access: map[string][]finding.Access{}}
}

// share replaces f's message, slots and access entries with the copies
// shared by every finding that has the same ones.
func (p *findingParts) share(f *finding.Finding) {
	if m, ok := p.messages[f.Message]; ok {
		f.Message = m
	} else {
		p.messages[f.Message] = f.Message
	}
	f.Slots = shared(p.slots, f.Slots)
	f.Access = shared(p.access, f.Access)
}

// shared returns the slice in seen with the same content as v, recording
// v when none has it. nil and empty slices are left as they are (JSON
// tells them apart in some outputs).
func shared[T any](seen map[string][]T, v []T) []T {
	if len(v) == 0 {
		return v
	}
	key, err := json.Marshal(v)
	if err != nil {
		return v // cannot happen for these plain structs; then simply not shared
	}
	if s, ok := seen[string(key)]; ok {
		return s
	}
	seen[string(key)] = v
	return v
}
