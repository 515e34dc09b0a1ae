package scan

import (
	"context"
	"iter"
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
	KnownRecords(ctx context.Context, account, region, kind string) iter.Seq2[inventory.Resource, error]
	KnownRecordsByARN(ctx context.Context, account, region, kind string, arns []string) (map[string]inventory.Resource, error)
	KnownWindow(ctx context.Context, account, region, kind string) (store.KnownWindow, bool, error)
	SaveKnown(ctx context.Context, records []*inventory.Resource, windows []store.KnownWindow) error
}

var _ KnownStore = (*store.Store)(nil)

// knownRecords serves a KnownStore to the collectors (collect.Known) and
// remembers which windows they relied on, so the scan extends only those.
type knownRecords struct {
	store KnownStore
	// read is false for --full: nothing is served, everything is read.
	read bool

	mu   sync.Mutex
	from map[windowKey]time.Time
}

type windowKey struct{ account, region, kind string }

// hasRoles says whether r records its execution roles or why they are
// unknown; records stored by older releases do neither.
func hasRoles(r inventory.Resource) bool { return len(r.ExecutionRoles) > 0 || r.RolesUnknown != "" }

func newKnownRecords(s KnownStore, read bool) *knownRecords {
	return &knownRecords{store: s, read: read, from: map[windowKey]time.Time{}}
}

// Records implements collect.Known.
func (k *knownRecords) Records(ctx context.Context, t collect.Target, kind string) iter.Seq2[inventory.Resource, error] {
	return k.store.KnownRecords(ctx, t.Account, t.Region, kind)
}

// Lookup implements collect.Known.
func (k *knownRecords) Lookup(ctx context.Context, t collect.Target, kind string, arns []string) (map[string]inventory.Resource, error) {
	return k.store.KnownRecordsByARN(ctx, t.Account, t.Region, kind, arns)
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
func (k *knownRecords) toStore(ctx context.Context, inv inventory.Inventory, outcomes []collect.Outcome, since, started time.Time) ([]*inventory.Resource, []store.KnownWindow) {
	k.mu.Lock()
	defer k.mu.Unlock()
	var candidates []*inventory.Resource // into the inventory: a first scan stores every job
	incomplete := map[windowKey]bool{}
	for i := range inv.Resources {
		r := &inv.Resources[i]
		if !reusable(*r) {
			incomplete[windowKey{r.Account, r.Region, r.Kind}] = true
			continue
		}
		candidates = append(candidates, r)
	}
	records := k.notStored(ctx, candidates)
	var windows []store.KnownWindow
	for _, o := range outcomes {
		if !o.Complete {
			continue
		}
		for _, kind := range o.Job.Collector.Kinds() {
			key := windowKey{o.Job.Target.Account, o.Job.Target.Region, kind}
			if !catalog.IsImmutable(kind) || incomplete[key] {
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

// notStored is records less those the store already holds as they are.
// A stored record that lacked execution roles this one has is replaced,
// or every later scan would describe it again. The store is asked a page
// at a time, per account, region and kind; when it cannot answer, the
// page is stored again, which costs writes, never records.
func (k *knownRecords) notStored(ctx context.Context, records []*inventory.Resource) []*inventory.Resource {
	out := records[:0]
	for len(records) > 0 {
		first := records[0]
		n := 1
		for n < len(records) && n < knownLookupPage && sameWindow(records[n], first) {
			n++
		}
		page := records[:n]
		records = records[n:]
		arns := make([]string, len(page))
		for i, r := range page {
			arns[i] = r.ARN
		}
		stored, err := k.store.KnownRecordsByARN(ctx, first.Account, first.Region, first.Kind, arns)
		if err != nil {
			slog.WarnContext(ctx, "stored records unreadable; storing them again", "kind", first.Kind, "records", len(page), "error", err)
		}
		for _, r := range page {
			if was, ok := stored[r.ARN]; ok && was.CreatedAt.Equal(r.CreatedAt) && (hasRoles(was) || !hasRoles(*r)) {
				continue
			}
			out = append(out, r)
		}
	}
	return out
}

// knownLookupPage is how many records notStored asks the store about at once.
const knownLookupPage = 1000

func sameWindow(a, b *inventory.Resource) bool {
	return a.Account == b.Account && a.Region == b.Region && a.Kind == b.Kind
}

// reusable says whether a later scan may use r instead of describing it:
// an immutable kind, identified by ARN and creation time, with every slot
// and its tags read. A record with an unreadable part is described again.
func reusable(r inventory.Resource) bool {
	if !catalog.IsImmutable(r.Kind) || r.ARN == "" || r.CreatedAt.IsZero() || r.TagsError != "" {
		return false
	}
	for _, s := range r.Slots {
		if s.Unknown != "" {
			return false
		}
	}
	return true
}
