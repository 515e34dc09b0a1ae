package sagemaker

import (
	"context"

	sm "github.com/aws/aws-sdk-go-v2/service/sagemaker"

	"github.com/sagekey/sagekey/internal/collect"
)

// TagsAPI is the one call every collector shares: reading a resource's tags.
type TagsAPI interface {
	ListTags(ctx context.Context, in *sm.ListTagsInput, optFns ...func(*sm.Options)) (*sm.ListTagsOutput, error)
}

// FullAPI is every read the SageMaker collectors make. Each group of
// collectors declares only its own part, so its tests fake only that.
type FullAPI interface {
	API
	JobsAPI
	StudioAPI
	PipelineAPI
}

// AllCollectors returns every SageMaker collector for one region's client.
// The hosting, transform-job and pipeline collectors share one model
// cache, so a model served by an endpoint and used by a transform job is
// described once. Build a fresh set for every scan (scan.collectJobs does,
// per account and region): the cache lives as long as the set.
func AllCollectors(api FullAPI) []collect.Collector {
	models := newModelRoles(api)
	out := collectors(api, models)
	out = append(out, jobCollectors(api, models)...)
	out = append(out, StudioCollectors(api)...)
	return append(out, pipelineCollectors(api, models)...)
}
