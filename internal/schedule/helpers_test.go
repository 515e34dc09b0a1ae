package schedule

import (
	"sync"
	"time"
)

// maxRand always draws the largest value, minRand the smallest.
type maxRand struct{}

func (maxRand) Int64N(n int64) int64 { return n - 1 }

type minRand struct{}

func (minRand) Int64N(int64) int64 { return 0 }

// fracRand draws the given fraction of n.
type fracRand float64

func (f fracRand) Int64N(n int64) int64 { return int64(float64(f) * float64(n)) }

// fakeClock advances by itself: After(d) moves the time forward by d and fires at
// once, so a Runner goes through hours of schedule instantly and deterministically.
// With block set, After records the wait, signals waiting and never fires.
type fakeClock struct {
	mu      sync.Mutex
	now     time.Time
	waits   []time.Duration
	block   bool
	waiting chan struct{}
}

func newFakeClock(now time.Time) *fakeClock { return &fakeClock{now: now} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.waits = append(c.waits, d)
	ch := make(chan time.Time, 1)
	if c.block {
		if c.waiting != nil {
			select {
			case c.waiting <- struct{}{}:
			default:
			}
		}
		return ch
	}
	c.now = c.now.Add(d)
	ch <- c.now
	return ch
}

// advance simulates a job taking d.
func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// at is 2024-03-05 (a Tuesday) at h:m UTC.
func at(h, m int) time.Time { return time.Date(2024, time.March, 5, h, m, 0, 0, time.UTC) }
