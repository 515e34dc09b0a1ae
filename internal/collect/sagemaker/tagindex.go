package sagemaker

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	rgt "github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi"

	"github.com/sagekey/sagekey/internal/awserr"
	"github.com/sagekey/sagekey/internal/catalog"
	"github.com/sagekey/sagekey/internal/collect"
)

// getResourcesOp names the Tagging API read in notes and logs.
const getResourcesOp = "tag:GetResources"

// taggingPageSize is GetResources' largest page, and taggingFilterLimit
// the most ResourceTypeFilters one request takes.
const (
	taggingPageSize    = 100
	taggingFilterLimit = 100
)

// DefaultTagLag is how recently a resource may have been created and still
// have its tags read with ListTags: GetResources is eventually consistent,
// and a resource created minutes ago may not be in it yet, or be there
// without the tags its create call gave it.
const DefaultTagLag = 15 * time.Minute

// TaggingAPI is the Tagging API read the tag index makes.
type TaggingAPI interface {
	GetResources(ctx context.Context, in *rgt.GetResourcesInput, optFns ...func(*rgt.Options)) (*rgt.GetResourcesOutput, error)
}

// TagIndex holds the tags tag:GetResources returns for one account and
// region, read in pages of 100 the first time a collector asks, so a scan
// reads the tags of a hundred resources per call instead of one ListTags
// each. It only ever saves calls; every answer it cannot vouch for is
// left to ListTags, so the <kind>.tags verdicts are what ListTags gives:
//
//   - GetResources returns only resources that are tagged or were tagged
//     once: a resource it did not return is read with ListTags (it may
//     never have been tagged, or be too new for the index);
//   - a resource created within the lag before the scan started is read
//     with ListTags even when returned;
//   - when GetResources fails (denied, say) the pages read before the
//     failure still serve, and the rest is read with ListTags; Note says
//     why, for the report's api_calls notes. It is never a gap: the scan
//     is slower, not blind.
//
// It is safe for concurrent use: the collectors of one account and region
// share it.
type TagIndex struct {
	api     TaggingAPI
	filters []string
	lag     time.Duration
	started time.Time

	once sync.Once
	tags map[string]map[string]string // lower-cased ARN → tags
	note string
}

// NewTagIndex returns an index of the resources of the given
// ResourceTypeFilters ("sagemaker:notebook-instance"). started is when the
// scan started; lag <= 0 takes DefaultTagLag. With no filter the index
// serves nothing.
func NewTagIndex(api TaggingAPI, filters []string, started time.Time, lag time.Duration) *TagIndex {
	if lag <= 0 {
		lag = DefaultTagLag
	}
	return &TagIndex{api: api, filters: filters, lag: lag, started: started}
}

var _ collect.TagSource = (*TagIndex)(nil)

// Tags implements collect.TagSource.
func (x *TagIndex) Tags(ctx context.Context, arn string, created time.Time) (map[string]string, bool) {
	if x == nil || len(x.filters) == 0 || arn == "" {
		return nil, false
	}
	if !created.IsZero() && created.After(x.started.Add(-x.lag)) {
		return nil, false // too new for an eventually consistent index
	}
	x.once.Do(func() { x.load(ctx) })
	tags, ok := x.tags[strings.ToLower(arn)]
	if !ok {
		return nil, false
	}
	// A resource whose tags were all removed is returned with none (nil):
	// that is its answer, as ListTags would give it.
	return tags, true
}

// Note says why the index could not serve everything, "" when it could.
func (x *TagIndex) Note() string {
	if x == nil {
		return ""
	}
	return x.note
}

// load pages through GetResources, one request per 100 filters.
func (x *TagIndex) load(ctx context.Context) {
	x.tags = map[string]map[string]string{}
	// Resources with the same tags share one map: an index of 100,000 jobs
	// launched by a few pipelines holds a few maps, not 100,000.
	var sets collect.TagSets
	for start := 0; start < len(x.filters); start += taggingFilterLimit {
		filters := x.filters[start:min(start+taggingFilterLimit, len(x.filters))]
		p := rgt.NewGetResourcesPaginator(x.api, &rgt.GetResourcesInput{
			ResourceTypeFilters: filters, ResourcesPerPage: aws.Int32(taggingPageSize),
		})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				if ctx.Err() == nil {
					x.note = awserr.Reason(getResourcesOp, err) + "; the tags it did not return were read with sagemaker:ListTags"
					slog.InfoContext(ctx, "tag:GetResources unavailable; reading tags with ListTags", "reason", x.note)
				}
				return
			}
			for _, m := range page.ResourceTagMappingList {
				// nil for none, as readTags gives it: a resource whose tags
				// were all removed reads exactly like one never tagged.
				var tags map[string]string
				for _, t := range m.Tags {
					if tags == nil {
						tags = make(map[string]string, len(m.Tags))
					}
					tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
				}
				// Cloned: ToLower returns an ARN already in lower case as
				// is, and that string would keep the page's response alive.
				x.tags[strings.Clone(strings.ToLower(aws.ToString(m.ResourceARN)))] = sets.Share(tags)
			}
		}
	}
}

// TaggingFilters are the ResourceTypeFilters of the kinds (nil: all) whose
// collectors read tags with ListTags: every catalog kind with a tagging
// type, except those whose records carry their tags (the kinds read with
// Search, see tagsWithRecord).
func TaggingFilters(kinds map[string]bool) []string {
	var out []string
	for _, k := range catalog.Kinds() {
		if k.TaggingType == "" || tagsWithRecord(k.ID) || (kinds != nil && !kinds[k.ID]) {
			continue
		}
		out = append(out, k.TaggingType)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// tagsWithRecord reports whether a kind's collector reads its tags with
// its records, so paging their tags again would only cost calls.
//
// Training jobs, endpoints (collectEndpoints), tuning jobs,
// model-customization jobs, feature groups and model cards (collectSearch)
// are read with Search, whose records carry their tags. When Search is
// denied or unsupported they fall back to List + Describe and read their
// tags with ListTags, as the index would not serve them: slower, never
// wrong. (Customization jobs' DescribeJob returns tags anyway.)
func tagsWithRecord(kind string) bool {
	switch kind {
	case kindTrainingJob, kindEndpoint, kindTuningJob, kindCustomizationJob, kindFeatureGroup, kindModelCard:
		return true
	}
	return false
}
