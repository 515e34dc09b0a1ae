package store

import (
	"iter"

	"github.com/sagekey/sagekey/internal/history"
)

// fingerprintDigits are the characters a fingerprint starts with
// (history.Subject.Fingerprint is lowercase hex), in order.
const fingerprintDigits = "0123456789abcdef"

// fingerprintRange is the fingerprints from lo (inclusive) to hi
// (exclusive); an empty bound is open. The ranges of fingerprintRanges
// follow one another with no gap, so together they hold every string,
// whatever it starts with.
type fingerprintRange struct{ lo, hi string }

// fingerprintRanges splits fingerprints by their first hex digit: 16
// ranges of about a sixteenth of the findings each.
func fingerprintRanges() []fingerprintRange {
	out := make([]fingerprintRange, len(fingerprintDigits))
	for i := range out {
		if i > 0 {
			out[i].lo = fingerprintDigits[i : i+1]
		}
		if i+1 < len(fingerprintDigits) {
			out[i].hi = fingerprintDigits[i+1 : i+2]
		}
	}
	return out
}

// holds says whether fp lies in r, comparing bytes as SQL compares
// these strings (lowercase hex sorts the same under every collation).
func (r fingerprintRange) holds(fp string) bool {
	return (r.lo == "" || fp >= r.lo) && (r.hi == "" || fp < r.hi)
}

// and adds r to a SQL condition with ? placeholders.
func (r fingerprintRange) and(where string, args []any) (string, []any) {
	if r.lo != "" {
		where += " AND fingerprint >= ?"
		args = append(args, r.lo)
	}
	if r.hi != "" {
		where += " AND fingerprint < ?"
		args = append(args, r.hi)
	}
	return where, args
}

// rangeOf is the index of the range of ranges (fingerprintRanges) that
// holds fp; the last range takes whatever the others do not.
func rangeOf(ranges []fingerprintRange, fp string) uint8 {
	j := 0
	for j < len(ranges)-1 && !ranges[j].holds(fp) {
		j++
	}
	return uint8(j)
}

// inRange returns the observations placed in range j.
func inRange(observed iter.Seq[history.Observation], placed []uint8, j int) []history.Observation {
	var out []history.Observation
	i := 0
	for o := range observed {
		if i < len(placed) && int(placed[i]) == j {
			out = append(out, o)
		}
		i++
	}
	return out
}
