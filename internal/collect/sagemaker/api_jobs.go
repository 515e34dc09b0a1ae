package sagemaker

import (
	"context"

	sm "github.com/aws/aws-sdk-go-v2/service/sagemaker"

	"github.com/sagekey/sagekey/internal/collect"
)

// JobsAPI is the read-only part of the SageMaker client the job collectors
// use (processing, transform, tuning, AutoML, labeling, compilation, edge
// packaging, Inference Recommender and optimization jobs).
type JobsAPI interface {
	TagsAPI

	// DescribeModel reads the execution role of a transform job's model:
	// the job runs as that role.
	DescribeModel(ctx context.Context, in *sm.DescribeModelInput, optFns ...func(*sm.Options)) (*sm.DescribeModelOutput, error)

	// Search reads tuning and model-customization jobs 100 a page, with
	// their tags (search_kinds.go).
	Search(ctx context.Context, in *sm.SearchInput, optFns ...func(*sm.Options)) (*sm.SearchOutput, error)

	ListJobs(ctx context.Context, in *sm.ListJobsInput, optFns ...func(*sm.Options)) (*sm.ListJobsOutput, error)
	DescribeJob(ctx context.Context, in *sm.DescribeJobInput, optFns ...func(*sm.Options)) (*sm.DescribeJobOutput, error)

	ListProcessingJobs(ctx context.Context, in *sm.ListProcessingJobsInput, optFns ...func(*sm.Options)) (*sm.ListProcessingJobsOutput, error)
	DescribeProcessingJob(ctx context.Context, in *sm.DescribeProcessingJobInput, optFns ...func(*sm.Options)) (*sm.DescribeProcessingJobOutput, error)

	ListTransformJobs(ctx context.Context, in *sm.ListTransformJobsInput, optFns ...func(*sm.Options)) (*sm.ListTransformJobsOutput, error)
	DescribeTransformJob(ctx context.Context, in *sm.DescribeTransformJobInput, optFns ...func(*sm.Options)) (*sm.DescribeTransformJobOutput, error)

	ListHyperParameterTuningJobs(ctx context.Context, in *sm.ListHyperParameterTuningJobsInput, optFns ...func(*sm.Options)) (*sm.ListHyperParameterTuningJobsOutput, error)
	DescribeHyperParameterTuningJob(ctx context.Context, in *sm.DescribeHyperParameterTuningJobInput, optFns ...func(*sm.Options)) (*sm.DescribeHyperParameterTuningJobOutput, error)

	ListAutoMLJobs(ctx context.Context, in *sm.ListAutoMLJobsInput, optFns ...func(*sm.Options)) (*sm.ListAutoMLJobsOutput, error)
	DescribeAutoMLJobV2(ctx context.Context, in *sm.DescribeAutoMLJobV2Input, optFns ...func(*sm.Options)) (*sm.DescribeAutoMLJobV2Output, error)

	ListLabelingJobs(ctx context.Context, in *sm.ListLabelingJobsInput, optFns ...func(*sm.Options)) (*sm.ListLabelingJobsOutput, error)
	DescribeLabelingJob(ctx context.Context, in *sm.DescribeLabelingJobInput, optFns ...func(*sm.Options)) (*sm.DescribeLabelingJobOutput, error)

	ListCompilationJobs(ctx context.Context, in *sm.ListCompilationJobsInput, optFns ...func(*sm.Options)) (*sm.ListCompilationJobsOutput, error)
	DescribeCompilationJob(ctx context.Context, in *sm.DescribeCompilationJobInput, optFns ...func(*sm.Options)) (*sm.DescribeCompilationJobOutput, error)

	ListEdgePackagingJobs(ctx context.Context, in *sm.ListEdgePackagingJobsInput, optFns ...func(*sm.Options)) (*sm.ListEdgePackagingJobsOutput, error)
	DescribeEdgePackagingJob(ctx context.Context, in *sm.DescribeEdgePackagingJobInput, optFns ...func(*sm.Options)) (*sm.DescribeEdgePackagingJobOutput, error)

	ListInferenceRecommendationsJobs(ctx context.Context, in *sm.ListInferenceRecommendationsJobsInput, optFns ...func(*sm.Options)) (*sm.ListInferenceRecommendationsJobsOutput, error)
	DescribeInferenceRecommendationsJob(ctx context.Context, in *sm.DescribeInferenceRecommendationsJobInput, optFns ...func(*sm.Options)) (*sm.DescribeInferenceRecommendationsJobOutput, error)

	ListOptimizationJobs(ctx context.Context, in *sm.ListOptimizationJobsInput, optFns ...func(*sm.Options)) (*sm.ListOptimizationJobsOutput, error)
	DescribeOptimizationJob(ctx context.Context, in *sm.DescribeOptimizationJobInput, optFns ...func(*sm.Options)) (*sm.DescribeOptimizationJobOutput, error)
}

// Catalog kind ids of the job collectors (see internal/catalog).
const (
	kindProcessingJob      = "processing-job"
	kindTransformJob       = "transform-job"
	kindTuningJob          = "hyper-parameter-tuning-job"
	kindAutoMLJob          = "auto-ml-job"
	kindLabelingJob        = "labeling-job"
	kindCompilationJob     = "compilation-job"
	kindEdgePackagingJob   = "edge-packaging-job"
	kindRecommendationsJob = "inference-recommendations-job"
	kindOptimizationJob    = "optimization-job"
)

// JobCollectors returns the job collectors for one region's client, one
// list-then-describe collector per kind. Build a fresh set for every scan,
// as for Collectors.
func JobCollectors(api JobsAPI) []collect.Collector {
	return jobCollectors(api, newModelRoles(api))
}

// jobCollectors builds the set with a model cache shared with other
// collectors (AllCollectors shares it with the hosting collector).
func jobCollectors(api JobsAPI, models *modelRoles) []collect.Collector {
	return []collect.Collector{
		processingJobCollector(api),
		transformJobCollector(api, models),
		searchCollector(api, "sagemaker:hyper-parameter-tuning-jobs", func() searchKind { return tuningSearch(api) }),
		autoMLJobCollector(api),
		labelingJobCollector(api),
		compilationJobCollector(api),
		edgePackagingJobCollector(api),
		recommendationsJobCollector(api),
		optimizationJobCollector(api),
		searchCollector(api, "sagemaker:model-customization-jobs", func() searchKind { return customizationSearch(api) }),
	}
}

// kindCollector wraps one kindSpec as a collector named name.
func kindCollector(api TagsAPI, name string, spec kindSpec) collect.Collector {
	return collector{
		name:  name,
		kinds: []string{spec.kind},
		run: func(ctx context.Context, t collect.Target, sink collect.Sink) error {
			return collectKind(ctx, api, t, sink, spec)
		},
	}
}
