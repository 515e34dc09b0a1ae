package history_test

import (
	"strings"
	"testing"
	"time"

	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/history"
	"github.com/sagekey/sagekey/internal/rules"
)

const (
	tAcct = "111111111111"
	tEast = "us-east-1"
)

func tNotebook(name string) history.Subject {
	return history.Subject{CheckID: "notebook-instance.cmk", Kind: "notebook-instance", Account: tAcct, Region: tEast,
		ResourceARN: "arn:aws:sagemaker:us-east-1:" + tAcct + ":notebook-instance/" + name}
}

func tKey(check string) history.Subject {
	return history.Subject{CheckID: check, Kind: rules.KeyKind, Account: tAcct, Region: tEast,
		ResourceARN: "arn:aws:kms:us-east-1:" + tAcct + ":key/k1"}
}

// targeted is the scope of an event-driven check of the named notebooks.
func targeted(arns ...string) history.Scope {
	return history.Scope{
		Accounts: []string{tAcct}, Regions: []string{tEast},
		Checks:   []string{"notebook-instance.cmk", "notebook-instance.tags", "kms-key.rotation"},
		Targeted: true, Resources: arns,
	}
}

// TestScopeTargetedCovers: a targeted check covers exactly the subjects of
// its resources (ARN without case) for the checks it ran, never a key, and
// nothing by account and region alone.
func TestScopeTargetedCovers(t *testing.T) {
	a, b := tNotebook("a"), tNotebook("b")
	aTags := a
	aTags.CheckID = "notebook-instance.tags"
	aOther := a
	aOther.CheckID = "notebook-instance.key-access" // a check the run did not evaluate
	aSlot := a
	aSlot.Slot = "KmsKeyId"
	job := history.Subject{CheckID: "training-job.cmk", Kind: "training-job", Account: tAcct, Region: tEast,
		ResourceARN: "arn:aws:sagemaker:us-east-1:" + tAcct + ":training-job/j", ResourceCreated: time.Unix(1, 0)}
	key := tKey("kms-key.rotation")
	noARN := a
	noARN.ResourceARN = ""

	for _, tc := range []struct {
		name        string
		sc          history.Scope
		s           history.Subject
		covers, inS bool
	}{
		{"listed resource", targeted(a.ResourceARN), a, true, true},
		{"listed resource, another slot", targeted(a.ResourceARN), aSlot, true, true},
		{"listed resource, another check run", targeted(a.ResourceARN), aTags, true, true},
		{"listed resource, check not run", targeted(a.ResourceARN), aOther, false, true},
		{"ARN differs only in case", targeted(strings.ToUpper(a.ResourceARN)), a, true, true},
		{"stored ARN differs only in case", targeted(a.ResourceARN), history.Subject{CheckID: a.CheckID, Kind: a.Kind,
			Account: tAcct, Region: tEast, ResourceARN: strings.ToUpper(a.ResourceARN)}, true, true},
		{"another resource in the same account and region", targeted(a.ResourceARN), b, false, false},
		{"a named job older than the window", withJobs(targeted(job.ResourceARN), time.Unix(100, 0)), job, true, true},
		{"a key, even when named", targeted(a.ResourceARN, key.ResourceARN), key, false, false},
		{"no resources", targeted(), a, false, false},
		{"empty ARN", targeted(a.ResourceARN, ""), noARN, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.sc.Covers(tc.s); got != tc.covers {
				t.Errorf("Covers = %v, want %v", got, tc.covers)
			}
			if got := tc.sc.InScope(tc.s); got != tc.inS {
				t.Errorf("InScope = %v, want %v", got, tc.inS)
			}
		})
	}
}

