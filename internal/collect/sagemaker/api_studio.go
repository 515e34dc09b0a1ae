package sagemaker

import "github.com/sagekey/sagekey/internal/collect"

// StudioAPI is the read-only part of the SageMaker client the Studio,
// Feature Store, Model Monitor, registry and remaining collectors use.
type StudioAPI interface {
	TagsAPI
}

// StudioCollectors returns those collectors for one region's client.
func StudioCollectors(api StudioAPI) []collect.Collector { return nil }
