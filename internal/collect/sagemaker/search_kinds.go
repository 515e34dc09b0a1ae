package sagemaker

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sm "github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/aws/smithy-go"

	"github.com/sagekey/sagekey/internal/awserr"
	"github.com/sagekey/sagekey/internal/collect"
	"github.com/sagekey/sagekey/internal/inventory"
)

// Hyper-parameter tuning jobs, model-customization jobs, feature groups and
// model cards are read with Search: one call per 100 records, each record
// carrying every field the kind's Describe is read for and the tags, where
// List + Describe + ListTags cost two calls per resource and, for
// customization jobs, one ListJobs listing per job category. The catalog
// records why each record suffices (internal/catalog/readpaths.go).
//
// Failures follow collectTraining: a first page denied or unsupported (no
// sagemaker:Search permission, a partition or emulator without the
// resource type, see searchUnavailable) falls back to the kind's List +
// Describe spec, whose tags come from ListTags or the tag index; a failure
// on a later page is a gap for sagemaker:Search, and the records read so far
// are still reported. An event-driven check (t.Only) names its resources:
// they are described, as Search cannot look them up any cheaper.
//
// Immutable kinds (the two job kinds, catalog Immutable and JobHistory) are
// read as training jobs are: newest first, stopping at the stored window
// (CompleteBefore less the Search lag, searchLagOf) or --since, stored
// records older than the cutoff reported from the store. The index lag is
// covered as for training jobs: the overlap of the Search lag means a job
// the last scan's Search did not show yet is read by this one.
//
// Mutable kinds (feature groups and model cards) are read to the end, in
// ascending creation order so a resource created while the pages are read
// lands on the last page. Their keys and role cannot change after creation
// (UpdateFeatureGroup changes neither store's key nor the role; a model
// card's key is fixed at creation), so a stale record still has the right
// slots: what the index lag can hide is a resource created moments ago. As
// for endpoints, one List page of the resources created since the Search
// lag before the collector started names them, and each one
// Search did not return is described. A resource deleted within the lag
// may be reported once more, as its record leaves the index. Tags changed
// within the lag show at the next scan, as with training jobs.

// searchKind is one kind read with Search.
type searchKind struct {
	kind     string
	resource types.ResourceType
	// fallback is the kind's List + Describe read: used when Search is
	// unavailable, for event checks, and to describe the records Search
	// cannot stand in for.
	fallback kindSpec
	// record reads the kind's entity of a Search record; ok is false when
	// the record holds none.
	record func(types.SearchRecord) (r searched, ok bool)
	// immutable kinds are read newest first down to the cutoff, with the
	// stored records below it; the others are read to the end.
	immutable bool
	// recent lists the resources created after since (mutable kinds): the
	// ones the index may not show yet.
	recent func(ctx context.Context, since time.Time) ([]listed, error)
}

// searched is one Search record, built as the kind's Describe builds it.
type searched struct {
	res     inventory.Resource // no Source, Tags or RolesUnknown yet
	tags    []types.Tag
	version int32 // a model card's version: the latest is kept
	// parent is what the fallback's Describe needs beside the name (a
	// customization job's category).
	parent string
	// describe says why the record cannot stand in for Describe, "" when
	// it can.
	describe string
}

// searchAPI is what collectSearch calls: Search, and ListTags for the
// resources it describes.
type searchAPI interface {
	TagsAPI
	Search(ctx context.Context, in *sm.SearchInput, optFns ...func(*sm.Options)) (*sm.SearchOutput, error)
}

// searchCollector runs one kind read with Search. The kind is built afresh
// for every run, as its fallback spec may keep per-run state.
func searchCollector(api searchAPI, name string, newKind func() searchKind) collect.Collector {
	return collector{
		name:  name,
		kinds: []string{newKind().kind},
		run: func(ctx context.Context, t collect.Target, sink collect.Sink) error {
			return collectSearch(ctx, api, t, sink, newKind())
		},
	}
}

