package detect

import (
	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/history"
)

// violations raises one event per violation cur opened or reopened at or
// above minSev. history.Advance has already decided what is new, so a
// violation that stays open never raises another.
//
// A violation caused only by a key whose state change is alerted is folded
// into that key's event (its resource is in the blast radius): disabling
// one key is one change and raises one alert, not one per resource.
func violations(cur Input, minSev finding.Severity, changedKeys map[string]bool) []Event {
	byFP := make(map[string]finding.Finding, len(cur.Findings))
	for i, o := range history.Observe(cur.Findings, nil) {
		if _, dup := byFP[o.Fingerprint()]; !dup {
			byFP[o.Fingerprint()] = cur.Findings[i]
		}
	}
	var out []Event
	for _, ep := range cur.Episodes {
		if ep.OpenedRun != cur.RunID || ep.Severity < minSev {
			continue
		}
		f, ok := byFP[ep.Fingerprint]
		if ok && causedBy(f, changedKeys) {
			continue
		}
		out = append(out, violation(cur, ep, f, ok))
	}
	return out
}

func violation(cur Input, ep history.Episode, f finding.Finding, ok bool) Event {
	kind, verb := ViolationOpened, "new violation"
	if ep.Reopen {
		kind, verb = ViolationReopened, "violation reopened"
	}
	e := Event{
		Kind: kind, Severity: ep.Severity, At: cur.At, RunID: cur.RunID,
		Fingerprint: ep.Fingerprint, Key: eventKey(kind, cur.RunID, ep.Fingerprint),
	}
	if !ok {
		// The findings given do not include it (say, re-evaluated under a
		// newer suppression): still alert, since history opened it.
		e.Message = verb + " " + ep.Fingerprint
		return e
	}
	e.Resource, e.CheckID = f.Resource, f.CheckID
	e.Account, e.Region = f.Resource.Account, f.Resource.Region
	e.Message = verb + ": " + f.CheckID + " on " + name(f.Resource) + ": " + f.Message
	return e
}

// causedBy reports whether f fails only because of keys in changed: the
// key's own kms-key.state finding, or a resource whose every failing slot
// uses such a key.
func causedBy(f finding.Finding, changed map[string]bool) bool {
	if len(changed) == 0 {
		return false
	}
	if f.Resource.Kind == keyKind {
		return f.CheckID == keyStateCheck && changed[f.Resource.ARN]
	}
	failing := 0
	for _, s := range f.Slots {
		if s.Status != finding.Fail {
			continue
		}
		if !changed[s.KeyARN] {
			return false
		}
		failing++
	}
	return failing > 0
}

func name(r finding.Resource) string {
	if r.Name != "" {
		return r.Name
	}
	return r.ARN
}
