package schedule

import "time"

// Default backoff bounds, used when Backoff's fields are zero.
const (
	DefaultBackoffBase = time.Minute
	DefaultBackoffMax  = time.Hour
)

// Backoff spaces the retries of a failed scan: exponential, capped, with full
// jitter above the base.
type Backoff struct {
	Base time.Duration // the first retry's delay; zero: DefaultBackoffBase
	Max  time.Duration // the longest delay; zero: DefaultBackoffMax
	Rand Rand          // nil: math/rand/v2's top-level source
}

func (b Backoff) bounds() (base, maxDelay time.Duration) {
	base, maxDelay = b.Base, b.Max
	if base <= 0 {
		base = DefaultBackoffBase
	}
	if maxDelay <= 0 {
		maxDelay = DefaultBackoffMax
	}
	if maxDelay < base {
		maxDelay = base
	}
	return base, maxDelay
}

// Delay returns the wait before retry number attempt (0 for the first retry):
// uniformly in [Base, min(Max, Base·2^attempt)]. Attempt 0 waits exactly Base, so a
// failing scan never retries at once; later attempts spread out so replicas and
// restarts do not retry in step.
func (b Backoff) Delay(attempt int) time.Duration {
	base, maxDelay := b.bounds()
	ceiling := base
	for i := 0; i < attempt && ceiling < maxDelay; i++ {
		if ceiling > maxDelay/2 {
			ceiling = maxDelay
			break
		}
		ceiling *= 2
	}
	if ceiling > maxDelay {
		ceiling = maxDelay
	}
	return base + time.Duration(draw(b.Rand, int64(ceiling-base)+1))
}

// NextAttempt returns when to retry a scan that failed at failedAt for the
// failures-th time in a row (failures >= 1): failedAt plus Delay(failures-1), but
// never later than scheduled, the next regular scan, when scheduled is set.
func (b Backoff) NextAttempt(failedAt, scheduled time.Time, failures int) time.Time {
	attempt := max(failures-1, 0)
	at := failedAt.Add(b.Delay(attempt))
	if !scheduled.IsZero() && scheduled.Before(at) {
		return scheduled
	}
	return at
}
