package sagemaker

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sm "github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"

	"github.com/sagekey/sagekey/internal/awserr"
	"github.com/sagekey/sagekey/internal/collect"
	"github.com/sagekey/sagekey/internal/inventory"
)

const (
	searchOp       = "sagemaker:Search"
	searchPageSize = 100 // the API maximum
)

// trainingCollector enumerates training jobs with Search, which returns
// each job's full configuration and tags in pages of 100. Job history is
// unbounded and ListTrainingJobs is rate limited hard, so one call per 100
// jobs beats List + Describe + ListTags per job. Search needs its own IAM
// permission, so a denied Search falls back to the per-job calls.
func trainingCollector(api API) collect.Collector {
	return collector{
		name:  "sagemaker:training-jobs",
		kinds: []string{kindTrainingJob},
		run: func(ctx context.Context, t collect.Target, sink collect.Sink) error {
			return collectTraining(ctx, api, t, sink)
		},
	}
}

// DefaultSearchLag is how far Search's index may trail the API unless the
// scan says otherwise (collect.Target.SearchLag, --search-lag): a re-scan
// searches again from this far before the end of the last complete
// listing, and the mutable kinds list what changed within it. AWS does not
// document how far the index trails; sagekey's reading is seconds to
// minutes, so an hour leaves a wide margin. On a settled estate the
// overlap costs a page at most; on one whose jobs are all younger than the
// lag it pages them all again, which is the price of not missing a job the
// last scan's Search did not show yet.
const DefaultSearchLag = time.Hour

// searchLagOf is the Search index lag t asks for: DefaultSearchLag unless
// t.SearchLag is positive.
func searchLagOf(t collect.Target) time.Duration {
	if t.SearchLag > 0 {
		return t.SearchLag
	}
	return DefaultSearchLag
}

// collectTraining pages through Search newest first and stops at the
// cutoff: the --since bound, or, when an earlier scan stored every job
// created before some time, that time (less the Search lag, searchLagOf).
// Stored jobs older than the cutoff are reported from the store: a training job cannot
// be deleted or changed, so they are still there as they were.
//
// An event-driven check (t.Only) names its jobs: Search cannot look jobs up
// by name any cheaper, so they are described one by one.
func collectTraining(ctx context.Context, api API, t collect.Target, sink collect.Sink) error {
	if t.Only != nil {
		return collectKind(ctx, api, t, sink, trainingListSpec(api))
	}
	known := knownRecords(ctx, t, kindTrainingJob)
	cutoff := t.Since
	// Stored jobs that predate execution roles were left out of known, so
	// the store's window no longer covers them: Search reads them again.
	if until, ok := completeBefore(ctx, t, kindTrainingJob); ok && known.trusted() {
		cutoff = later(cutoff, until.Add(-searchLagOf(t)))
	}
	p := sm.NewSearchPaginator(api, &sm.SearchInput{
		Resource:   types.ResourceTypeTrainingJob,
		MaxResults: aws.Int32(searchPageSize),
		SortBy:     aws.String("CreationTime"),
		SortOrder:  types.SearchSortOrderDescending,
	})
	// seen is kept only when there are stored records to tell apart, and
	// holds copies: a response's strings share one block with the whole
	// response.
	var seen map[string]bool
	if known.stored > 0 {
		seen = map[string]bool{}
	}
	order := newestFirst{}
	for first := true; p.HasMorePages(); first = false {
		page, err := p.NextPage(ctx)
		if err != nil {
			if ctxErr := ctx.Err(); ctxErr != nil {
				return ctxErr
			}
			class := awserr.Classify(err)
			if first && (class == awserr.AccessDenied || class == awserr.Unsupported) {
				logger(t).InfoContext(ctx, "Search unavailable; falling back to ListTrainingJobs + DescribeTrainingJob",
					slog.String("reason", awserr.Reason(searchOp, err)))
				return collectKind(ctx, api, t, sink, trainingListSpec(api))
			}
			// Jobs from earlier pages were already reported; the gap marks
			// the rest as unseen.
			reason := awserr.Reason(searchOp, err)
			logger(t).WarnContext(ctx, "Search failed; recording a gap", slog.String("reason", reason))
			sink.Gap(gapFor(t, searchOp, reason))
			return nil
		}
		for _, rec := range page.Results {
			job := rec.TrainingJob
			if job == nil {
				continue
			}
			res := requireRole(kindTrainingJob, searchOp, trainingResource(trainingFromSearch(job)))
			res.Source = searchOp
			res.Tags = addTags(nil, job.Tags)
			order.see(res.CreatedAt)
			if seen != nil {
				seen[strings.Clone(res.ARN)] = true
			}
			emit(sink, t, kindTrainingJob, res)
		}
		// Later pages hold only older jobs, if the service sorted as asked;
		// a source that ignores the sort is read to the end.
		if order.pastCutoff(cutoff) {
			break
		}
	}
	known.each(ctx, sink, func(res inventory.Resource) {
		if !seen[res.ARN] && (t.Since.IsZero() || !res.CreatedAt.Before(t.Since)) {
			emit(sink, t, kindTrainingJob, res)
		}
	})
	return nil
}

