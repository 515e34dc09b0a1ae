// Package sagemaker collects SageMaker resources and their KMS key slots
// from the live SageMaker API of one region.
//
// It only reads: the client interface below lists exactly the List,
// Describe, Search and ListTags calls the collectors make, so the auditor
// cannot change an account even by mistake, and the IAM policy it needs is
// that list. Facts are recorded as found; deciding PASS/FAIL belongs to the
// evaluation stage.
package sagemaker

import (
	"context"

	sm "github.com/aws/aws-sdk-go-v2/service/sagemaker"

	"github.com/sagekey/sagekey/internal/collect"
)

// API is the read-only part of the SageMaker client the collectors use.
// *sagemaker.Client satisfies it (ClientAPI adapts one to FullAPI); tests
// pass fakes.
type API interface {
	ListNotebookInstances(ctx context.Context, in *sm.ListNotebookInstancesInput, optFns ...func(*sm.Options)) (*sm.ListNotebookInstancesOutput, error)
	DescribeNotebookInstance(ctx context.Context, in *sm.DescribeNotebookInstanceInput, optFns ...func(*sm.Options)) (*sm.DescribeNotebookInstanceOutput, error)

	ListEndpointConfigs(ctx context.Context, in *sm.ListEndpointConfigsInput, optFns ...func(*sm.Options)) (*sm.ListEndpointConfigsOutput, error)
	DescribeEndpointConfig(ctx context.Context, in *sm.DescribeEndpointConfigInput, optFns ...func(*sm.Options)) (*sm.DescribeEndpointConfigOutput, error)
	ListEndpoints(ctx context.Context, in *sm.ListEndpointsInput, optFns ...func(*sm.Options)) (*sm.ListEndpointsOutput, error)
	DescribeEndpoint(ctx context.Context, in *sm.DescribeEndpointInput, optFns ...func(*sm.Options)) (*sm.DescribeEndpointOutput, error)
	// DescribeModel reads the execution role of the models the variants
	// serve: endpoints and their configs run as those roles.
	DescribeModel(ctx context.Context, in *sm.DescribeModelInput, optFns ...func(*sm.Options)) (*sm.DescribeModelOutput, error)

	Search(ctx context.Context, in *sm.SearchInput, optFns ...func(*sm.Options)) (*sm.SearchOutput, error)
	ListTrainingJobs(ctx context.Context, in *sm.ListTrainingJobsInput, optFns ...func(*sm.Options)) (*sm.ListTrainingJobsOutput, error)
	DescribeTrainingJob(ctx context.Context, in *sm.DescribeTrainingJobInput, optFns ...func(*sm.Options)) (*sm.DescribeTrainingJobOutput, error)

	ListClusters(ctx context.Context, in *sm.ListClustersInput, optFns ...func(*sm.Options)) (*sm.ListClustersOutput, error)
	DescribeCluster(ctx context.Context, in *sm.DescribeClusterInput, optFns ...func(*sm.Options)) (*sm.DescribeClusterOutput, error)

	ListTags(ctx context.Context, in *sm.ListTagsInput, optFns ...func(*sm.Options)) (*sm.ListTagsOutput, error)
}

// Catalog kind ids emitted by this package (see internal/catalog).
const (
	kindNotebook       = "notebook-instance"
	kindEndpointConfig = "endpoint-config"
	kindEndpoint       = "endpoint"
	kindTrainingJob    = "training-job"
	kindCluster        = "cluster"
)

// Collectors returns the collectors for one region's client. Endpoint
// configs and endpoints share one collector because an endpoint is judged
// through its config: collecting them together lets endpoints reuse the
// configs already described instead of describing each twice.
//
// Build a fresh set for every scan: the set reads each model once (see
// modelRoles), and a set kept for a later scan would serve stale roles.
func Collectors(api API) []collect.Collector {
	return collectors(api, newModelRoles(api))
}

// collectors builds the set with a model cache shared with other
// collectors (AllCollectors shares it with the transform-job collector).
func collectors(api API, models *modelRoles) []collect.Collector {
	return []collect.Collector{
		notebookCollector(api),
		hostingCollector(api, models),
		trainingCollector(api),
		clusterCollector(api),
	}
}

// collector adapts a function to collect.Collector.
type collector struct {
	name  string
	kinds []string
	run   func(ctx context.Context, t collect.Target, sink collect.Sink) error
}

func (c collector) Name() string { return c.name }

func (c collector) Kinds() []string { return append([]string(nil), c.kinds...) }

func (c collector) Collect(ctx context.Context, t collect.Target, sink collect.Sink) error {
	return c.run(ctx, t, sink)
}
