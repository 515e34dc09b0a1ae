package consumer

import (
	"context"
	"sync"
)

// MemorySeen is an in-memory Seen for tests and a single replica without a
// store; it forgets on restart and grows without bound.
type MemorySeen struct {
	mu  sync.Mutex
	ids map[string]bool
}

// Seen reports whether eventID was marked.
func (m *MemorySeen) Seen(_ context.Context, eventID string) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.ids[eventID], nil
}

// Mark records eventIDs as handled.
func (m *MemorySeen) Mark(_ context.Context, eventIDs []string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.ids == nil {
		m.ids = map[string]bool{}
	}
	for _, id := range eventIDs {
		m.ids[id] = true
	}
	return nil
}
