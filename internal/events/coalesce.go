package events

import (
	"slices"
	"strings"
)

// Key identifies the resource or key a target is about, for coalescing:
// SageMaker names are unique without regard to case (their ARNs are
// lower-cased), so the key is too. A KMS key's alias events stay apart
// from its other events: an alias change matters to the resources that
// name the alias.
func (t Target) Key() string {
	id := t.Name
	if id == "" || t.Kind == KindKMSKey {
		id = t.ARN + "|" + t.Name
	}
	return strings.ToLower(strings.Join([]string{t.Kind, t.Account, t.Region, t.Parent, id}, "|"))
}

// Coalesce turns a burst of targets into one per resource (Key), so a
// resource created, updated and deleted within one batch is checked once.
// The latest event wins, so a delete wins over the creates and updates
// before it and a create after a delete (a resource recreated under its
// name) wins over the delete. Of two events in the same second (CloudTrail's
// resolution) a non-delete wins: the check then asks AWS, which knows
// whether the resource exists. The winner carries, in EventIDs, every
// event of its resource, sorted, for idempotency bookkeeping. Failed calls
// changed nothing and are dropped. The result is in the order each
// resource first appears in ts.
func Coalesce(ts []Target) []Target {
	var out []Target
	at := map[string]int{}
	for _, t := range ts {
		if t.Failed {
			continue
		}
		ids := eventIDs(t)
		k := t.Key()
		i, ok := at[k]
		if !ok {
			at[k] = len(out)
			t.EventIDs = ids
			out = append(out, t)
			continue
		}
		have := out[i]
		ids = append(ids, have.EventIDs...)
		if later(t, have) {
			have = t
		}
		slices.Sort(ids)
		have.EventIDs = slices.Compact(ids)
		out[i] = have
	}
	return out
}

// eventIDs is a fresh slice of the events t stands for.
func eventIDs(t Target) []string {
	ids := slices.Clone(t.EventIDs)
	if t.EventID != "" && !slices.Contains(ids, t.EventID) {
		ids = append(ids, t.EventID)
	}
	slices.Sort(ids)
	return ids
}

// later reports whether t replaces have as its resource's latest event.
// Ties are broken without regard to the order events arrived in, which SQS
// does not keep: a non-delete first, then the greater event ID.
func later(t, have Target) bool {
	if !t.Time.Equal(have.Time) {
		return t.Time.After(have.Time)
	}
	if t.Delete != have.Delete {
		return !t.Delete
	}
	return t.EventID > have.EventID
}
