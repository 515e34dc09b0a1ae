package sagemaker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"
	"time"

	sm "github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"golang.org/x/sync/errgroup"

	"github.com/sagekey/sagekey/internal/awserr"
	"github.com/sagekey/sagekey/internal/collect"
	"github.com/sagekey/sagekey/internal/inventory"
)

// describeConcurrency bounds the Describe calls in flight per kind and
// region. SageMaker's per-API rate limits are low; more parallelism only
// buys throttling.
const describeConcurrency = 8

// listed is what a List call says about one resource: enough to report the
// resource when its Describe fails.
type listed struct {
	name      string
	arn       string
	createdAt time.Time
	// parent is the scope name is unique in, when Describe needs it and the
	// kind's listing does not record it otherwise: the category of a
	// model-customization job named by an event (see onlyListed).
	parent string
	// tags are the resource's tags when the listing returned them (a
	// Search record; nil for none, as readTags gives it) and tagsRead says
	// it did: describeItems then reads no tags of its own.
	tags     map[string]string
	tagsRead bool
}

// kindSpec is one list-then-describe resource kind. The per-kind files
// supply the calls; collectKind owns the error handling so every kind
// treats failures the same way.
type kindSpec struct {
	kind       string // catalog kind id
	listOp     string // e.g. "sagemaker:ListNotebookInstances", names gaps
	describeOp string // e.g. "sagemaker:DescribeNotebookInstance", names unreadable slots
	source     string // provenance of a described resource
	// list returns every listed resource, or what it listed before failing.
	// Job kinds ask only for jobs created after since (zero: all).
	list func(ctx context.Context, since time.Time) ([]listed, error)
	// describe reads one resource's slots. Kind, account, region and source
	// are filled in by collectKind, and tags too unless describe set them.
	describe func(ctx context.Context, item listed) (inventory.Resource, error)
	// reuse, when set, is told about each record taken from an earlier
	// scan instead of being described.
	reuse func(inventory.Resource)
}

// collectKind lists a kind, describes each item with bounded concurrency and
// sends the results to sink.
//
//   - List fails: a gap for the List call. Items listed before the failure
//     are still described; the gap already marks the kind incomplete.
//   - Describe says the item is gone (deleted since List): skipped.
//   - Describe fails otherwise: the resource is still reported, since we
//     know it exists, with an unreadable slot so its verdict is ERROR and
//     never PASS, and the failure is a gap as well.
//   - The kind is immutable and an earlier scan stored the record with the
//     same ARN and creation time: the stored record is used and only its
//     tags are read again.
//   - The kind runs as a role its Create call requires and Describe shows
//     none (or Describe failed): RolesUnknown says why, so a key-access
//     verdict is ERROR rather than "runs as no role".
//
// When t.Only is set, nothing is listed and no stored record is used: the
// kind's refs in it (see onlyListed) are described afresh, with the same
// handling of failures, and a kind with none makes no call at all.
//
// It returns an error only when ctx ends; a panic in a worker is re-raised
// on the caller's goroutine (see forEach).
func collectKind(ctx context.Context, api TagsAPI, t collect.Target, sink collect.Sink, spec kindSpec) error {
	if t.Only != nil {
		// Nothing was listed: a resource that cannot be described is known
		// only from the Describe call it was named in.
		return describeItems(ctx, api, t, sink, spec, knownSet{}, onlyListed(t, spec.kind), spec.describeOp)
	}
	known := storedRecords(t, spec.kind)
	items, err := spec.list(ctx, t.Since)
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		reason := awserr.Reason(spec.listOp, err)
		logger(t).WarnContext(ctx, "listing failed; recording a gap",
			slog.String("kind", spec.kind), slog.String("reason", reason), slog.Int("listed", len(items)))
		sink.Gap(gapFor(t, spec.listOp, reason))
	}
	return describeItems(ctx, api, t, sink, spec, known, items, spec.listOp)
}

// describeItems is collectKind after its listing: it describes items (or
// takes them from known) and sends the results to sink. unreadableSource is
// the provenance of a resource that could not be described: what named it.
func describeItems(ctx context.Context, api TagsAPI, t collect.Target, sink collect.Sink, spec kindSpec,
	known knownSet, items []listed, unreadableSource string) error {
	// Stored records are looked up a page at a time, so a re-scan of a
	// large history holds one page of them, not all.
	for len(items) > 0 {
		page := items[:min(len(items), storedLookupPage)]
		items = items[len(page):]
		if err := describePage(ctx, api, t, sink, spec, known.lookup(ctx, page), page, unreadableSource); err != nil {
			return err
		}
		clear(page) // the sink has what it needs; a long listing's names need not wait for its end
	}
	return nil
}

// storedLookupPage is how many listed items describeItems looks up in the
// store at once: five List pages. Each region's processing-job collector
// holds one page of stored records as it decodes them; at 1,000 the
// three regions' pages held 7.5 MB at the peak of a 100,000-job re-scan.
// A smaller page costs one indexed query more per 500 records, and a wait
// for the page's slowest Describe every 500 in a first scan.
const storedLookupPage = 500

