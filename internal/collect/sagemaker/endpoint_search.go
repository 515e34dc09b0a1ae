package sagemaker

import (
	"context"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sm "github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"

	"github.com/sagekey/sagekey/internal/awserr"
	"github.com/sagekey/sagekey/internal/collect"
	"github.com/sagekey/sagekey/internal/inventory"
)

const (
	listEndpointsOp = "sagemaker:ListEndpoints"
	// endpointSearchSource is the provenance of an endpoint read from its
	// Search record: the record names the config, the config has the keys.
	endpointSearchSource = "sagemaker:Search+DescribeEndpointConfig"
)

// collectEndpoints reads endpoints with Search: one call per 100 endpoints
// returns each one's name, ARN, creation time, status, current config and
// tags, where List + Describe + ListTags cost two calls per endpoint. The
// keys live on the config in either case (the configs cache describes each
// once). Search's record has no PendingDeploymentSummary, so an endpoint
// whose status says a deployment may be pending is still described (see
// deploymentMayBePending): the config it is moving to is judged as before.
//
// Search reads an index that trails the API by seconds to minutes, and an
// endpoint, unlike a training job, changes: a record may be missing (just
// created) or stale (just updated: the old config, the old status). One
// ListEndpoints page asks for the endpoints modified since the Search lag
// (searchLagOf) before the collector started (creation counts as a
// modification); each one Search did not return, or returned with another LastModifiedTime, is
// described, with its tags read afresh. An endpoint changed longer ago than
// that is in the index as it is. Tags changed within the lag (tagging does
// not touch LastModifiedTime) show at the next scan, as with training jobs.
// Results are asked in ascending creation order: an endpoint created while
// the pages are read lands on the last page rather than shifting the ones
// not read yet, as the default order (LastModifiedTime) would on any update.
//
// Failures follow collectTraining: a first page denied or unsupported
// (no sagemaker:Search permission, an emulator without it) falls back to
// List + Describe (endpointSpec), whose tags come from ListTags or the tag
// index; a failure on a later page is a gap for sagemaker:Search, the
// records read so far are still reported. A failed recent listing is a gap
// for sagemaker:ListEndpoints: the records may be missing or stale.
//
// An event-driven check (t.Only) names its endpoints: they are described.
func collectEndpoints(ctx context.Context, api API, t collect.Target, sink collect.Sink, configs *configCache) error {
	spec := endpointSpec(api, configs)
	if t.Only != nil {
		return collectKind(ctx, api, t, sink, spec)
	}
	// Before the first Search call, so the recent listing covers every
	// change the index may not show yet.
	started := time.Now()
	p := sm.NewSearchPaginator(api, &sm.SearchInput{
		Resource:   types.ResourceTypeEndpoint,
		MaxResults: aws.Int32(searchPageSize),
		SortBy:     aws.String("CreationTime"),
		SortOrder:  types.SearchSortOrderAscending,
	})
	records := map[string]*types.Endpoint{} // by name: unique per account and region
	var order []string
	for first := true; p.HasMorePages(); first = false {
		page, err := p.NextPage(ctx)
		if err != nil {
			if ctxErr := ctx.Err(); ctxErr != nil {
				return ctxErr
			}
			class := awserr.Classify(err)
			if first && (class == awserr.AccessDenied || class == awserr.Unsupported) {
				logger(t).InfoContext(ctx, "Search unavailable; falling back to ListEndpoints + DescribeEndpoint",
					slog.String("reason", awserr.Reason(searchOp, err)))
				return collectKind(ctx, api, t, sink, spec)
			}
			reason := awserr.Reason(searchOp, err)
			logger(t).WarnContext(ctx, "Search failed; recording a gap",
				slog.String("kind", kindEndpoint), slog.String("reason", reason), slog.Int("read", len(order)))
			sink.Gap(gapFor(t, searchOp, reason))
			break
		}
		for _, rec := range page.Results {
			e := rec.Endpoint
			if e == nil || aws.ToString(e.EndpointName) == "" {
				continue
			}
			name := aws.ToString(e.EndpointName)
			if _, dup := records[name]; !dup {
				order = append(order, name)
			}
			records[name] = e
		}
	}

	recent, err := recentEndpoints(ctx, api, started.Add(-searchLagOf(t)))
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		reason := awserr.Reason(listEndpointsOp, err)
		logger(t).WarnContext(ctx, "listing recently changed endpoints failed; recording a gap",
			slog.String("reason", reason), slog.Int("listed", len(recent)))
		sink.Gap(gapFor(t, listEndpointsOp, reason))
	}
	stale := map[string]bool{}
	var missing []listed
	for _, s := range recent {
		name := aws.ToString(s.EndpointName)
		e, found := records[name]
		switch {
		case name == "" || stale[name]:
		case !found:
			stale[name] = true // listed once, described once
			missing = append(missing, listed{name: name, arn: aws.ToString(s.EndpointArn), createdAt: aws.ToTime(s.CreationTime)})
		case !sameTime(e.LastModifiedTime, s.LastModifiedTime):
			stale[name] = true
		}
	}

	items := make([]listed, 0, len(order))
	for _, name := range order {
		e := records[name]
		item := listed{name: name, arn: aws.ToString(e.EndpointArn), createdAt: aws.ToTime(e.CreationTime)}
		if !stale[name] {
			item.tags, item.tagsRead = addTags(nil, e.Tags), true
		}
		items = append(items, item)
	}
	fromSearch := spec
	fromSearch.describe = func(ctx context.Context, item listed) (inventory.Resource, error) {
		e := records[item.name]
		if stale[item.name] || mustDescribe(e) {
			return spec.describe(ctx, item)
		}
		return endpointFromSearch(ctx, configs, e)
	}
	if err := describeItems(ctx, api, t, sink, fromSearch, knownSet{}, items, searchOp); err != nil {
		return err
	}
	return describeItems(ctx, api, t, sink, spec, knownSet{}, missing, listEndpointsOp)
}

