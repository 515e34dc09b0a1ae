package detect

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strconv"
	"time"
)

// Detect returns the events cur raises over prev, in a fixed order:
// failed scan, new gaps, key state changes, compliance drop, then
// violations, each worst first.
//
// prev must be the previous stored (so complete) scan. The zero Input
// (RunID 0) means there is none: on the first scan every violation is new
// and every gap is new, but there is no earlier key state or percent to
// compare with, so key-state and compliance events wait for the second
// scan rather than firing on the estate as first found (its disabled keys
// and failing resources already raise violations). A failed prev is
// treated the same way.
func Detect(prev, cur Input, opts Options) []Event {
	if cur.Failed {
		return []Event{scanFailed(cur)}
	}
	hasPrev := prev.RunID != 0 && !prev.Failed
	var out []Event
	if g, ok := newGaps(prev, cur); ok {
		out = append(out, g)
	}
	var changed map[string]bool
	if hasPrev {
		var keyEvents []Event
		keyEvents, changed = keyStateChanges(prev, cur)
		out = append(out, keyEvents...)
		if e, ok := complianceDrop(prev, cur, opts.ComplianceThreshold); ok {
			out = append(out, e)
		}
	}
	out = append(out, violations(cur, opts.MinSeverity, changed)...)
	sortEvents(out)
	return out
}

func scanFailed(cur Input) Event {
	msg := "scan failed"
	if cur.Error != "" {
		msg += ": " + cur.Error
	}
	e := Event{Kind: ScanFailed, Severity: ScanFailedSeverity, At: cur.At, RunID: cur.RunID, Message: msg}
	// A failed scan has no run id; its start time tells two failures apart.
	e.Key = eventKey(ScanFailed, cur.RunID, cur.At.UTC().Format(time.RFC3339Nano))
	return e
}

// eventKey is the idempotency key. It hashes the subject so the key stays
// short whatever the ARNs, and keeps the kind readable for people reading
// a dead letter.
func eventKey(k Kind, run int64, subject string) string {
	h := sha256.New()
	for _, part := range []string{string(k), strconv.FormatInt(run, 10), subject} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	return string(k) + ":" + hex.EncodeToString(h.Sum(nil)[:16])
}

var kindRank = map[Kind]int{
	ScanFailed: 0, NewGaps: 1, KeyStateChanged: 2, ComplianceDropped: 3,
	// Opened and reopened violations interleave by severity.
	ViolationOpened: 4, ViolationReopened: 4,
}

func sortEvents(es []Event) {
	slices.SortFunc(es, func(a, b Event) int {
		return cmp.Or(
			cmp.Compare(kindRank[a.Kind], kindRank[b.Kind]),
			cmp.Compare(b.Severity, a.Severity),
			cmp.Compare(a.Account, b.Account),
			cmp.Compare(a.Region, b.Region),
			cmp.Compare(a.Resource.ARN, b.Resource.ARN),
			cmp.Compare(a.CheckID, b.CheckID),
			cmp.Compare(a.Key, b.Key),
		)
	})
}
