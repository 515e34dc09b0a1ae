package store

import (
	"fmt"
	"sort"

	"github.com/sagekey/sagekey/internal/history"
)

// fingerprintRangeCount is how many ranges a save splits fingerprints
// into: one per two-digit prefix. Each range's stored states, observations
// and changes are held together: at 300,000 findings a sixteenth of them
// held 19 MB beside the inventory, a sixty-fourth 8-15 MB at the peak of a
// 100,000-job re-scan, a two-hundred-and-fifty-sixth about a quarter of
// that. The cost is one indexed read of stored states per range, and one
// pass over the observations' range numbers (a byte each).
const fingerprintRangeCount = 256

// fingerprintRange is the fingerprints from lo (inclusive) to hi
// (exclusive); an empty bound is open. The ranges of fingerprintRanges
// follow one another with no gap, so together they hold every string,
// whatever it starts with.
type fingerprintRange struct{ lo, hi string }

// fingerprintRanges splits fingerprints (history.Subject.Fingerprint is
// lowercase hex) at two-digit prefixes into fingerprintRangeCount ranges
// of about as many findings each.
func fingerprintRanges() []fingerprintRange {
	out := make([]fingerprintRange, fingerprintRangeCount)
	step := 256 / fingerprintRangeCount
	for i := range out {
		if i > 0 {
			out[i].lo = fmt.Sprintf("%02x", i*step)
		}
		if i+1 < len(out) {
			out[i].hi = fmt.Sprintf("%02x", (i+1)*step)
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
	return uint8(sort.Search(len(ranges)-1, func(j int) bool { return fp < ranges[j].hi }))
}

// inRange returns the observations of rec placed in range j. A record
// that can make one observation alone (ObserveAt) makes only those;
// otherwise every observation is made and those of other ranges dropped.
func inRange(rec RunRecord, placed []uint8, j int) []history.Observation {
	var out []history.Observation
	if rec.Observe != nil && rec.ObserveAt != nil {
		for i, p := range placed {
			if int(p) == j {
				out = append(out, rec.ObserveAt(i))
			}
		}
		return out
	}
	i := 0
	for o := range rec.Observed() {
		if i < len(placed) && int(placed[i]) == j {
			out = append(out, o)
		}
		i++
	}
	return out
}
