package store

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"testing"
)

// Every string lies in exactly one range, the one rangeOf names, and the
// ranges share hex fingerprints out about evenly.
func TestFingerprintRanges(t *testing.T) {
	t.Parallel()
	ranges := fingerprintRanges()
	if len(ranges) != fingerprintRangeCount {
		t.Fatalf("%d ranges, want %d", len(ranges), fingerprintRangeCount)
	}
	counts := make([]int, len(ranges))
	check := func(fp string) {
		j := rangeOf(ranges, fp)
		for i, r := range ranges {
			if r.holds(fp) != (i == int(j)) {
				t.Fatalf("%q: rangeOf says %d, range %d [%q, %q) holds it: %v", fp, j, i, r.lo, r.hi, r.holds(fp))
			}
		}
		counts[j]++
	}
	for _, fp := range []string{"", "0", "00", "03ff", "04", "fb", "fc", "ff", "fffff", "g", "Z"} {
		check(fp)
	}
	for i := range 64000 {
		sum := sha256.Sum256([]byte(strconv.Itoa(i)))
		check(hex.EncodeToString(sum[:16]))
	}
	want := 64000 / len(ranges)
	for j, n := range counts {
		if n < want*4/5 || n > want*5/4 {
			t.Errorf("range %d holds %d of 64,000 fingerprints, want about %d", j, n, want)
		}
	}
}
