package sagemaker

import (
	"context"
	"fmt"
	"testing"

	sm "github.com/aws/aws-sdk-go-v2/service/sagemaker"

	"github.com/sagekey/sagekey/internal/inventory"
)

// fakeJobsAPI implements JobsAPI with one function per call; an unset
// function fails the test.
type fakeJobsAPI struct {
	t testing.TB

	listProcessingJobs                  func(*sm.ListProcessingJobsInput) (*sm.ListProcessingJobsOutput, error)
	describeProcessingJob               func(*sm.DescribeProcessingJobInput) (*sm.DescribeProcessingJobOutput, error)
	listTransformJobs                   func(*sm.ListTransformJobsInput) (*sm.ListTransformJobsOutput, error)
	describeTransformJob                func(*sm.DescribeTransformJobInput) (*sm.DescribeTransformJobOutput, error)
	describeModel                       func(*sm.DescribeModelInput) (*sm.DescribeModelOutput, error)
	listHyperParameterTuningJobs        func(*sm.ListHyperParameterTuningJobsInput) (*sm.ListHyperParameterTuningJobsOutput, error)
	describeHyperParameterTuningJob     func(*sm.DescribeHyperParameterTuningJobInput) (*sm.DescribeHyperParameterTuningJobOutput, error)
	listAutoMLJobs                      func(*sm.ListAutoMLJobsInput) (*sm.ListAutoMLJobsOutput, error)
	describeAutoMLJobV2                 func(*sm.DescribeAutoMLJobV2Input) (*sm.DescribeAutoMLJobV2Output, error)
	listLabelingJobs                    func(*sm.ListLabelingJobsInput) (*sm.ListLabelingJobsOutput, error)
	describeLabelingJob                 func(*sm.DescribeLabelingJobInput) (*sm.DescribeLabelingJobOutput, error)
	listCompilationJobs                 func(*sm.ListCompilationJobsInput) (*sm.ListCompilationJobsOutput, error)
	describeCompilationJob              func(*sm.DescribeCompilationJobInput) (*sm.DescribeCompilationJobOutput, error)
	listEdgePackagingJobs               func(*sm.ListEdgePackagingJobsInput) (*sm.ListEdgePackagingJobsOutput, error)
	describeEdgePackagingJob            func(*sm.DescribeEdgePackagingJobInput) (*sm.DescribeEdgePackagingJobOutput, error)
	listInferenceRecommendationsJobs    func(*sm.ListInferenceRecommendationsJobsInput) (*sm.ListInferenceRecommendationsJobsOutput, error)
	describeInferenceRecommendationsJob func(*sm.DescribeInferenceRecommendationsJobInput) (*sm.DescribeInferenceRecommendationsJobOutput, error)
	listOptimizationJobs                func(*sm.ListOptimizationJobsInput) (*sm.ListOptimizationJobsOutput, error)
	listJobs                            func(*sm.ListJobsInput) (*sm.ListJobsOutput, error)
	describeJob                         func(*sm.DescribeJobInput) (*sm.DescribeJobOutput, error)
	describeOptimizationJob             func(*sm.DescribeOptimizationJobInput) (*sm.DescribeOptimizationJobOutput, error)
	listTags                            func(*sm.ListTagsInput) (*sm.ListTagsOutput, error)
	// search unset answers as a Search without the resource type: the
	// Search collectors fall back to List + Describe, which the other
	// functions then serve.
	search func(*sm.SearchInput) (*sm.SearchOutput, error)
}

var _ JobsAPI = (*fakeJobsAPI)(nil)

func jobCall[I, O any](f *fakeJobsAPI, op string, fn func(I) (O, error), in I) (O, error) {
	if fn == nil {
		f.t.Errorf("unexpected call to %s", op)
		var zero O
		return zero, fmt.Errorf("fake: unexpected call to %s", op)
	}
	return fn(in)
}

func (f *fakeJobsAPI) ListProcessingJobs(_ context.Context, in *sm.ListProcessingJobsInput, _ ...func(*sm.Options)) (*sm.ListProcessingJobsOutput, error) {
	return jobCall(f, "ListProcessingJobs", f.listProcessingJobs, in)
}

func (f *fakeJobsAPI) DescribeProcessingJob(_ context.Context, in *sm.DescribeProcessingJobInput, _ ...func(*sm.Options)) (*sm.DescribeProcessingJobOutput, error) {
	return jobCall(f, "DescribeProcessingJob", f.describeProcessingJob, in)
}

func (f *fakeJobsAPI) ListTransformJobs(_ context.Context, in *sm.ListTransformJobsInput, _ ...func(*sm.Options)) (*sm.ListTransformJobsOutput, error) {
	return jobCall(f, "ListTransformJobs", f.listTransformJobs, in)
}

func (f *fakeJobsAPI) DescribeTransformJob(_ context.Context, in *sm.DescribeTransformJobInput, _ ...func(*sm.Options)) (*sm.DescribeTransformJobOutput, error) {
	return jobCall(f, "DescribeTransformJob", f.describeTransformJob, in)
}

func (f *fakeJobsAPI) DescribeModel(_ context.Context, in *sm.DescribeModelInput, _ ...func(*sm.Options)) (*sm.DescribeModelOutput, error) {
	return jobCall(f, "DescribeModel", f.describeModel, in)
}

func (f *fakeJobsAPI) ListHyperParameterTuningJobs(_ context.Context, in *sm.ListHyperParameterTuningJobsInput, _ ...func(*sm.Options)) (*sm.ListHyperParameterTuningJobsOutput, error) {
	return jobCall(f, "ListHyperParameterTuningJobs", f.listHyperParameterTuningJobs, in)
}