// collectSearch reads k with Search (see the comment at the top of the file).
func collectSearch(ctx context.Context, api searchAPI, t collect.Target, sink collect.Sink, k searchKind) error {
	if t.Only != nil {
		return collectKind(ctx, api, t, sink, k.fallback)
	}
	started := time.Now() // before the first page: the recent listing covers what the index may lag
	var known knownSet
	var cutoff time.Time
	sortOrder := types.SearchSortOrderAscending
	if k.immutable {
		known = knownRecords(ctx, t, k.kind)
		cutoff = t.Since
		// Stored records that predate execution roles were left out of
		// known, so the store's window no longer covers them: Search reads
		// them again.
		if until, ok := completeBefore(ctx, t, k.kind); ok && known.trusted() {
			cutoff = later(cutoff, until.Add(-searchLagOf(t)))
		}
		sortOrder = types.SearchSortOrderDescending
	}
	p := sm.NewSearchPaginator(api, &sm.SearchInput{
		Resource:   k.resource,
		MaxResults: aws.Int32(searchPageSize),
		SortBy:     aws.String("CreationTime"),
		SortOrder:  sortOrder,
	})
	records := map[string]searched{} // by name: unique per account and region
	var names []string
	order := newestFirst{}
	failed := false
	for first := true; p.HasMorePages(); first = false {
		page, err := p.NextPage(ctx)
		if err != nil {
			if ctxErr := ctx.Err(); ctxErr != nil {
				return ctxErr
			}
			reason := awserr.Reason(searchOp, err)
			if first && searchUnavailable(err) {
				logger(t).InfoContext(ctx, "Search unavailable; falling back to "+k.fallback.listOp+" + "+k.fallback.describeOp,
					slog.String("kind", k.kind), slog.String("reason", reason))
				return collectKind(ctx, api, t, sink, k.fallback)
			}
			// Records from earlier pages are still reported; the gap marks
			// the rest as unseen.
			logger(t).WarnContext(ctx, "Search failed; recording a gap",
				slog.String("kind", k.kind), slog.String("reason", reason), slog.Int("read", len(names)))
			sink.Gap(gapFor(t, searchOp, reason))
			failed = true
			break
		}
		for _, rec := range page.Results {
			r, ok := k.record(rec)
			if !ok || r.res.Name == "" {
				continue // nothing to report or describe it by
			}
			order.see(r.res.CreatedAt)
			name := r.res.Name
			prev, dup := records[name]
			if !dup {
				names = append(names, name)
			}
			// A model card has a record per version: keep the latest, the
			// one DescribeModelCard without a version returns.
			if !dup || r.version >= prev.version {
				records[name] = r
			}
		}
		// Later pages hold only older records, if the service sorted as
		// asked; a source that ignores the sort is read to the end.
		if k.immutable && order.pastCutoff(cutoff) {
			break
		}
	}

	seen := map[string]bool{}
	items := make([]listed, 0, len(names))
	for _, name := range names {
		r := records[name]
		seen[r.res.ARN] = true
		items = append(items, listed{name: name, arn: r.res.ARN, createdAt: r.res.CreatedAt, parent: r.parent,
			tags: addTags(nil, r.tags), tagsRead: true})
	}
	fromSearch := k.fallback
	fromSearch.describe = func(ctx context.Context, item listed) (inventory.Resource, error) {
		r := records[item.name]
		if r.describe != "" {
			logger(t).DebugContext(ctx, "Search record cannot stand in for Describe; describing",
				slog.String("kind", k.kind), slog.String("name", item.name), slog.String("why", r.describe))
			return k.fallback.describe(ctx, item)
		}
		res := requireRole(k.kind, searchOp, r.res)
		res.Source = searchOp
		return res, nil
	}
	if err := describeItems(ctx, api, t, sink, fromSearch, knownSet{}, items, searchOp); err != nil {
		return err
	}
	if failed {
		return nil
	}
	if k.immutable {
		known.each(ctx, sink, func(res inventory.Resource) {
			// By name too: a record Search returned without an ARN was
			// described, and is the same resource.
			_, searchedByName := records[res.Name]
			if !seen[res.ARN] && !searchedByName && (t.Since.IsZero() || !res.CreatedAt.Before(t.Since)) {
				emit(sink, t, k.kind, res)
			}
		})
		return nil
	}
	return describeRecent(ctx, api, t, sink, k, records, started.Add(-searchLagOf(t)))
}

// describeRecent describes the resources of a mutable kind created after
// since that Search did not return: the index may not show them yet. A
// failed listing is a gap for its List call, since records may be missing.
func describeRecent(ctx context.Context, api searchAPI, t collect.Target, sink collect.Sink, k searchKind,
	records map[string]searched, since time.Time) error {
	recent, err := k.recent(ctx, since)
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		reason := awserr.Reason(k.fallback.listOp, err)
		logger(t).WarnContext(ctx, "listing recently created resources failed; recording a gap",
			slog.String("kind", k.kind), slog.String("reason", reason), slog.Int("listed", len(recent)))
		sink.Gap(gapFor(t, k.fallback.listOp, reason))
	}
	var missing []listed
	for _, item := range recent {
		if _, found := records[item.name]; !found && item.name != "" {
			records[item.name] = searched{} // listed twice, described once
			missing = append(missing, item)
		}
	}
	return describeItems(ctx, api, t, sink, k.fallback, knownSet{}, missing, k.fallback.listOp)
}

// searchUnavailable says whether a first Search page's error means Search
// cannot serve the kind here, so the kind falls back to List + Describe:
// denied (no sagemaker:Search), unsupported, or a ValidationException
// refusing the Resource value itself ("Value 'ModelCard' at 'resource'
// failed to satisfy constraint: Member must satisfy enum value set"), the
// answer of a Search that does not know the resource type: moto 5.2.1 for
// every type but a few, and any partition or endpoint behind the SDK's
// enum. That rule lives here, not in awserr.Classify: the same message
// about another field, or from another operation, is a genuine error of the
// request, and only Search's Resource comes from the SDK's own enum. The
// caller logs the reason of every fallback, so a real validation error of
// the request would still show in the log.
func searchUnavailable(err error) bool {
	switch awserr.Classify(err) {
	case awserr.AccessDenied, awserr.Unsupported:
		return true
	}
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "ValidationException" {
		return false
	}
	msg := strings.ToLower(apiErr.ErrorMessage())
	return strings.Contains(msg, "at 'resource' failed to satisfy constraint") && strings.Contains(msg, "enum value set")
}