// describePage is describeItems for one page of items and their stored
// records.
func describePage(ctx context.Context, api TagsAPI, t collect.Target, sink collect.Sink, spec kindSpec,
	stored storedPage, items []listed, unreadableSource string) error {
	return forEach(ctx, items, func(ctx context.Context, item listed) error {
		res, reused := stored.match(item)
		var err error
		switch {
		case reused && spec.reuse != nil:
			spec.reuse(res)
		case !reused:
			res, err = spec.describe(ctx, item)
			if err == nil {
				res = requireRole(spec.kind, spec.describeOp, res)
			}
		}
		if err != nil {
			if ctxErr := ctx.Err(); ctxErr != nil {
				return ctxErr
			}
			if awserr.Classify(err) == awserr.NotFound {
				logger(t).DebugContext(ctx, "resource vanished before Describe; skipped",
					slog.String("kind", spec.kind), slog.String("name", item.name))
				return nil
			}
			reason := awserr.Reason(spec.describeOp, err)
			logger(t).WarnContext(ctx, "describe failed; reporting the resource as unreadable",
				slog.String("kind", spec.kind), slog.String("name", item.name), slog.String("reason", reason))
			// Also a gap: part of the estate could not be read, so the scan
			// is incomplete (exit status 1), not merely one ERROR finding.
			sink.Gap(gapFor(t, spec.describeOp, item.name+": "+reason))
			res = inventory.Resource{
				Source: unreadableSource,
				Slots:  []inventory.Slot{inventory.UnreadableSlot(reason)},
			}
			if runsAsRole(spec.kind) {
				// Without it a key-access check would read "runs as no role".
				res.RolesUnknown = reason
			}
		}
		if res.Source == "" {
			res.Source = spec.source
		}
		res = fillListed(res, item)
		switch {
		case res.Tags != nil: // Describe calls that return tags save a ListTags call
		case item.tagsRead: // so do listings that return them
			res.Tags = item.tags
		default:
			res.Tags, res.TagsError = resourceTags(ctx, api, t, res)
		}
		if res.TagsError != "" {
			sink.Gap(gapFor(t, "sagemaker:ListTags", res.Name+": "+res.TagsError))
		}
		if ctxErr := ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		emit(sink, t, spec.kind, res)
		return nil
	})
}

// fillListed completes a resource with what List said where Describe said
// nothing.
func fillListed(res inventory.Resource, item listed) inventory.Resource {
	if res.Name == "" {
		res.Name = item.name
	}
	if res.ARN == "" {
		res.ARN = item.arn
	}
	if res.CreatedAt.IsZero() {
		res.CreatedAt = item.createdAt
	}
	return res
}

func emit(sink collect.Sink, t collect.Target, kind string, res inventory.Resource) {
	res.Kind, res.Account, res.Region = kind, t.Account, t.Region
	sink.Resource(res)
}

func gapFor(t collect.Target, service, reason string) inventory.Gap {
	return inventory.Gap{Account: t.Account, Region: t.Region, Service: service, Reason: reason}
}

// logger tags log lines with the target, matching the attributes
// collect.Run uses, so one region's trouble can be filtered out of a scan log.
func logger(t collect.Target) *slog.Logger {
	return slog.With(slog.String("account", t.Account), slog.String("region", t.Region))
}

// pager is the shape shared by the SDK's generated paginators.
type pager[O any] interface {
	HasMorePages() bool
	NextPage(ctx context.Context, optFns ...func(*sm.Options)) (O, error)
}

// listPages drains a paginator, returning what it got before any error so
// the caller can still use a partial listing.
func listPages[O any](ctx context.Context, p pager[O], items func(O) []listed) ([]listed, error) {
	var out []listed
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return out, err
		}
		for _, it := range items(page) {
			// Cloned: the SDK decodes a page's strings into one block, and
			// a listing of 50,000 jobs would keep all its pages alive
			// through the names until the last Describe. A name that ends
			// its ARN is that end of the cloned ARN.
			it.arn, it.parent = strings.Clone(it.arn), strings.Clone(it.parent)
			it.name = collect.NameIn(it.arn, it.name)
			out = append(out, it)
		}
	}
	return out, nil
}

// forEach runs fn for every item, at most describeConcurrency at a time.
// fn returns an error only to stop everything (ctx ended); the first such
// error is returned.
func forEach[T any](ctx context.Context, items []T, fn func(context.Context, T) error) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(describeConcurrency)
	for _, item := range items {
		if gctx.Err() != nil {
			break
		}
		g.Go(func() (err error) {
			defer func() {
				if r := recover(); r != nil {
					err = &panicked{value: r, stack: debug.Stack()}
				}
			}()
			return fn(gctx, item)
		})
	}
	err := g.Wait()
	// errgroup does not carry panics across goroutines and an unrecovered
	// one would kill the whole scan; re-raise it here, on the collector's
	// goroutine, where collect.Run recovers it into a gap.
	var p *panicked
	if errors.As(err, &p) {
		slog.ErrorContext(ctx, "describe goroutine panicked", slog.Any("panic", p.value), slog.String("stack", string(p.stack)))
		panic(p)
	}
	if err == nil {
		err = ctx.Err() // the loop may have stopped early
	}
	return err
}

// panicked carries a panic value out of a worker goroutine.
type panicked struct {
	value any
	stack []byte
}

func (p *panicked) Error() string { return fmt.Sprint(p.value) }

// listPageSize is the page size asked of every List call: the API maximum
// for all of them. Left unset, several default to 10 per page, which would
// multiply the List calls of a large account by ten.
const listPageSize = 100