// recentEndpoints lists the endpoints modified after since, with what it
// listed before any error.
func recentEndpoints(ctx context.Context, api API, since time.Time) ([]types.EndpointSummary, error) {
	p := sm.NewListEndpointsPaginator(api, &sm.ListEndpointsInput{
		LastModifiedTimeAfter: aws.Time(since),
		MaxResults:            aws.Int32(listPageSize),
	})
	var out []types.EndpointSummary
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return out, err
		}
		out = append(out, page.Endpoints...)
	}
	return out, nil
}

func sameTime(a, b *time.Time) bool {
	return aws.ToTime(a).Equal(aws.ToTime(b))
}

// mustDescribe says whether a Search record cannot stand in for
// DescribeEndpoint: it names no config, or its status allows a pending
// deployment, which only Describe shows.
func mustDescribe(e *types.Endpoint) bool {
	return aws.ToString(e.EndpointConfigName) == "" || deploymentMayBePending(e.EndpointStatus)
}

// deploymentMayBePending reports whether an endpoint in this status may
// have a PendingDeploymentSummary. AWS returns one "only when the endpoint
// is creating or updating with a new endpoint configuration"
// (DescribeEndpoint): Creating, Updating, SystemUpdating and RollingBack
// are mid-deployment; UpdateRollbackFailed is an update stopped half way,
// serving from either config; Deleting is described so an endpoint gone
// since the index saw it is skipped (Describe: not found) as after List.
// Only the settled statuses (InService, OutOfService, Failed) are read
// from the record; a status this SDK does not know is described.
func deploymentMayBePending(s types.EndpointStatus) bool {
	switch s {
	case types.EndpointStatusInService, types.EndpointStatusOutOfService, types.EndpointStatusFailed:
		return false
	}
	return true
}

// endpointFromSearch builds the resource DescribeEndpoint would give for an
// endpoint with no deployment pending: its current config's slots and
// roles. It fails only when ctx ends.
func endpointFromSearch(ctx context.Context, configs *configCache, e *types.Endpoint) (inventory.Resource, error) {
	res := inventory.Resource{
		ARN:       aws.ToString(e.EndpointArn),
		Name:      aws.ToString(e.EndpointName),
		CreatedAt: aws.ToTime(e.CreationTime),
		Source:    endpointSearchSource,
		Attributes: map[string]string{
			inventory.AttrEndpointConfig: aws.ToString(e.EndpointConfigName),
		},
	}
	if err := endpointFacts(ctx, configs, aws.ToString(e.EndpointConfigName), "", &res); err != nil {
		return inventory.Resource{}, err
	}
	return res, nil
}
