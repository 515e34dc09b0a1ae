package history

import (
	"testing"
	"time"

	"github.com/sagekey/sagekey/internal/finding"
)

var t0 = time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)

func day(n int) time.Time { return t0.AddDate(0, 0, n) }

const (
	acct = "111111111111"
	east = "us-east-1"
	west = "eu-west-1"
)

func nb(name, region string) Subject {
	return Subject{CheckID: "notebook-instance.cmk", Kind: "notebook-instance", Account: acct, Region: region,
		ResourceARN: "arn:aws:sagemaker:" + region + ":" + acct + ":notebook-instance/" + name}
}

func job(name string, created time.Time) Subject {
	return Subject{CheckID: "training-job.cmk", Kind: "training-job", Account: acct, Region: east,
		ResourceARN: "arn:aws:sagemaker:us-east-1:" + acct + ":training-job/" + name, ResourceCreated: created}
}

func obs(s Subject, st finding.Status) Observation {
	return Observation{Subject: s, Status: st, Severity: finding.High}
}

// fullScope covers every kind used here in the given regions.
func fullScope(regions ...string) Scope {
	sc := Scope{Accounts: []string{acct}, Regions: regions, Checks: []string{"notebook-instance.cmk", "training-job.cmk"}}
	for _, r := range regions {
		sc.Complete = append(sc.Complete, Coverage{Account: acct, Region: r, Kinds: []string{"notebook-instance", "training-job"}})
	}
	return sc
}

// history replays scans through Advance, as the store does.
type replay struct {
	states   map[string]State
	episodes []Episode
	nextID   int64
}

func newReplay() *replay { return &replay{states: map[string]State{}} }

func (r *replay) scan(at time.Time, sc Scope, o ...Observation) Change {
	r.nextID++
	ch := Advance(r.states, Run{ID: r.nextID, At: at, Scope: sc}, o)
	for _, s := range ch.States {
		r.states[s.Fingerprint] = s
	}
	r.episodes = append(r.episodes, ch.Opened...)
	for _, c := range ch.Closed {
		for i := range r.episodes {
			if r.episodes[i].Fingerprint == c.Fingerprint && r.episodes[i].ResolvedAt.IsZero() {
				r.episodes[i].ResolvedAt, r.episodes[i].Resolution = c.ResolvedAt, c.Resolution
			}
		}
	}
	return ch
}

func (r *replay) state(t *testing.T, s Subject) State {
	t.Helper()
	st, ok := r.states[s.Fingerprint()]
	if !ok {
		t.Fatalf("no state for %s", s.ResourceARN)
	}
	return st
}

func TestAdvanceLifecycle(t *testing.T) {
	a, b := nb("a", east), nb("b", east)
	r := newReplay()
	ch := r.scan(day(0), fullScope(east), obs(a, finding.Fail), obs(b, finding.Pass))
	if len(ch.Opened) != 1 || ch.Opened[0].Fingerprint != a.Fingerprint() || ch.Opened[0].Reopen {
		t.Fatalf("first scan opened %+v, want one new violation for a", ch.Opened)
	}
	if st := r.state(t, a); !st.FirstSeen.Equal(day(0)) || !st.OpenedAt.Equal(day(0)) {
		t.Errorf("a: first seen %v opened %v, want day 0", st.FirstSeen, st.OpenedAt)
	}

	// Still failing: no new episode, last seen moves.
	ch = r.scan(day(1), fullScope(east), obs(a, finding.Fail), obs(b, finding.Pass))
	if len(ch.Opened)+len(ch.Closed) != 0 {
		t.Errorf("unchanged scan opened %v closed %v", ch.Opened, ch.Closed)
	}
	if st := r.state(t, a); !st.LastSeen.Equal(day(1)) || !st.FirstSeen.Equal(day(0)) {
		t.Errorf("a: first %v last %v", st.FirstSeen, st.LastSeen)
	}

	// ERROR proves nothing: the violation stays open.
	r.scan(day(2), fullScope(east), Observation{Subject: a, Status: finding.Error}, obs(b, finding.Pass))
	if st := r.state(t, a); !st.Open() {
		t.Error("an ERROR closed the violation")
	}

	// Fixed.
	ch = r.scan(day(3), fullScope(east), obs(a, finding.Pass), obs(b, finding.Pass))
	if len(ch.Closed) != 1 || ch.Closed[0].Resolution != ResolvedPassed || !ch.Closed[0].OpenedAt.Equal(day(0)) {
		t.Fatalf("closed %+v, want a resolved as passed, opened day 0", ch.Closed)
	}
	if st := r.state(t, a); st.Open() || !st.ResolvedAt.Equal(day(3)) || st.Reopened != 0 {
		t.Errorf("a after fix: %+v", st)
	}

	// Comes back: reopened.
	ch = r.scan(day(5), fullScope(east), obs(a, finding.Fail), obs(b, finding.Pass))
	if len(ch.Opened) != 1 || !ch.Opened[0].Reopen {
		t.Fatalf("opened %+v, want a reopened", ch.Opened)
	}
	if st := r.state(t, a); st.Reopened != 1 || !st.FirstSeen.Equal(day(0)) {
		t.Errorf("a reopened: %+v", st)
	}

	// Muted: closed as muted, not as fixed.
	ch = r.scan(day(6), fullScope(east), obs(a, finding.Muted), obs(b, finding.Pass))
	if len(ch.Closed) != 1 || ch.Closed[0].Resolution != ResolvedMuted {
		t.Fatalf("closed %+v, want muted", ch.Closed)
	}
	if len(r.episodes) != 2 {
		t.Fatalf("episodes %+v, want 2", r.episodes)
	}
}

