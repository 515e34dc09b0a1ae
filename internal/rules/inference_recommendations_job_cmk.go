package rules

import (
	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/inventory"
)

// recommenderOutputUnknown is what the collector records for every
// Inference Recommender job: Describe never returns the output key.
const recommenderOutputUnknown = "the output key (OutputConfig.KmsKeyId) is accepted on create but not " +
	"returned by DescribeInferenceRecommendationsJob, so it cannot be audited"

// InferenceRecommendationsJobCMK checks Inference Recommender jobs. It can
// report FAIL or ERROR but never PASS: half of the job's keys are unreadable.
func InferenceRecommendationsJobCMK() Rule {
	r := cmkRule("inference-recommendations-job",
		"Inference Recommender deploys the model on test endpoints and writes results to S3. Its output key is "+
			"accepted on create but never returned by Describe, so it cannot be audited after the fact: this check "+
			"reports it and never passes.")
	r.NeverPasses = recommenderOutputUnknown
	job := func(volumeKey string) *inventory.Resource {
		return &inventory.Resource{Kind: r.Kind, Name: "example", Account: ExampleAccount, Region: ExampleRegion,
			ARN: "arn:aws:sagemaker:us-east-1:111122223333:inference-recommendations-job/example",
			Slots: []inventory.Slot{
				{Type: "volume", Name: "volume", Label: "ML storage volume", KeyRef: volumeKey, InstanceTypes: []string{"ml.m5.xlarge"}},
				{Type: "output", Name: "output", Label: "recommendation output in S3", Unknown: recommenderOutputUnknown},
			}}
	}
	r.Examples = []Example{
		{Name: "volume keyed; output key unreadable", Want: finding.Error, Resource: job(exampleHealthyKey)},
		{Name: "no volume key", Want: finding.Fail, Resource: job("")},
	}
	return r
}
