package sagemaker

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sm "github.com/aws/aws-sdk-go-v2/service/sagemaker"

	"github.com/sagekey/sagekey/internal/collect"
	"github.com/sagekey/sagekey/internal/inventory"
)

func recommendationsJobCollector(api JobsAPI) collect.Collector {
	return kindCollector(api, "sagemaker:inference-recommendations-jobs", kindSpec{
		kind:       kindRecommendationsJob,
		listOp:     "sagemaker:ListInferenceRecommendationsJobs",
		describeOp: "sagemaker:DescribeInferenceRecommendationsJob",
		source:     "sagemaker:DescribeInferenceRecommendationsJob",
		list: func(ctx context.Context, since time.Time) ([]listed, error) {
			p := sm.NewListInferenceRecommendationsJobsPaginator(api, &sm.ListInferenceRecommendationsJobsInput{CreationTimeAfter: createdAfter(since), MaxResults: aws.Int32(listPageSize)})
			return listPages(ctx, p, func(o *sm.ListInferenceRecommendationsJobsOutput) []listed {
				items := make([]listed, 0, len(o.InferenceRecommendationsJobs))
				for _, j := range o.InferenceRecommendationsJobs {
					items = append(items, listed{
						name:      aws.ToString(j.JobName),
						arn:       aws.ToString(j.JobArn),
						createdAt: aws.ToTime(j.CreationTime),
					})
				}
				return items
			})
		},
		describe: func(ctx context.Context, item listed) (inventory.Resource, error) {
			out, err := api.DescribeInferenceRecommendationsJob(ctx, &sm.DescribeInferenceRecommendationsJobInput{JobName: aws.String(item.name)})
			if err != nil {
				return inventory.Resource{}, err
			}
			return inventory.Resource{
				ARN:            aws.ToString(out.JobArn),
				Name:           aws.ToString(out.JobName),
				CreatedAt:      aws.ToTime(out.CreationTime),
				Slots:          recommendationsSlots(out),
				ExecutionRoles: executionRoles(aws.ToString(out.RoleArn)),
			}, nil
		},
	})
}

// recommendationOutputUnknown is why the output key of an Inference
// Recommender job can never be verified.
const recommendationOutputUnknown = "the output key (OutputConfig.KmsKeyId) is accepted on create but not returned by " +
	"DescribeInferenceRecommendationsJob, so it cannot be audited"

func recommendationsSlots(out *sm.DescribeInferenceRecommendationsJobOutput) []inventory.Slot {
	volume := inventory.Slot{Type: "volume", Name: "volume", Label: "ML storage volume of the benchmark endpoints"}
	if ic := out.InputConfig; ic != nil {
		volume.KeyRef = aws.ToString(ic.VolumeKmsKeyId)
		for _, ec := range ic.EndpointConfigurations {
			if ec.InstanceType != "" {
				volume.InstanceTypes = appendUnique(volume.InstanceTypes, string(ec.InstanceType))
			}
		}
	}
	// Always unknown: the job can never PASS on what Describe returns.
	output := inventory.Slot{Type: "output", Name: "output", Label: "recommendation output in S3",
		Unknown: recommendationOutputUnknown}
	return []inventory.Slot{volume, output}
}
