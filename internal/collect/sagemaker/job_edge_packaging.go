package sagemaker

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sm "github.com/aws/aws-sdk-go-v2/service/sagemaker"

	"github.com/sagekey/sagekey/internal/collect"
	"github.com/sagekey/sagekey/internal/inventory"
)

func edgePackagingJobCollector(api JobsAPI) collect.Collector {
	return kindCollector(api, "sagemaker:edge-packaging-jobs", kindSpec{
		kind:       kindEdgePackagingJob,
		listOp:     "sagemaker:ListEdgePackagingJobs",
		describeOp: "sagemaker:DescribeEdgePackagingJob",
		source:     "sagemaker:DescribeEdgePackagingJob",
		list: func(ctx context.Context, since time.Time) ([]listed, error) {
			p := sm.NewListEdgePackagingJobsPaginator(api, &sm.ListEdgePackagingJobsInput{CreationTimeAfter: createdAfter(since), MaxResults: aws.Int32(listPageSize)})
			return listPages(ctx, p, func(o *sm.ListEdgePackagingJobsOutput) []listed {
				items := make([]listed, 0, len(o.EdgePackagingJobSummaries))
				for _, j := range o.EdgePackagingJobSummaries {
					items = append(items, listed{
						name:      aws.ToString(j.EdgePackagingJobName),
						arn:       aws.ToString(j.EdgePackagingJobArn),
						createdAt: aws.ToTime(j.CreationTime),
					})
				}
				return items
			})
		},
		describe: func(ctx context.Context, item listed) (inventory.Resource, error) {
			out, err := api.DescribeEdgePackagingJob(ctx, &sm.DescribeEdgePackagingJobInput{EdgePackagingJobName: aws.String(item.name)})
			if err != nil {
				return inventory.Resource{}, err
			}
			return inventory.Resource{
				ARN:            aws.ToString(out.EdgePackagingJobArn),
				Name:           aws.ToString(out.EdgePackagingJobName),
				CreatedAt:      aws.ToTime(out.CreationTime),
				Slots:          edgePackagingSlots(out),
				ExecutionRoles: executionRoles(aws.ToString(out.RoleArn)),
			}, nil
		},
	})
}

func edgePackagingSlots(out *sm.DescribeEdgePackagingJobOutput) []inventory.Slot {
	output := inventory.Slot{Type: "output", Name: "output", Label: "packaged model output in S3"}
	if oc := out.OutputConfig; oc != nil {
		output.KeyRef = aws.ToString(oc.KmsKeyId)
		output.OutputURI = aws.ToString(oc.S3OutputLocation)
	}
	volume := inventory.Slot{Type: "volume", Name: "volume", Label: "EBS volume the packaging job runs on (ResourceKey)",
		KeyRef: aws.ToString(out.ResourceKey)}
	return []inventory.Slot{output, volume}
}