// TestScopeTargetedKeepsScanRules: Targeted false keeps the scan rules
// even with Resources set, and a scan's Complete entries do not widen a
// targeted scope.
func TestScopeTargetedKeepsScanRules(t *testing.T) {
	a, b := tNotebook("a"), tNotebook("b")
	complete := []history.Coverage{{Account: tAcct, Region: tEast, Kinds: []string{"notebook-instance"}}}
	scan := history.Scope{Accounts: []string{tAcct}, Regions: []string{tEast}, Checks: []string{a.CheckID},
		Complete: complete, Resources: []string{a.ResourceARN}}
	if !scan.Covers(b) || !scan.InScope(b) {
		t.Errorf("a scan stopped covering its complete kinds")
	}
	tg := targeted(a.ResourceARN)
	tg.Complete = complete
	if tg.Covers(b) || tg.InScope(b) {
		t.Errorf("a targeted check covered a resource it did not name")
	}
}

// TestAdvanceTargeted replays a full scan and then targeted checks through
// Advance: a named resource that was not observed is gone (its violation
// resolved as deleted), everything else keeps its state (no last-seen
// bump), an observed key is updated but an unobserved one is never gone,
// and an observed resource opens and resolves violations as a scan does.
func TestAdvanceTargeted(t *testing.T) {
	t0 := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	a, b, c := tNotebook("a"), tNotebook("b"), tNotebook("c")
	rot, pol := tKey("kms-key.rotation"), tKey("kms-key.policy")
	full := history.Scope{Accounts: []string{tAcct}, Regions: []string{tEast},
		Checks:   []string{a.CheckID, rot.CheckID, pol.CheckID},
		Complete: []history.Coverage{{Account: tAcct, Region: tEast, Kinds: []string{"notebook-instance", rules.KeyKind}}}}
	o := func(s history.Subject, st finding.Status) history.Observation {
		return history.Observation{Subject: s, Status: st, Severity: finding.High}
	}

	states := map[string]history.State{}
	var nextID int64
	apply := func(at time.Time, sc history.Scope, obs ...history.Observation) history.Change {
		nextID++
		ch := history.Advance(states, history.Run{ID: nextID, At: at, Scope: sc}, obs)
		for _, s := range ch.States {
			states[s.Fingerprint] = s
		}
		return ch
	}
	fps := func(ch history.Change) (changed, opened, closed []string) {
		for _, s := range ch.States {
			changed = append(changed, s.ResourceARN+" "+s.CheckID)
		}
		for _, e := range ch.Opened {
			opened = append(opened, e.Fingerprint)
		}
		for _, e := range ch.Closed {
			closed = append(closed, e.Fingerprint+" "+string(e.Resolution))
		}
		return
	}

	apply(t0, full, o(a, finding.Fail), o(b, finding.Fail), o(rot, finding.Fail), o(pol, finding.Fail))

	for _, tc := range []struct {
		name    string
		sc      history.Scope
		obs     []history.Observation
		changed []history.Subject // the states the run must change, nothing else
		opened  []history.Subject
		closed  map[history.Subject]history.Resolution
	}{
		{
			name: "named, not observed: gone", sc: targeted(a.ResourceARN),
			changed: []history.Subject{a},
			closed:  map[history.Subject]history.Resolution{a: history.ResolvedDeleted},
		},
		{
			name: "observing a key updates it; the key it did not observe stays", sc: targeted(b.ResourceARN, rot.ResourceARN),
			obs:     []history.Observation{o(b, finding.Fail), o(rot, finding.Pass)},
			changed: []history.Subject{b, rot},
			closed:  map[history.Subject]history.Resolution{rot: history.ResolvedPassed},
		},
		{
			name: "a new failing resource opens a violation", sc: targeted(c.ResourceARN),
			obs:     []history.Observation{o(c, finding.Fail)},
			changed: []history.Subject{c}, opened: []history.Subject{c},
		},
		{
			name: "named in another case and passing: resolved as passed", sc: targeted(strings.ToUpper(c.ResourceARN)),
			obs:     []history.Observation{o(c, finding.Pass)},
			changed: []history.Subject{c},
			closed:  map[history.Subject]history.Resolution{c: history.ResolvedPassed},
		},
		{
			name: "named in another case, not observed: gone", sc: targeted(strings.ToUpper(c.ResourceARN)),
			changed: []history.Subject{c},
		},
		{
			name: "named gone again changes nothing", sc: targeted(a.ResourceARN),
		},
	} {
		before := map[string]history.State{}
		for k, v := range states {
			before[k] = v
		}
		at := t0.Add(time.Duration(nextID) * time.Hour)
		ch := apply(at, tc.sc, tc.obs...)
		changed, opened, closed := fps(ch)
		var wantChanged, wantOpened, wantClosed []string
		for _, s := range tc.changed {
			wantChanged = append(wantChanged, s.ResourceARN+" "+s.CheckID)
		}
		for _, s := range tc.opened {
			wantOpened = append(wantOpened, s.Fingerprint())
		}
		for s, how := range tc.closed {
			wantClosed = append(wantClosed, s.Fingerprint()+" "+string(how))
		}
		if !sameSet(changed, wantChanged) || !sameSet(opened, wantOpened) || !sameSet(closed, wantClosed) {
			t.Errorf("%s: changed %v opened %v closed %v; want %v, %v, %v",
				tc.name, changed, opened, closed, wantChanged, wantOpened, wantClosed)
		}
		// Whatever the run did not change keeps its state exactly.
		for fp, old := range before {
			if ch := states[fp]; !contains(changed, ch.ResourceARN+" "+ch.CheckID) && !sameState(old, ch) {
				t.Errorf("%s: %s %s changed without being reported: %+v -> %+v", tc.name, old.ResourceARN, old.CheckID, old, ch)
			}
		}
		// What was named and not observed is gone at this run; what was
		// observed was last seen at it.
		for _, s := range tc.changed {
			st := states[s.Fingerprint()]
			observed := false
			for _, ob := range tc.obs {
				observed = observed || ob.Fingerprint() == s.Fingerprint()
			}
			switch {
			case observed && (!st.LastSeen.Equal(at) || !st.Gone.IsZero()):
				t.Errorf("%s: observed %s: last seen %v, gone %v", tc.name, s.ResourceARN, st.LastSeen, st.Gone)
			case !observed && (!st.Gone.Equal(at) || st.LastSeen.Equal(at)):
				t.Errorf("%s: unobserved %s: last seen %v, gone %v", tc.name, s.ResourceARN, st.LastSeen, st.Gone)
			}
		}
	}

	// At the end: a was deleted, b and the policy key kept their open
	// violations from the scan, the rotation key passed, c was deleted.
	for s, want := range map[history.Subject]struct {
		open bool
		res  history.Resolution
	}{
		a: {false, history.ResolvedDeleted}, b: {true, ""}, pol: {true, ""},
		rot: {false, history.ResolvedPassed}, c: {false, history.ResolvedPassed},
	} {
		st := states[s.Fingerprint()]
		if st.Open() != want.open || st.Resolution != want.res {
			t.Errorf("%s %s: open %v resolution %q; want %v %q", s.ResourceARN, s.CheckID, st.Open(), st.Resolution, want.open, want.res)
		}
	}
	if st := states[pol.Fingerprint()]; !st.LastSeen.Equal(t0) || !st.Gone.IsZero() {
		t.Errorf("unobserved key finding touched by targeted checks: %+v", st)
	}
}

// withJobs adds the training-job check and a --since window to sc: a
// targeted check described the named job itself, so the window does not
// matter.
func withJobs(sc history.Scope, since time.Time) history.Scope {
	sc.Checks = append(sc.Checks, "training-job.cmk")
	sc.Since = since
	return sc
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	count := map[string]int{}
	for _, x := range a {
		count[x]++
	}
	for _, x := range b {
		count[x]--
	}
	for _, n := range count {
		if n != 0 {
			return false
		}
	}
	return true
}

func contains(s []string, x string) bool {
	for _, y := range s {
		if y == x {
			return true
		}
	}
	return false
}

func sameState(a, b history.State) bool {
	return a.Fingerprint == b.Fingerprint && a.Status == b.Status && a.LastSeen.Equal(b.LastSeen) && a.LastRun == b.LastRun &&
		a.Gone.Equal(b.Gone) && a.OpenedAt.Equal(b.OpenedAt) && a.ResolvedAt.Equal(b.ResolvedAt) && a.Resolution == b.Resolution
}
