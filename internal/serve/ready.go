package serve

import (
	"sync"
	"time"
)

// readiness answers /readyz: the store answered the last time it was
// read, and the scheduled scan is not overdue.
type readiness struct {
	mu       sync.Mutex
	grace    time.Duration
	due      time.Time // the scheduled scan awaited (kept through retries)
	interval time.Duration
	latest   time.Time // when the latest stored scan started, by any replica
	storeErr error
}

func (r *readiness) waiting(at time.Time, retry bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if retry && !r.due.IsZero() {
		return // still owed the scan that failed
	}
	if !r.due.IsZero() && at.After(r.due) {
		r.interval = at.Sub(r.due)
	}
	r.due = at
}

func (r *readiness) stored(started time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if started.After(r.latest) {
		r.latest = started
	}
}

func (r *readiness) storeFailed(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.storeErr = err
}

// overdue reports whether the awaited scan is more than grace late and no
// replica stored one since it was due (less half an interval, since
// replicas draw their own jitter).
func (r *readiness) overdue(now time.Time) (bool, time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.due.IsZero() || !now.After(r.due.Add(r.grace)) {
		return false, r.due
	}
	return r.latest.Before(r.due.Add(-r.interval / 2)), r.due
}
