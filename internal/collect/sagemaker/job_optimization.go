package sagemaker

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sm "github.com/aws/aws-sdk-go-v2/service/sagemaker"

	"github.com/sagekey/sagekey/internal/collect"
	"github.com/sagekey/sagekey/internal/inventory"
)

func optimizationJobCollector(api JobsAPI) collect.Collector {
	return kindCollector(api, "sagemaker:optimization-jobs", kindSpec{
		kind:       kindOptimizationJob,
		listOp:     "sagemaker:ListOptimizationJobs",
		describeOp: "sagemaker:DescribeOptimizationJob",
		source:     "sagemaker:DescribeOptimizationJob",
		list: func(ctx context.Context, since time.Time) ([]listed, error) {
			p := sm.NewListOptimizationJobsPaginator(api, &sm.ListOptimizationJobsInput{CreationTimeAfter: createdAfter(since), MaxResults: aws.Int32(listPageSize)})
			return listPages(ctx, p, func(o *sm.ListOptimizationJobsOutput) []listed {
				items := make([]listed, 0, len(o.OptimizationJobSummaries))
				for _, j := range o.OptimizationJobSummaries {
					items = append(items, listed{
						name:      aws.ToString(j.OptimizationJobName),
						arn:       aws.ToString(j.OptimizationJobArn),
						createdAt: aws.ToTime(j.CreationTime),
					})
				}
				return items
			})
		},
		describe: func(ctx context.Context, item listed) (inventory.Resource, error) {
			out, err := api.DescribeOptimizationJob(ctx, &sm.DescribeOptimizationJobInput{OptimizationJobName: aws.String(item.name)})
			if err != nil {
				return inventory.Resource{}, err
			}
			return inventory.Resource{
				ARN:            aws.ToString(out.OptimizationJobArn),
				Name:           aws.ToString(out.OptimizationJobName),
				CreatedAt:      aws.ToTime(out.CreationTime),
				Slots:          optimizationSlots(out),
				ExecutionRoles: executionRoles(aws.ToString(out.RoleArn)),
			}, nil
		},
	})
}

func optimizationSlots(out *sm.DescribeOptimizationJobOutput) []inventory.Slot {
	output := inventory.Slot{Type: "output", Name: "output", Label: "optimized model output in S3"}
	if oc := out.OutputConfig; oc != nil {
		output.KeyRef = aws.ToString(oc.KmsKeyId)
		output.OutputURI = aws.ToString(oc.S3OutputLocation)
	}
	return []inventory.Slot{output}
}