// completeBefore asks t.Known for the end of the last complete listing of
// kind, when one covers the scan's --since window.
func completeBefore(ctx context.Context, t collect.Target, kind string) (time.Time, bool) {
	if t.Known == nil {
		return time.Time{}, false
	}
	return t.Known.CompleteBefore(ctx, t, kind)
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// newestFirst checks that results arrive in descending creation order and
// remembers the oldest so far.
type newestFirst struct {
	oldest   time.Time
	unsorted bool
	any      bool
}

func (n *newestFirst) see(created time.Time) {
	if n.any && created.After(n.oldest) {
		n.unsorted = true
	}
	if !n.any || created.Before(n.oldest) {
		n.oldest = created
	}
	n.any = true
}

// pastCutoff says whether every job not yet read was created before cutoff.
func (n *newestFirst) pastCutoff(cutoff time.Time) bool {
	return !cutoff.IsZero() && n.any && !n.unsorted && !n.oldest.IsZero() && n.oldest.Before(cutoff)
}

// trainingListSpec is the per-job fallback.
func trainingListSpec(api API) kindSpec {
	return kindSpec{
		kind:       kindTrainingJob,
		listOp:     "sagemaker:ListTrainingJobs",
		describeOp: "sagemaker:DescribeTrainingJob",
		source:     "sagemaker:DescribeTrainingJob",
		list: func(ctx context.Context, since time.Time) ([]listed, error) {
			p := sm.NewListTrainingJobsPaginator(api, &sm.ListTrainingJobsInput{CreationTimeAfter: createdAfter(since), MaxResults: aws.Int32(listPageSize)})
			return listPages(ctx, p, func(o *sm.ListTrainingJobsOutput) []listed {
				items := make([]listed, 0, len(o.TrainingJobSummaries))
				for _, j := range o.TrainingJobSummaries {
					items = append(items, listed{
						name:      aws.ToString(j.TrainingJobName),
						arn:       aws.ToString(j.TrainingJobArn),
						createdAt: aws.ToTime(j.CreationTime),
					})
				}
				return items
			})
		},
		describe: func(ctx context.Context, item listed) (inventory.Resource, error) {
			out, err := api.DescribeTrainingJob(ctx, &sm.DescribeTrainingJobInput{TrainingJobName: aws.String(item.name)})
			if err != nil {
				return inventory.Resource{}, err
			}
			return trainingResource(trainingFromDescribe(out)), nil
		},
	}
}

// trainingFacts is the part of a training job the audit needs. Search
// records and Describe outputs are different SDK types with the same
// fields; adapting both to this keeps the slot logic in one place.
type trainingFacts struct {
	arn, name string
	createdAt time.Time
	role      string
	resources *types.ResourceConfig
	output    *types.OutputDataConfig
}

func trainingFromSearch(j *types.TrainingJob) trainingFacts {
	return trainingFacts{
		arn:       aws.ToString(j.TrainingJobArn),
		name:      aws.ToString(j.TrainingJobName),
		createdAt: aws.ToTime(j.CreationTime),
		role:      aws.ToString(j.RoleArn),
		resources: j.ResourceConfig,
		output:    j.OutputDataConfig,
	}
}

func trainingFromDescribe(o *sm.DescribeTrainingJobOutput) trainingFacts {
	return trainingFacts{
		arn:       aws.ToString(o.TrainingJobArn),
		name:      aws.ToString(o.TrainingJobName),
		createdAt: aws.ToTime(o.CreationTime),
		role:      aws.ToString(o.RoleArn),
		resources: o.ResourceConfig,
		output:    o.OutputDataConfig,
	}
}

func trainingResource(f trainingFacts) inventory.Resource {
	return inventory.Resource{
		ARN:            f.arn,
		Name:           f.name,
		CreatedAt:      f.createdAt,
		Slots:          trainingSlots(f),
		ExecutionRoles: executionRoles(f.role),
	}
}

func trainingSlots(f trainingFacts) []inventory.Slot {
	volume := inventory.Slot{Type: "volume", Name: "volume", Label: "ML storage volume"}
	if rc := f.resources; rc != nil {
		volume.KeyRef = aws.ToString(rc.VolumeKmsKeyId)
		// Heterogeneous clusters name their types per instance group.
		if rc.InstanceType != "" {
			volume.InstanceTypes = appendUnique(volume.InstanceTypes, string(rc.InstanceType))
		}
		for _, g := range rc.InstanceGroups {
			if g.InstanceType != "" {
				volume.InstanceTypes = appendUnique(volume.InstanceTypes, string(g.InstanceType))
			}
		}
	} else {
		// Serverless training has no volume; saying so keeps it from
		// reading as a missing key.
		volume.Unsupported = "no ResourceConfig: the job has no ML storage volume you can key"
	}
	output := inventory.Slot{Type: "output", Name: "output", Label: "model output in S3"}
	if oc := f.output; oc != nil {
		output.KeyRef = aws.ToString(oc.KmsKeyId)
		output.OutputURI = aws.ToString(oc.S3OutputPath)
	}
	return []inventory.Slot{volume, output}
}
