package sagemaker

import (
	"context"
	"log/slog"
	"maps"
	"time"

	"github.com/sagekey/sagekey/internal/catalog"
	"github.com/sagekey/sagekey/internal/collect"
	"github.com/sagekey/sagekey/internal/inventory"
)

// knownSet is what earlier scans stored of one kind in one target. It
// holds no record: a job history's records are read from the store as
// they are needed (each, or a page of lookups) and handed on.
type knownSet struct {
	src  collect.Known // nil: nothing is reused
	t    collect.Target
	kind string
	// stored counts the records the store holds.
	stored int
	// dropped counts stored records left out because they predate
	// execution roles: the store no longer covers its window completely.
	dropped int
}

// knownRecords reads through the stored records of kind in t once, to
// count them and those that predate execution roles. Only immutable kinds
// are reused; when the store cannot be read the scan describes everything,
// which costs calls but never correctness. A record stored before
// collectors recorded execution roles is left out, so it is described
// again rather than reused without its roles.
//
// Only collectors that take stored records wholesale (each) and trust the
// store's window need the count; a listing looks its items up instead
// (storedRecords), without reading the whole history first.
func knownRecords(ctx context.Context, t collect.Target, kind string) knownSet {
	set := storedRecords(t, kind)
	if set.src == nil {
		return set
	}
	for r, err := range t.Known.Records(ctx, t, kind) {
		if err != nil {
			logger(t).WarnContext(ctx, "stored records unreadable; describing every record",
				slog.String("kind", kind), slog.Any("error", err))
			return knownSet{}
		}
		set.stored++
		if storedWithoutRoles(kind, r) {
			set.dropped++
		}
	}
	if set.dropped > 0 {
		logger(t).InfoContext(ctx, "stored records predate execution roles; describing them again",
			slog.String("kind", kind), slog.Int("records", set.dropped))
	}
	return set
}

// storedRecords is the store of kind in t, unread: a listing looks up
// its items a page at a time (lookup). Nil src when nothing is reused.
func storedRecords(t collect.Target, kind string) knownSet {
	if t.Known == nil || !catalog.IsImmutable(kind) {
		return knownSet{}
	}
	return knownSet{src: t.Known, t: t, kind: kind}
}

// trusted says whether the store's window of this kind may stand in for
// listing it: the store could be read and left no record out.
func (k knownSet) trusted() bool { return k.src != nil && k.dropped == 0 }

// each calls emit with every usable stored record of a counted set
// (knownRecords). A store that fails part way is a gap: the records not
// yet read are unseen.
func (k knownSet) each(ctx context.Context, sink collect.Sink, emit func(inventory.Resource)) {
	if k.stored == 0 {
		return
	}
	for r, err := range k.src.Records(ctx, k.t, k.kind) {
		if err != nil {
			reason := "reading stored records: " + err.Error()
			logger(k.t).WarnContext(ctx, "stored records unreadable part way; recording a gap", slog.String("kind", k.kind), slog.String("reason", reason))
			sink.Gap(gapFor(k.t, "sagekey:stored-records", reason))
			return
		}
		if !storedWithoutRoles(k.kind, r) {
			emit(r)
		}
	}
}

// lookup returns the usable stored records of items, by ARN. A failed
// lookup reuses nothing: those items are described.
func (k knownSet) lookup(ctx context.Context, items []listed) storedPage {
	if k.src == nil || len(items) == 0 {
		return nil
	}
	arns := make([]string, 0, len(items))
	for _, item := range items {
		if item.arn != "" {
			arns = append(arns, item.arn)
		}
	}
	records, err := k.src.Lookup(ctx, k.t, k.kind, arns)
	if err != nil {
		logger(k.t).WarnContext(ctx, "stored records unreadable; describing them",
			slog.String("kind", k.kind), slog.Int("records", len(arns)), slog.Any("error", err))
		return nil
	}
	before := len(records)
	maps.DeleteFunc(records, func(_ string, r inventory.Resource) bool { return storedWithoutRoles(k.kind, r) })
	if dropped := before - len(records); dropped > 0 {
		logger(k.t).InfoContext(ctx, "stored records predate execution roles; describing them again",
			slog.String("kind", k.kind), slog.Int("records", dropped))
	}
	return records
}

// storedPage is the stored records of one page of listed items, by ARN.
type storedPage map[string]inventory.Resource

// match returns the stored record of a listed resource, when there is one
// with the same ARN and creation time. Its tags are cleared: tags can change
// on an immutable record, so they are read again.
func (p storedPage) match(item listed) (inventory.Resource, bool) {
	r, ok := p[item.arn]
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