// tuningSearch reads tuning jobs with Search (types.HyperParameterTuningJobSearchEntity).
func tuningSearch(api JobsAPI) searchKind {
	return searchKind{
		kind: kindTuningJob, resource: types.ResourceTypeHyperParameterTuningJob, immutable: true,
		fallback: tuningJobSpec(api),
		record: func(rec types.SearchRecord) (searched, bool) {
			j := rec.HyperParameterTuningJob
			if j == nil {
				return searched{}, false
			}
			r := searched{tags: j.Tags, res: tuningResource(searchOp, tuningFacts{
				arn: aws.ToString(j.HyperParameterTuningJobArn), name: aws.ToString(j.HyperParameterTuningJobName),
				createdAt: aws.ToTime(j.CreationTime), definition: j.TrainingJobDefinition, definitions: j.TrainingJobDefinitions,
			})}
			r.describe = needsARN(r.res)
			return r, true
		},
	}
}

// customizationSearch reads model-customization jobs with Search
// (types.Job): every category in one listing, each record naming its own.
func customizationSearch(api JobsAPI) searchKind {
	return searchKind{
		kind: kindCustomizationJob, resource: types.ResourceTypeJob, immutable: true,
		fallback: customizationJobSpec(api),
		record: func(rec types.SearchRecord) (searched, bool) {
			j := rec.Job
			if j == nil {
				return searched{}, false
			}
			r := searched{tags: j.Tags, parent: string(j.JobCategory),
				res: customizationResource(searchOp, aws.ToString(j.JobArn), aws.ToString(j.JobName), aws.ToTime(j.CreationTime),
					aws.ToString(j.RoleArn), aws.ToString(j.JobConfigDocument), aws.ToString(j.JobConfigSchemaVersion))}
			r.describe = needsARN(r.res)
			return r, true
		},
	}
}

// featureGroupSearch reads feature groups with Search (types.FeatureGroup).
func featureGroupSearch(api StudioAPI) searchKind {
	return searchKind{
		kind: kindFeatureGroup, resource: types.ResourceTypeFeatureGroup,
		fallback: featureGroupSpec(api),
		record: func(rec types.SearchRecord) (searched, bool) {
			f := rec.FeatureGroup
			if f == nil {
				return searched{}, false
			}
			r := searched{tags: f.Tags, res: featureGroupResource(aws.ToString(f.FeatureGroupArn), aws.ToString(f.FeatureGroupName),
				aws.ToTime(f.CreationTime), aws.ToString(f.RoleArn), f.OnlineStoreConfig, f.OfflineStoreConfig)}
			r.describe = needsARN(r.res)
			if f.FeatureGroupStatus == types.FeatureGroupStatusDeleting {
				// Described so a group gone since the index saw it is
				// skipped (Describe: not found), as after List.
				r.describe = "status Deleting"
			}
			return r, true
		},
		recent: func(ctx context.Context, since time.Time) ([]listed, error) {
			p := sm.NewListFeatureGroupsPaginator(api, &sm.ListFeatureGroupsInput{CreationTimeAfter: aws.Time(since), MaxResults: aws.Int32(listPageSize)})
			return listPages(ctx, p, featureGroupsListed)
		},
	}
}

// modelCardSearch reads model cards with Search (types.ModelCard, one
// record per version; the latest is kept).
func modelCardSearch(api StudioAPI) searchKind {
	return searchKind{
		kind: kindModelCard, resource: types.ResourceTypeModelCard,
		fallback: modelCardSpec(api),
		record: func(rec types.SearchRecord) (searched, bool) {
			c := rec.ModelCard
			if c == nil {
				return searched{}, false
			}
			r := searched{tags: c.Tags, version: aws.ToInt32(c.ModelCardVersion),
				res: modelCardResource(aws.ToString(c.ModelCardArn), aws.ToString(c.ModelCardName), aws.ToTime(c.CreationTime), c.SecurityConfig)}
			r.describe = needsARN(r.res)
			return r, true
		},
		recent: func(ctx context.Context, since time.Time) ([]listed, error) {
			p := sm.NewListModelCardsPaginator(api, &sm.ListModelCardsInput{CreationTimeAfter: aws.Time(since), MaxResults: aws.Int32(listPageSize)})
			return listPages(ctx, p, modelCardsListed)
		},
	}
}

// needsARN says why a record without an ARN is described: every resource
// is reported with the ARN AWS gives it, never one made up, and stored
// records and findings are keyed by it.
func needsARN(res inventory.Resource) string {
	if res.ARN == "" {
		return "the record has no ARN"
	}
	return ""
}
