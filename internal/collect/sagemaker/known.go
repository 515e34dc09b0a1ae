package sagemaker

import (
	"context"
	"log/slog"
	"time"

	"github.com/sagekey/sagekey/internal/catalog"
	"github.com/sagekey/sagekey/internal/collect"
	"github.com/sagekey/sagekey/internal/inventory"
)

// knownSet is the records earlier scans stored for one kind and target.
type knownSet struct {
	records map[string]inventory.Resource // by ARN
	// dropped counts stored records left out because they predate
	// execution roles: the store no longer covers its window completely.
	dropped int
}

// knownRecords loads the stored records of kind in t. Only immutable kinds
// are reused; when the store cannot be read the scan describes everything,
// which costs calls but never correctness. A record stored before
// collectors recorded execution roles is left out, so it is described
// again rather than reused without its roles.
func knownRecords(ctx context.Context, t collect.Target, kind string) knownSet {
	if t.Known == nil {
		return knownSet{}
	}
	if k, ok := catalog.Lookup(kind); !ok || !k.Immutable {
		return knownSet{}
	}
	records, err := t.Known.Records(ctx, t, kind)
	if err != nil {
		logger(t).WarnContext(ctx, "stored records unreadable; describing every record",
			slog.String("kind", kind), slog.Any("error", err))
		return knownSet{}
	}
	if records == nil {
		return knownSet{} // nothing stored: as before, no window is trusted
	}
	set := knownSet{records: make(map[string]inventory.Resource, len(records))}
	for arn, r := range records {
		if storedWithoutRoles(kind, r) {
			set.dropped++
			continue
		}
		set.records[arn] = r
	}
	if set.dropped > 0 {
		logger(t).InfoContext(ctx, "stored records predate execution roles; describing them again",
			slog.String("kind", kind), slog.Int("records", set.dropped))
	}
	return set
}

// match returns the stored record of a listed resource, when there is one
// with the same ARN and creation time. Its tags are cleared: tags can change
// on an immutable record, so they are read again.
func (k knownSet) match(item listed) (inventory.Resource, bool) {
	r, ok := k.records[item.arn]
	if !ok || item.createdAt.IsZero() || !r.CreatedAt.Equal(item.createdAt) {
		return inventory.Resource{}, false
	}
	r.Tags, r.TagsError = nil, ""
	return r, true
}

// createdAfter turns a --since bound into a List call's CreationTimeAfter.
// That filter is exclusive, so it is set a second early lest a job created
// exactly at since be lost; the scan trims the extra second afterwards.
func createdAfter(since time.Time) *time.Time {
	if since.IsZero() {
		return nil
	}
	t := since.Add(-time.Second)
	return &t
}
