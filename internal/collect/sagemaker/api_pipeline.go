package sagemaker

import (
	"context"

	sm "github.com/aws/aws-sdk-go-v2/service/sagemaker"

	"github.com/sagekey/sagekey/internal/collect"
)

// PipelineAPI is the read-only part of the SageMaker client the pipeline
// collector uses.
type PipelineAPI interface {
	TagsAPI
	ListPipelines(ctx context.Context, in *sm.ListPipelinesInput, optFns ...func(*sm.Options)) (*sm.ListPipelinesOutput, error)
	DescribePipeline(ctx context.Context, in *sm.DescribePipelineInput, optFns ...func(*sm.Options)) (*sm.DescribePipelineOutput, error)
	// DescribeModel reads the execution role of a model a transform step
	// names: the step's job runs as that role.
	DescribeModel(ctx context.Context, in *sm.DescribeModelInput, optFns ...func(*sm.Options)) (*sm.DescribeModelOutput, error)
}

// PipelineCollectors returns the pipeline collector for one region's
// client. Build a fresh set for every scan, as for Collectors.
func PipelineCollectors(api PipelineAPI) []collect.Collector {
	return pipelineCollectors(api, newModelRoles(api))
}

// pipelineCollectors builds the set with a model cache shared with other
// collectors (AllCollectors shares it with the hosting collector).
func pipelineCollectors(api PipelineAPI, models *modelRoles) []collect.Collector {
	return []collect.Collector{pipelineCollector(api, models)}
}
