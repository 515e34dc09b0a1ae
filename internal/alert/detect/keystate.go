package detect

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/sagekey/sagekey/internal/finding"
)

// keyKind and keyStateCheck mirror internal/rules (KeyKind, KeyState);
// importing rules would pull the KMS resolver and the AWS SDK into a pure
// package.
const (
	keyKind       = "kms-key"
	keyStateCheck = "kms-key.state"
)

// down reports whether a key state makes the data it protects unreadable
// or about to be lost. PendingReplicaDeletion counts as pending deletion,
// as it does in the kms-key.state rule.
func down(state string) bool {
	return state == "Disabled" || state == "PendingDeletion" || state == "PendingReplicaDeletion"
}

// keyStateChanges raises one event per key that is down in cur and was in
// another known state in prev. A key that stays down raises nothing; one
// that was unknown in prev (new, out of scope, not described) is left to
// the kms-key.state violation. It also returns the keys that changed, so
// the violations they cause are not alerted twice.
func keyStateChanges(prev, cur Input) ([]Event, map[string]bool) {
	var out []Event
	changed := map[string]bool{}
	for _, arn := range slices.Sorted(maps.Keys(cur.KeyStates)) {
		to, from := cur.KeyStates[arn], prev.KeyStates[arn]
		if !down(to) || from == "" || from == to {
			continue
		}
		changed[arn] = true
		out = append(out, keyEvent(cur, arn, from, to))
	}
	return out, changed
}

func keyEvent(cur Input, arn, from, to string) Event {
	f, ok := keyFinding(cur.Findings, arn)
	e := Event{
		Kind: KeyStateChanged, At: cur.At, RunID: cur.RunID,
		Resource: finding.Resource{ARN: arn, Kind: keyKind}, CheckID: keyStateCheck,
		FromState: from, ToState: to,
		Severity: finding.High,
	}
	if to != "Disabled" {
		e.Severity = finding.Critical // as kms-key.state rates pending deletion
	}
	e.Resource.Region, e.Resource.Account = arnPlace(arn)
	if ok {
		e.Resource = f.Resource
		e.BlastRadius = slices.Clone(f.Protects)
		if f.CheckID == keyStateCheck && f.Status == finding.Fail {
			e.Severity = f.Severity // honours severity overrides
		}
	}
	e.Account, e.Region = e.Resource.Account, e.Resource.Region
	e.Message = fmt.Sprintf("key %s went from %s to %s: %s", arn, from, to, radius(e.BlastRadius))
	// The new state is part of the subject: Disabled then PendingDeletion
	// are two changes, and each alerts once.
	e.Key = eventKey(KeyStateChanged, cur.RunID, arn+"\x00"+to)
	return e
}

// keyFinding picks the key's kms-key.state finding, else any kms-key
// finding on it (all carry the blast radius), by check id for stability.
func keyFinding(fs []finding.Finding, arn string) (finding.Finding, bool) {
	var best finding.Finding
	found := false
	for _, f := range fs {
		if f.Resource.Kind != keyKind || f.Resource.ARN != arn {
			continue
		}
		if f.CheckID == keyStateCheck {
			return f, true
		}
		if !found || f.CheckID < best.CheckID {
			best, found = f, true
		}
	}
	return best, found
}

func radius(rs []finding.Resource) string {
	switch len(rs) {
	case 0:
		return "it protects no resource the scan found"
	case 1:
		return "the data of 1 resource is at risk (" + rs[0].ARN + ")"
	}
	return fmt.Sprintf("the data of %d resources is at risk", len(rs))
}

// arnPlace reads region and account from a key ARN
// (arn:partition:kms:region:account:key/id) for when no finding names them.
func arnPlace(arn string) (region, account string) {
	p := strings.SplitN(arn, ":", 6)
	if len(p) < 6 {
		return "", ""
	}
	return p[3], p[4]
}
