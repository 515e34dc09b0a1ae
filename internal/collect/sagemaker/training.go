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

func collectTraining(ctx context.Context, api API, t collect.Target, sink collect.Sink) error {
	p := sm.NewSearchPaginator(api, &sm.SearchInput{
		Resource:   types.ResourceTypeTrainingJob,
		MaxResults: aws.Int32(searchPageSize),
	})
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
			res := trainingResource(trainingFromSearch(job))
			res.Source = searchOp
			res.Tags = addTags(nil, job.Tags)
			emit(sink, t, kindTrainingJob, res)
		}
	}
	return nil
}

// trainingListSpec is the per-job fallback.
func trainingListSpec(api API) kindSpec {
	return kindSpec{
		kind:       kindTrainingJob,
		listOp:     "sagemaker:ListTrainingJobs",
		describeOp: "sagemaker:DescribeTrainingJob",
		source:     "sagemaker:DescribeTrainingJob",
		list: func(ctx context.Context) ([]listed, error) {
			p := sm.NewListTrainingJobsPaginator(api, &sm.ListTrainingJobsInput{})
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
	resources *types.ResourceConfig
	output    *types.OutputDataConfig
}

func trainingFromSearch(j *types.TrainingJob) trainingFacts {
	return trainingFacts{
		arn:       aws.ToString(j.TrainingJobArn),
		name:      aws.ToString(j.TrainingJobName),
		createdAt: aws.ToTime(j.CreationTime),
		resources: j.ResourceConfig,
		output:    j.OutputDataConfig,
	}
}

func trainingFromDescribe(o *sm.DescribeTrainingJobOutput) trainingFacts {
	return trainingFacts{
		arn:       aws.ToString(o.TrainingJobArn),
		name:      aws.ToString(o.TrainingJobName),
		createdAt: aws.ToTime(o.CreationTime),
		resources: o.ResourceConfig,
		output:    o.OutputDataConfig,
	}
}

func trainingResource(f trainingFacts) inventory.Resource {
	return inventory.Resource{
		ARN:       f.arn,
		Name:      f.name,
		CreatedAt: f.createdAt,
		Slots:     trainingSlots(f),
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