func (f *fakeJobsAPI) DescribeHyperParameterTuningJob(_ context.Context, in *sm.DescribeHyperParameterTuningJobInput, _ ...func(*sm.Options)) (*sm.DescribeHyperParameterTuningJobOutput, error) {
	return jobCall(f, "DescribeHyperParameterTuningJob", f.describeHyperParameterTuningJob, in)
}

func (f *fakeJobsAPI) ListAutoMLJobs(_ context.Context, in *sm.ListAutoMLJobsInput, _ ...func(*sm.Options)) (*sm.ListAutoMLJobsOutput, error) {
	return jobCall(f, "ListAutoMLJobs", f.listAutoMLJobs, in)
}

func (f *fakeJobsAPI) DescribeAutoMLJobV2(_ context.Context, in *sm.DescribeAutoMLJobV2Input, _ ...func(*sm.Options)) (*sm.DescribeAutoMLJobV2Output, error) {
	return jobCall(f, "DescribeAutoMLJobV2", f.describeAutoMLJobV2, in)
}

func (f *fakeJobsAPI) ListLabelingJobs(_ context.Context, in *sm.ListLabelingJobsInput, _ ...func(*sm.Options)) (*sm.ListLabelingJobsOutput, error) {
	return jobCall(f, "ListLabelingJobs", f.listLabelingJobs, in)
}

func (f *fakeJobsAPI) DescribeLabelingJob(_ context.Context, in *sm.DescribeLabelingJobInput, _ ...func(*sm.Options)) (*sm.DescribeLabelingJobOutput, error) {
	return jobCall(f, "DescribeLabelingJob", f.describeLabelingJob, in)
}

func (f *fakeJobsAPI) ListCompilationJobs(_ context.Context, in *sm.ListCompilationJobsInput, _ ...func(*sm.Options)) (*sm.ListCompilationJobsOutput, error) {
	return jobCall(f, "ListCompilationJobs", f.listCompilationJobs, in)
}

func (f *fakeJobsAPI) DescribeCompilationJob(_ context.Context, in *sm.DescribeCompilationJobInput, _ ...func(*sm.Options)) (*sm.DescribeCompilationJobOutput, error) {
	return jobCall(f, "DescribeCompilationJob", f.describeCompilationJob, in)
}

func (f *fakeJobsAPI) ListEdgePackagingJobs(_ context.Context, in *sm.ListEdgePackagingJobsInput, _ ...func(*sm.Options)) (*sm.ListEdgePackagingJobsOutput, error) {
	return jobCall(f, "ListEdgePackagingJobs", f.listEdgePackagingJobs, in)
}

func (f *fakeJobsAPI) DescribeEdgePackagingJob(_ context.Context, in *sm.DescribeEdgePackagingJobInput, _ ...func(*sm.Options)) (*sm.DescribeEdgePackagingJobOutput, error) {
	return jobCall(f, "DescribeEdgePackagingJob", f.describeEdgePackagingJob, in)
}

func (f *fakeJobsAPI) ListInferenceRecommendationsJobs(_ context.Context, in *sm.ListInferenceRecommendationsJobsInput, _ ...func(*sm.Options)) (*sm.ListInferenceRecommendationsJobsOutput, error) {
	return jobCall(f, "ListInferenceRecommendationsJobs", f.listInferenceRecommendationsJobs, in)
}

func (f *fakeJobsAPI) DescribeInferenceRecommendationsJob(_ context.Context, in *sm.DescribeInferenceRecommendationsJobInput, _ ...func(*sm.Options)) (*sm.DescribeInferenceRecommendationsJobOutput, error) {
	return jobCall(f, "DescribeInferenceRecommendationsJob", f.describeInferenceRecommendationsJob, in)
}

func (f *fakeJobsAPI) Search(_ context.Context, in *sm.SearchInput, _ ...func(*sm.Options)) (*sm.SearchOutput, error) {
	if f.search == nil {
		return nil, errNoSearch
	}
	return f.search(in)
}

func (f *fakeJobsAPI) ListJobs(_ context.Context, in *sm.ListJobsInput, _ ...func(*sm.Options)) (*sm.ListJobsOutput, error) {
	return jobCall(f, "ListJobs", f.listJobs, in)
}

func (f *fakeJobsAPI) DescribeJob(_ context.Context, in *sm.DescribeJobInput, _ ...func(*sm.Options)) (*sm.DescribeJobOutput, error) {
	return jobCall(f, "DescribeJob", f.describeJob, in)
}

func (f *fakeJobsAPI) ListOptimizationJobs(_ context.Context, in *sm.ListOptimizationJobsInput, _ ...func(*sm.Options)) (*sm.ListOptimizationJobsOutput, error) {
	return jobCall(f, "ListOptimizationJobs", f.listOptimizationJobs, in)
}

func (f *fakeJobsAPI) DescribeOptimizationJob(_ context.Context, in *sm.DescribeOptimizationJobInput, _ ...func(*sm.Options)) (*sm.DescribeOptimizationJobOutput, error) {
	return jobCall(f, "DescribeOptimizationJob", f.describeOptimizationJob, in)
}

func (f *fakeJobsAPI) ListTags(_ context.Context, in *sm.ListTagsInput, _ ...func(*sm.Options)) (*sm.ListTagsOutput, error) {
	return jobCall(f, "ListTags", f.listTags, in)
}

// runJobCollector runs the named job collector through collect.Run and
// checks the result against the catalog.
func runJobCollector(t *testing.T, api JobsAPI, name string) inventory.Inventory {
	t.Helper()
	return runNamed(t, JobCollectors(api), name)
}
