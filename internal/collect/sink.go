package collect

import (
	"cmp"
	"slices"
	"sync"

	"github.com/sagekey/sagekey/internal/inventory"
)

// MemorySink gathers everything in memory. The zero value is ready to use.
type MemorySink struct {
	mu        sync.Mutex
	resources []inventory.Resource
	gaps      []inventory.Gap
	strings   *interner
}

// Resource records a copy of r that shares nothing with the response it
// was read from (see interner).
func (s *MemorySink) Resource(r inventory.Resource) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.strings == nil {
		s.strings = newInterner()
	}
	s.resources = append(s.resources, detach(r, s.strings))
}

// Gap records g.
func (s *MemorySink) Gap(g inventory.Gap) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gaps = append(s.gaps, g)
}

// Inventory hands over what was recorded and empties the sink (it is
// called once, when collection is over: copying a large estate's records
// would hold them twice). Collectors finish in arbitrary order, so the
// result is sorted (resources by kind, region, ARN; gaps by account,
// region, service) to make reports and stored snapshots reproducible and
// diffable.
func (s *MemorySink) Inventory() inventory.Inventory {
	s.mu.Lock()
	resources, gaps := s.resources, s.gaps
	s.resources, s.gaps, s.strings = nil, nil, nil
	s.mu.Unlock()
	if resources == nil {
		resources = []inventory.Resource{}
	}
	if gaps == nil {
		gaps = []inventory.Gap{}
	}
	slices.SortStableFunc(resources, func(a, b inventory.Resource) int {
		return cmp.Or(
			cmp.Compare(a.Kind, b.Kind),
			cmp.Compare(a.Region, b.Region),
			cmp.Compare(a.ARN, b.ARN),
			cmp.Compare(a.Account, b.Account),
			cmp.Compare(a.Name, b.Name),
		)
	})
	slices.SortStableFunc(gaps, func(a, b inventory.Gap) int {
		return cmp.Or(
			cmp.Compare(a.Account, b.Account),
			cmp.Compare(a.Region, b.Region),
			cmp.Compare(a.Service, b.Service),
			cmp.Compare(a.Reason, b.Reason),
		)
	})
	return inventory.Inventory{
		SchemaVersion: inventory.SchemaVersion,
		Resources:     resources,
		Gaps:          gaps,
	}
}
