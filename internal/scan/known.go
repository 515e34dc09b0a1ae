package scan

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/sagekey/sagekey/internal/catalog"
	"github.com/sagekey/sagekey/internal/collect"
	"github.com/sagekey/sagekey/internal/inventory"
	"github.com/sagekey/sagekey/internal/store"
)

// KnownStore keeps immutable records between scans so a re-scan describes
// only what is new. *store.Store satisfies it.
type KnownStore interface {
	KnownRecords(ctx context.Context, account, region, kind string) (map[string]inventory.Resource, error)
	KnownWindow(ctx context.Context, account, region, kind string) (store.KnownWindow, bool, error)
	SaveKnown(ctx context.Context, records []inventory.Resource, windows []store.KnownWindow) error
}

var _ KnownStore = (*store.Store)(nil)

// knownRecords serves a KnownStore to the collectors (collect.Known) and
// remembers what it served, so the scan stores only what is new and
// extends only the windows it relied on.
type knownRecords struct {
	store KnownStore
	// read is false for --full: nothing is served, everything is stored.
	read bool

	mu     sync.Mutex
	served map[string]servedRecord // ARN → what was handed out
	from   map[windowKey]time.Time
}

type windowKey struct{ account, region, kind string }

// servedRecord is what a stored record handed to a collector said.
type servedRecord struct {
	createdAt time.Time
	// roles: it recorded execution roles (or why they are unknown).
	roles bool
}

// hasRoles says whether r records its execution roles or why they are
// unknown; records stored by older releases do neither.
func hasRoles(r inventory.Resource) bool { return len(r.ExecutionRoles) > 0 || r.RolesUnknown != "" }

func newKnownRecords(s KnownStore, read bool) *knownRecords {
	return &knownRecords{store: s, read: read, served: map[string]servedRecord{}, from: map[windowKey]time.Time{}}
}

// Records implements collect.Known.
func (k *knownRecords) Records(ctx context.Context, t collect.Target, kind string) (map[string]inventory.Resource, error) {
	records, err := k.store.KnownRecords(ctx, t.Account, t.Region, kind)
	if err != nil {
		return nil, err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	for arn, r := range records {
		k.served[arn] = servedRecord{createdAt: r.CreatedAt, roles: hasRoles(r)}
	}
	return records, nil
}

// CompleteBefore implements collect.Known. A stored window counts only if
// it reaches back as far as this scan does: records older than its start
// were never stored.
func (k *knownRecords) CompleteBefore(ctx context.Context, t collect.Target, kind string) (time.Time, bool) {
	w, ok, err := k.store.KnownWindow(ctx, t.Account, t.Region, kind)
	if err != nil {
		slog.WarnContext(ctx, "stored listing window unreadable; listing all of it", "kind", kind, "error", err)
		return time.Time{}, false
	}
	if !ok || (!w.From.IsZero() && (t.Since.IsZero() || t.Since.Before(w.From))) {
		return time.Time{}, false
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	k.from[windowKey{t.Account, t.Region, kind}] = w.From
	return w.Until, true
}

// known is what collectors get: nil for --full, so they describe everything.
func (k *knownRecords) known() collect.Known {
	if k == nil || !k.read {
		return nil
	}
	return k
}

// toStore picks the records worth keeping (immutable, fully read, not
// already stored as they are) and the windows this scan completed: for
// every immutable kind whose collector finished without a gap and whose
// records were all fully read, every record created since the window's
// start is now stored. A kind with a record that could not be stored gets
// no window, since a later Search would take the window's word for it and
// never see that record again.
func (k *knownRecords) toStore(inv inventory.Inventory, outcomes []collect.Outcome, since, started time.Time) ([]inventory.Resource, []store.KnownWindow) {
	k.mu.Lock()
	defer k.mu.Unlock()
	var records []inventory.Resource
	incomplete := map[windowKey]bool{}
	for _, r := range inv.Resources {
		if !reusable(r) {
			incomplete[windowKey{r.Account, r.Region, r.Kind}] = true
			continue
		}
		// A served record that comes back with execution roles it lacked
		// was described again (stored before roles were recorded): store it
		// so later scans reuse it instead of describing it every time.
		if was, ok := k.served[r.ARN]; ok && was.createdAt.Equal(r.CreatedAt) && (was.roles || !hasRoles(r)) {
			continue
		}
		records = append(records, r)
	}
	var windows []store.KnownWindow
	for _, o := range outcomes {
		if !o.Complete {
			continue
		}
		for _, kind := range o.Job.Collector.Kinds() {
			key := windowKey{o.Job.Target.Account, o.Job.Target.Region, kind}
			if c, ok := catalog.Lookup(kind); !ok || !c.Immutable || incomplete[key] {
				continue
			}
			from, relied := k.from[key]
			if !relied {
				from = since
			}
			windows = append(windows, store.KnownWindow{
				Account: o.Job.Target.Account, Region: o.Job.Target.Region, Kind: kind, From: from, Until: started,
			})
		}
	}
	return records, windows
}

// reusable says whether a later scan may use r instead of describing it:
// an immutable kind, identified by ARN and creation time, with every slot
// and its tags read. A record with an unreadable part is described again.
func reusable(r inventory.Resource) bool {
	c, ok := catalog.Lookup(r.Kind)
	if !ok || !c.Immutable || r.ARN == "" || r.CreatedAt.IsZero() || r.TagsError != "" {
		return false
	}
	for _, s := range r.Slots {
		if s.Unknown != "" {
			return false
		}
	}
	return true
}
