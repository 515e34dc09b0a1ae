package sagemaker

import (
	"context"
	"fmt"
	"testing"

	sm "github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/smithy-go"
)

// fakeAPI implements API with one function per call. A call whose function
// is unset fails the test, so every test states exactly which calls it
// expects. Calls come from worker goroutines, hence Errorf, not Fatalf.
type fakeAPI struct {
	t testing.TB

	listNotebookInstances    func(*sm.ListNotebookInstancesInput) (*sm.ListNotebookInstancesOutput, error)
	describeNotebookInstance func(*sm.DescribeNotebookInstanceInput) (*sm.DescribeNotebookInstanceOutput, error)
	listEndpointConfigs      func(*sm.ListEndpointConfigsInput) (*sm.ListEndpointConfigsOutput, error)
	describeEndpointConfig   func(*sm.DescribeEndpointConfigInput) (*sm.DescribeEndpointConfigOutput, error)
	listEndpoints            func(*sm.ListEndpointsInput) (*sm.ListEndpointsOutput, error)
	describeEndpoint         func(*sm.DescribeEndpointInput) (*sm.DescribeEndpointOutput, error)
	describeModel            func(*sm.DescribeModelInput) (*sm.DescribeModelOutput, error)
	search                   func(*sm.SearchInput) (*sm.SearchOutput, error)
	listTrainingJobs         func(*sm.ListTrainingJobsInput) (*sm.ListTrainingJobsOutput, error)
	describeTrainingJob      func(*sm.DescribeTrainingJobInput) (*sm.DescribeTrainingJobOutput, error)
	listClusters             func(*sm.ListClustersInput) (*sm.ListClustersOutput, error)
	describeCluster          func(*sm.DescribeClusterInput) (*sm.DescribeClusterOutput, error)
	listTags                 func(*sm.ListTagsInput) (*sm.ListTagsOutput, error)
}

func call[I, O any](f *fakeAPI, op string, fn func(I) (O, error), in I) (O, error) {
	if fn == nil {
		f.t.Errorf("unexpected call to %s", op)
		var zero O
		return zero, fmt.Errorf("fake: unexpected call to %s", op)
	}
	return fn(in)
}

func (f *fakeAPI) ListNotebookInstances(_ context.Context, in *sm.ListNotebookInstancesInput, _ ...func(*sm.Options)) (*sm.ListNotebookInstancesOutput, error) {
	return call(f, "ListNotebookInstances", f.listNotebookInstances, in)
}

func (f *fakeAPI) DescribeNotebookInstance(_ context.Context, in *sm.DescribeNotebookInstanceInput, _ ...func(*sm.Options)) (*sm.DescribeNotebookInstanceOutput, error) {
	return call(f, "DescribeNotebookInstance", f.describeNotebookInstance, in)
}

func (f *fakeAPI) ListEndpointConfigs(_ context.Context, in *sm.ListEndpointConfigsInput, _ ...func(*sm.Options)) (*sm.ListEndpointConfigsOutput, error) {
	return call(f, "ListEndpointConfigs", f.listEndpointConfigs, in)
}

func (f *fakeAPI) DescribeEndpointConfig(_ context.Context, in *sm.DescribeEndpointConfigInput, _ ...func(*sm.Options)) (*sm.DescribeEndpointConfigOutput, error) {
	return call(f, "DescribeEndpointConfig", f.describeEndpointConfig, in)
}

func (f *fakeAPI) ListEndpoints(_ context.Context, in *sm.ListEndpointsInput, _ ...func(*sm.Options)) (*sm.ListEndpointsOutput, error) {
	return call(f, "ListEndpoints", f.listEndpoints, in)
}

func (f *fakeAPI) DescribeEndpoint(_ context.Context, in *sm.DescribeEndpointInput, _ ...func(*sm.Options)) (*sm.DescribeEndpointOutput, error) {
	return call(f, "DescribeEndpoint", f.describeEndpoint, in)
}

func (f *fakeAPI) DescribeModel(_ context.Context, in *sm.DescribeModelInput, _ ...func(*sm.Options)) (*sm.DescribeModelOutput, error) {
	return call(f, "DescribeModel", f.describeModel, in)
}

func (f *fakeAPI) Search(_ context.Context, in *sm.SearchInput, _ ...func(*sm.Options)) (*sm.SearchOutput, error) {
	return call(f, "Search", f.search, in)
}

func (f *fakeAPI) ListTrainingJobs(_ context.Context, in *sm.ListTrainingJobsInput, _ ...func(*sm.Options)) (*sm.ListTrainingJobsOutput, error) {
	return call(f, "ListTrainingJobs", f.listTrainingJobs, in)
}

func (f *fakeAPI) DescribeTrainingJob(_ context.Context, in *sm.DescribeTrainingJobInput, _ ...func(*sm.Options)) (*sm.DescribeTrainingJobOutput, error) {
	return call(f, "DescribeTrainingJob", f.describeTrainingJob, in)
}

func (f *fakeAPI) ListClusters(_ context.Context, in *sm.ListClustersInput, _ ...func(*sm.Options)) (*sm.ListClustersOutput, error) {
	return call(f, "ListClusters", f.listClusters, in)
}

func (f *fakeAPI) DescribeCluster(_ context.Context, in *sm.DescribeClusterInput, _ ...func(*sm.Options)) (*sm.DescribeClusterOutput, error) {
	return call(f, "DescribeCluster", f.describeCluster, in)
}

func (f *fakeAPI) ListTags(_ context.Context, in *sm.ListTagsInput, _ ...func(*sm.Options)) (*sm.ListTagsOutput, error) {
	return call(f, "ListTags", f.listTags, in)
}

// AWS errors as the SDK surfaces them.
func apiErr(code, msg string) error { return &smithy.GenericAPIError{Code: code, Message: msg} }

var (
	errDenied = apiErr("AccessDeniedException", "User is not authorized")
	// errNoSearch is moto's answer to a Search of a resource type it lacks.
	errNoSearch = apiErr("ValidationException", "1 validation error detected: Value 'X' at 'resource' failed to "+
		"satisfy constraint: Member must satisfy enum value set: {'TrainingJob'}")
	errThrottled = apiErr("ThrottlingException", "Rate exceeded")
)

func errGone(what string) error {
	return apiErr("ValidationException", "Could not find "+what)
}
