package schedule

import "time"

// DefaultFullEvery is how often a full scan replaces the incremental one by default
// (--full-every).
const DefaultFullEvery = 7 * 24 * time.Hour

// Mode is the kind of scan to run.
type Mode int

const (
	// Incremental reuses what earlier scans stored (immutable records, --since
	// windows).
	Incremental Mode = iota
	// Full reads the whole estate again.
	Full
)

// String returns "incremental" or "full".
func (m Mode) String() string {
	if m == Full {
		return "full"
	}
	return "incremental"
}

// Decide returns the kind of the scan starting at now: Full when there was no full
// scan yet (lastFull is zero), when the last one is fullEvery old or older, or when
// fullEvery is not positive (every scan is full); Incremental otherwise. A lastFull
// after now (clock skew between replicas) counts as recent.
func Decide(now, lastFull time.Time, fullEvery time.Duration) Mode {
	if lastFull.IsZero() || fullEvery <= 0 || now.Sub(lastFull) >= fullEvery {
		return Full
	}
	return Incremental
}
