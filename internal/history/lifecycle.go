package history

import (
	"sort"
	"time"

	"github.com/sagekey/sagekey/internal/finding"
)

// Resolution is how a violation ended.
type Resolution string

// Resolutions. Muted is a risk acceptance, not a fix, so it is counted apart
// from the other two in MTTR.
const (
	ResolvedPassed  Resolution = "passed"  // the check passes (or no longer applies)
	ResolvedDeleted Resolution = "deleted" // the resource is gone from a scan that covered it
	ResolvedMuted   Resolution = "muted"   // a suppression now mutes it
)

// State is the life of one finding so far.
type State struct {
	Subject
	Fingerprint string            `json:"fingerprint"`
	Status      finding.Status    `json:"status"` // as last observed
	Severity    finding.Severity  `json:"severity"`
	Message     string            `json:"message"`
	Tags        map[string]string `json:"tags,omitempty"`
	FirstSeen   time.Time         `json:"first_seen"`
	LastSeen    time.Time         `json:"last_seen"`
	LastRun     int64             `json:"last_run"`
	// Gone is when a covering scan last found the resource missing.
	Gone time.Time `json:"gone,omitzero"`
	// OpenedAt is when the current violation began; zero when none is open.
	OpenedAt time.Time `json:"opened_at,omitzero"`
	// ResolvedAt is when the last violation ended.
	ResolvedAt time.Time  `json:"resolved_at,omitzero"`
	Resolution Resolution `json:"resolution,omitempty"`
	// Reopened counts violations that came back after being resolved.
	Reopened int `json:"reopened"`
}

// Open reports whether a violation is open.
func (s State) Open() bool { return !s.OpenedAt.IsZero() }

// Episode is one violation from the scan that found it to the scan that saw
// it resolved.
type Episode struct {
	Fingerprint string           `json:"fingerprint"`
	Severity    finding.Severity `json:"severity"`
	OpenedAt    time.Time        `json:"opened_at"`
	OpenedRun   int64            `json:"opened_run"`
	Reopen      bool             `json:"reopen"`
	ResolvedAt  time.Time        `json:"resolved_at,omitzero"`
	ResolvedRun int64            `json:"resolved_run,omitempty"`
	Resolution  Resolution       `json:"resolution,omitempty"`
}

// Run is what Advance needs to know about the scan being applied.
type Run struct {
	ID    int64
	At    time.Time // when the scan started: what it saw was true then
	Scope Scope
}

// Change is what a scan did to the history.
type Change struct {
	States []State   // new and changed states, by fingerprint
	Opened []Episode // violations the scan opened, by fingerprint
	Closed []Episode // violations the scan resolved (the open ones, now ended)
}

// Advance applies one scan to the previous states (keyed by fingerprint)
// and returns what changed. It never mutates prev.
//
// A state already updated by a later scan is left alone, so scans stored out
// of order cannot move a finding back in time. A finding the scan did not
// report changes only when the scan covered it (see Scope.Covers): then its
// resource is gone and an open violation is resolved as deleted.
func Advance(prev map[string]State, run Run, observed []Observation) Change {
	var ch Change
	if len(observed) > 0 {
		// Each observation makes at most one state: sized once, the
		// states of a large scan are not copied as the slice grows.
		ch.States = make([]State, 0, len(observed))
	}
	seen := make(map[string]bool, len(observed))
	for _, o := range observed {
		fp := o.Fingerprint()
		seen[fp] = true
		old, existed := prev[fp]
		if existed && old.LastSeen.After(run.At) {
			continue
		}
		s := old
		s.Subject, s.Fingerprint = o.Subject, fp
		s.Status, s.Severity, s.Message, s.Tags = o.Status, o.Severity, o.Message, o.Tags
		if !existed {
			s.FirstSeen = run.At
		}
		s.LastSeen, s.LastRun, s.Gone = run.At, run.ID, time.Time{}
		switch {
		case o.Status == finding.Fail && !s.Open():
			ep := Episode{Fingerprint: fp, Severity: o.Severity, OpenedAt: run.At, OpenedRun: run.ID, Reopen: !s.ResolvedAt.IsZero()}
			if ep.Reopen {
				s.Reopened++
			}
			s.OpenedAt = run.At
			ch.Opened = append(ch.Opened, ep)
		case s.Open() && (o.Status == finding.Pass || o.Status == finding.NotApplicable):
			ch.Closed = append(ch.Closed, closeEpisode(&s, run, ResolvedPassed))
		case s.Open() && o.Status == finding.Muted:
			ch.Closed = append(ch.Closed, closeEpisode(&s, run, ResolvedMuted))
		}
		// ERROR changes nothing: the tool could not tell.
		ch.States = append(ch.States, s)
	}
	for fp, old := range prev {
		if seen[fp] || !old.Gone.IsZero() || old.LastSeen.After(run.At) || !run.Scope.Covers(old.Subject) {
			continue
		}
		s := old
		s.Gone = run.At
		if s.Open() {
			ch.Closed = append(ch.Closed, closeEpisode(&s, run, ResolvedDeleted))
		}
		ch.States = append(ch.States, s)
	}
	sort.Slice(ch.States, func(i, j int) bool { return ch.States[i].Fingerprint < ch.States[j].Fingerprint })
	sort.Slice(ch.Closed, func(i, j int) bool { return ch.Closed[i].Fingerprint < ch.Closed[j].Fingerprint })
	// Opened too, so that advancing a run range by range of fingerprints
	// (the store does) opens the same violations in the same order.
	sort.Slice(ch.Opened, func(i, j int) bool { return ch.Opened[i].Fingerprint < ch.Opened[j].Fingerprint })
	return ch
}

func closeEpisode(s *State, run Run, how Resolution) Episode {
	ep := Episode{
		Fingerprint: s.Fingerprint, Severity: s.Severity, OpenedAt: s.OpenedAt,
		ResolvedAt: run.At, ResolvedRun: run.ID, Resolution: how,
	}
	s.OpenedAt, s.ResolvedAt, s.Resolution = time.Time{}, run.At, how
	return ep
}
