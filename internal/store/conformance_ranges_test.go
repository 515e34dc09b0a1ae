package store_test

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/history"
)

// TestConformanceSaveEqualsWholeAdvance: SaveRun advances a run one range
// of fingerprints at a time; what it stores must be what history.Advance
// makes of the whole run at once. Four runs open, resolve, reopen, mute
// and delete the findings of enough notebooks for every fingerprint range
// to hold some; after each, every stored state and the violations, in the
// order they were opened, equal the in-memory model's. Runs 1 and 3 give
// their observations as an iterator (RunRecord.Observe), as scans do, and
// run 3 also one at a time (ObserveAt), each made once for its range.
func TestConformanceSaveEqualsWholeAdvance(t *testing.T) {
	forEachBackend(t, func(t *testing.T, dsn string) {
		s := open(t, dsn)
		ctx := context.Background()
		// Notebooks are added until their fingerprints fall in every one of
		// the save's ranges (one per two-hex-digit prefix).
		var subjects []history.Subject
		ranges := map[int64]bool{}
		for i := 0; len(ranges) < 256; i++ {
			if i == 10000 {
				t.Fatalf("10,000 notebooks' fingerprints fall in %d of the 256 ranges, want all", len(ranges))
			}
			sub := notebook(fmt.Sprintf("nb-%04d", i), "us-east-1")
			prefix, err := strconv.ParseInt(sub.Fingerprint()[:2], 16, 64)
			if err != nil {
				t.Fatal(err)
			}
			ranges[prefix] = true
			subjects = append(subjects, sub)
		}
		// status of notebook i in run r; "" means not seen (deleted).
		statusOf := func(r, i int) finding.Status {
			switch {
			case i%7 == 0 && r >= 2:
				return "" // deleted in run 2
			case i%5 == 0:
				return []finding.Status{finding.Fail, finding.Pass, finding.Fail, finding.Muted}[r] // reopened, then muted
			case i%3 == 0:
				return []finding.Status{finding.Pass, finding.Fail, finding.Error, finding.Pass}[r]
			}
			return finding.Fail
		}
		model := map[string]history.State{}
		var modelOpened []string
		for r := range 4 {
			at := t0.Add(time.Duration(r) * time.Hour)
			var obs []history.Observation
			for i, sub := range subjects {
				if st := statusOf(r, i); st != "" {
					obs = append(obs, observe(sub, st))
				}
			}
			rec := record(at, scope("us-east-1"), obs...)
			made := 0
			if r%2 == 1 { // the scan's way: observations made as they are stored
				rec.Observations, rec.Observe = nil, slices.Values(obs)
			}
			if r == 3 { // and made alone for their range's pass
				rec.ObserveAt = func(i int) history.Observation { made++; return obs[i] }
			}
			id := save(t, s, rec)
			if r == 3 && made != len(obs) {
				t.Errorf("run 3: %d observations made alone, want each of the %d once", made, len(obs))
			}
			ch := history.Advance(model, history.Run{ID: id, At: at, Scope: scope("us-east-1")}, obs)
			for _, st := range ch.States {
				model[st.Fingerprint] = st
			}
			for _, ep := range ch.Opened {
				modelOpened = append(modelOpened, ep.Fingerprint)
			}

			stored, err := s.States(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(stored) != len(model) {
				t.Fatalf("run %d: %d stored states, the model has %d", r, len(stored), len(model))
			}
			for _, got := range stored {
				want := model[got.Fingerprint]
				if got.Status != want.Status || got.Open() != want.Open() || !got.Gone.Equal(want.Gone) ||
					!got.FirstSeen.Equal(want.FirstSeen) || !got.LastSeen.Equal(want.LastSeen) || got.LastRun != want.LastRun ||
					!got.OpenedAt.Equal(want.OpenedAt) || !got.ResolvedAt.Equal(want.ResolvedAt) ||
					got.Resolution != want.Resolution || got.Reopened != want.Reopened {
					t.Fatalf("run %d: %s stored as %+v, the whole run's Advance says %+v", r, got.ResourceARN, got, want)
				}
			}
			eps, err := s.Episodes(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var opened []string
			for _, e := range eps {
				opened = append(opened, e.Fingerprint)
			}
			if !slices.Equal(opened, modelOpened) {
				t.Fatalf("run %d: violations opened in the order %d…, the model's %d…", r, len(opened), len(modelOpened))
			}
		}
	})
}
