package sagemaker

import "github.com/sagekey/sagekey/internal/collect"

// JobsAPI is the read-only part of the SageMaker client the job collectors
// use (processing, transform, tuning, AutoML, labeling, compilation, edge
// packaging, Inference Recommender and optimization jobs).
type JobsAPI interface {
	TagsAPI
}

// JobCollectors returns the job collectors for one region's client.
func JobCollectors(api JobsAPI) []collect.Collector { return nil }
