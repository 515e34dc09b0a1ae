package serve

import (
	"context"
	"sync"
)

// loadCache keeps the last two stored scans loaded: each cycle compares a
// new run with the one before it and points the gauges at the new one, so
// without it every run would be read and evaluated three times (as the
// new run, for the gauges, and as the next cycle's previous run).
type loadCache struct {
	mu    sync.Mutex
	loads [2]cachedLoad
	clock int64 // counts uses, to evict the least recently used
}

type cachedLoad struct {
	id   int64
	st   Stored
	used int64
}

// load returns run id, reading it with load only when it is not cached.
func (c *loadCache) load(ctx context.Context, id int64, load func(context.Context, int64) (Stored, error)) (Stored, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.clock++
	for i := range c.loads {
		if l := &c.loads[i]; l.id == id && id != 0 {
			l.used = c.clock
			return l.st, nil
		}
	}
	st, err := load(ctx, id)
	if err != nil {
		return Stored{}, err
	}
	oldest := 0
	for i := range c.loads {
		if c.loads[i].used < c.loads[oldest].used {
			oldest = i
		}
	}
	c.loads[oldest] = cachedLoad{id: id, st: st, used: c.clock}
	return st, nil
}