func TestAdvanceDeletedVersusOutOfScope(t *testing.T) {
	eastNB, westNB := nb("gone", east), nb("elsewhere", west)
	oldJob, newJob := job("old", day(-30)), job("new", day(0))
	listedButIncomplete := nb("unlisted", east)

	tests := []struct {
		name    string
		subject Subject
		later   Scope
		gone    bool
	}{
		{"deleted in a covered region", eastNB, fullScope(east), true},
		{"other region not scanned", westNB, fullScope(east), false},
		{"other account", Subject{CheckID: eastNB.CheckID, Kind: eastNB.Kind, Account: "222222222222", Region: east, ResourceARN: "arn:x"}, fullScope(east), false},
		{"check not run", eastNB, func() Scope { s := fullScope(east); s.Checks = []string{"training-job.cmk"}; return s }(), false},
		{"listing had a gap", listedButIncomplete, func() Scope {
			s := fullScope(east)
			s.Complete[0].Kinds = []string{"training-job"}
			return s
		}(), false},
		{"job older than the --since window", oldJob, func() Scope { s := fullScope(east); s.Since = day(-7); return s }(), false},
		{"job inside the --since window", newJob, func() Scope { s := fullScope(east); s.Since = day(-7); return s }(), true},
		{"job with no --since window", oldJob, fullScope(east), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newReplay()
			r.scan(day(0), fullScope(east, west), obs(tc.subject, finding.Fail))
			ch := r.scan(day(1), tc.later)
			st := r.state(t, tc.subject)
			if got := !st.Gone.IsZero(); got != tc.gone {
				t.Fatalf("gone = %v, want %v (state %+v)", got, tc.gone, st)
			}
			if tc.gone {
				if len(ch.Closed) != 1 || ch.Closed[0].Resolution != ResolvedDeleted || st.Open() {
					t.Errorf("closed %+v, want resolved as deleted", ch.Closed)
				}
				return
			}
			if len(ch.Closed)+len(ch.States) != 0 || !st.Open() || !st.LastSeen.Equal(day(0)) {
				t.Errorf("out-of-scope finding changed: closed %+v states %+v", ch.Closed, ch.States)
			}
		})
	}
}

func TestAdvanceRecreatedResourceComesBack(t *testing.T) {
	a := nb("a", east)
	r := newReplay()
	r.scan(day(0), fullScope(east), obs(a, finding.Fail))
	r.scan(day(1), fullScope(east)) // deleted
	r.scan(day(2), fullScope(east), obs(a, finding.Pass))
	st := r.state(t, a)
	if !st.Gone.IsZero() || st.Status != finding.Pass || st.Resolution != ResolvedDeleted {
		t.Errorf("recreated resource: %+v", st)
	}
}

func TestAdvanceIgnoresOlderScanStoredLate(t *testing.T) {
	a := nb("a", east)
	r := newReplay()
	r.scan(day(5), fullScope(east), obs(a, finding.Pass))
	ch := r.scan(day(1), fullScope(east), obs(a, finding.Fail))
	if len(ch.Opened)+len(ch.States) != 0 {
		t.Errorf("an older scan changed a newer state: %+v", ch)
	}
	ch = r.scan(day(2), fullScope(east)) // older than day 5: cannot prove deletion
	if len(ch.States) != 0 {
		t.Errorf("an older scan deleted a newer state: %+v", ch)
	}
}
