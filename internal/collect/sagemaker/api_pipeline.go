package sagemaker

import "github.com/sagekey/sagekey/internal/collect"

// PipelineAPI is the read-only part of the SageMaker client the pipeline
// collector uses.
type PipelineAPI interface {
	TagsAPI
}

// PipelineCollectors returns the pipeline collector for one region's client.
func PipelineCollectors(api PipelineAPI) []collect.Collector { return nil }
