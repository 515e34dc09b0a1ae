package serve

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/sagekey/sagekey/internal/events"
	"github.com/sagekey/sagekey/internal/inventory"
	"github.com/sagekey/sagekey/internal/keys"
	"github.com/sagekey/sagekey/internal/scan"
	"github.com/sagekey/sagekey/internal/trailscan"
)

// indexTTL is how long an event index is used before the store is asked
// whether a newer scan exists: events arrive many a second, scans hours
// apart.
const indexTTL = 30 * time.Second

// eventIndex is what the latest stored scan says that events do not: the
// ARN of a resource an event names only by name (so a deleted resource's
// findings can be found), the key a reference or alias resolves to, which
// resources each key protects, and each key's state before the event.
type eventIndex struct {
	runID     int64
	arns      map[string]string // nameKey → resource ARN
	keyRefs   map[string]string // canonical key reference → key ARN
	protects  map[string][]scan.Ref
	keyStates map[string]string
	gaps      []inventory.Gap
}

func nameKey(kind, account, region, name string) string {
	return kind + "\x00" + account + "\x00" + region + "\x00" + strings.ToLower(name)
}

// indexCache rebuilds the index when a newer scan is stored.
type indexCache struct {
	mu      sync.Mutex
	idx     *eventIndex
	checked time.Time
}

func (s *server) eventIndex(ctx context.Context) (*eventIndex, error) {
	c := &s.index
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.idx != nil && s.now().Sub(c.checked) < indexTTL {
		return c.idx, nil
	}
	runs, err := s.o.Store.Runs(ctx)
	if err != nil {
		return nil, err
	}
	c.checked = s.now()
	var latest int64
	if len(runs) > 0 {
		latest = runs[len(runs)-1].ID
	}
	if c.idx != nil && c.idx.runID == latest {
		return c.idx, nil
	}
	idx := &eventIndex{runID: latest, arns: map[string]string{}, keyRefs: map[string]string{},
		protects: map[string][]scan.Ref{}, keyStates: map[string]string{}}
	if latest != 0 {
		snap, err := s.o.Store.Snapshot(ctx, latest)
		if err != nil {
			return nil, err
		}
		for _, r := range snap.Inventory.Resources {
			idx.arns[nameKey(r.Kind, r.Account, r.Region, r.Name)] = r.ARN
		}
		idx.keyRefs = snap.KeyRefs
		for _, k := range snap.Keys {
			idx.keyStates[k.ARN] = k.State
		}
		idx.gaps = snap.Inventory.Gaps
		for arn, resources := range trailscan.EstateOf(snap).Protects {
			for _, r := range resources {
				idx.protects[arn] = append(idx.protects[arn], refOfStored(r.Kind, r.Account, r.Region, r.Name, r.ARN))
			}
		}
	}
	c.idx = idx
	return idx, nil
}

// refOfStored names a stored resource for a check. Stored user profiles
// are named "<domain id>/<profile>", which a check takes apart again.
func refOfStored(kind, account, region, name, arn string) scan.Ref {
	ref := scan.Ref{Account: account, Region: region}
	ref.Kind, ref.Name, ref.ARN = kind, name, arn
	if kind == "user-profile" {
		if parent, profile, ok := strings.Cut(name, "/"); ok {
			ref.Parent, ref.Name = parent, profile
		}
	}
	return ref
}

// resourceRef is the check of the resource t names. Its ARN is the
// event's, else the stored resource's of that name, else one built from
// the name, so the findings of a resource found deleted resolve.
func (idx *eventIndex) resourceRef(t events.Target, partition string) scan.Ref {
	ref := scan.Ref{Account: t.Account, Region: t.Region}
	ref.Kind, ref.Name, ref.Parent, ref.ARN = t.Kind, t.Name, t.Parent, t.ARN
	if ref.ARN != "" {
		return ref
	}
	name := t.Name
	if t.Parent != "" {
		name = t.Parent + "/" + t.Name
	}
	if arn, ok := idx.arns[nameKey(t.Kind, t.Account, t.Region, name)]; ok {
		ref.ARN = arn
		return ref
	}
	ref.ARN = t.ResourceARN(partition)
	return ref
}

// keyARN is the key a KMS event names: its ARN, or what the reference
// (key ID, alias) resolved to in the latest scan. "" when no stored
// resource uses it: then nothing sagekey judges depends on the key.
func (idx *eventIndex) keyARN(t events.Target) string {
	for _, raw := range []string{t.ARN, t.Name} {
		if raw == "" {
			continue
		}
		ref := keys.ParseRef(raw, t.Account, t.Region)
		if arn, ok := idx.keyRefs[ref.Canonical()]; ok {
			return arn
		}
		if _, ok := idx.protects[raw]; ok {
			return raw
		}
	}
	return ""
}
