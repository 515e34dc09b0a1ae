package schedule

import "math/rand/v2"

// Rand draws random numbers. *math/rand/v2.Rand satisfies it; tests pass a fixed
// source. A nil Rand means math/rand/v2's automatically seeded, goroutine-safe
// top-level source, which is never seeded or replaced by this package.
type Rand interface {
	// Int64N returns a number in [0, n); n > 0.
	Int64N(n int64) int64
}

// draw returns a duration uniformly in [0, n), or 0 when n <= 0.
func draw(r Rand, n int64) int64 {
	if n <= 0 {
		return 0
	}
	if r == nil {
		return rand.Int64N(n)
	}
	v := r.Int64N(n)
	if v < 0 || v >= n { // a misbehaving source must not break the bounds
		v = ((v % n) + n) % n
	}
	return v
}
