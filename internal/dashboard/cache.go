package dashboard

import (
	"context"
	"sync"
)

// cached holds one aggregate for the latest stored run. Aggregates that
// read every finding or every run (overview counts, trend, keys, KPIs,
// filter values) are computed once per run and kept until a new run is
// stored: a run is the only thing that changes them (dead letters and
// CloudTrail, which change between runs, are read per request or noted on
// the page). Keying on the latest run id, which only grows, invalidates
// without any signal from the writer, and works across replicas.
//
// The build runs under the lock, so concurrent requests after a new run
// wait for one computation instead of each starting their own.
type cached[T any] struct {
	mu    sync.Mutex
	valid bool
	key   cacheKey
	val   T
}

// cacheKey is the latest run id and any page parameter the aggregate
// depends on (the KPI window).
type cacheKey struct {
	run   int64
	param string
}

func (c *cached[T]) get(ctx context.Context, key cacheKey, build func(context.Context) (T, error)) (T, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.valid && c.key == key {
		return c.val, nil
	}
	v, err := build(ctx)
	if err != nil {
		var zero T
		return zero, err
	}
	c.val, c.key, c.valid = v, key, true
	return v, nil
}

// caches are the dashboard's aggregates, one of each.
type caches struct {
	summary cached[*summary]
	keys    cached[*keySet]
	facets  cached[*facetSet]
	kpi     cached[*kpiView]
}
