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
}

var _ PipelineAPI = (*sm.Client)(nil)

// PipelineCollectors returns the pipeline collector for one region's client.
func PipelineCollectors(api PipelineAPI) []collect.Collector {
	return []collect.Collector{pipelineCollector(api)}
}
