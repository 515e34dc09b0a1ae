package sagemaker

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sm "github.com/aws/aws-sdk-go-v2/service/sagemaker"

	"github.com/sagekey/sagekey/internal/collect"
	"github.com/sagekey/sagekey/internal/inventory"
)

func compilationJobCollector(api JobsAPI) collect.Collector {
	return kindCollector(api, "sagemaker:compilation-jobs", kindSpec{
		kind:       kindCompilationJob,
		listOp:     "sagemaker:ListCompilationJobs",
		describeOp: "sagemaker:DescribeCompilationJob",
		source:     "sagemaker:DescribeCompilationJob",
		list: func(ctx context.Context, since time.Time) ([]listed, error) {
			p := sm.NewListCompilationJobsPaginator(api, &sm.ListCompilationJobsInput{CreationTimeAfter: createdAfter(since), MaxResults: aws.Int32(listPageSize)})
			return listPages(ctx, p, func(o *sm.ListCompilationJobsOutput) []listed {
				items := make([]listed, 0, len(o.CompilationJobSummaries))
				for _, j := range o.CompilationJobSummaries {
					items = append(items, listed{
						name:      aws.ToString(j.CompilationJobName),
						arn:       aws.ToString(j.CompilationJobArn),
						createdAt: aws.ToTime(j.CreationTime),
					})
				}
				return items
			})
		},
		describe: func(ctx context.Context, item listed) (inventory.Resource, error) {
			out, err := api.DescribeCompilationJob(ctx, &sm.DescribeCompilationJobInput{CompilationJobName: aws.String(item.name)})
			if err != nil {
				return inventory.Resource{}, err
			}
			return inventory.Resource{
				ARN:            aws.ToString(out.CompilationJobArn),
				Name:           aws.ToString(out.CompilationJobName),
				CreatedAt:      aws.ToTime(out.CreationTime),
				Slots:          compilationSlots(out),
				ExecutionRoles: executionRoles(aws.ToString(out.RoleArn)),
			}, nil
		},
	})
}

func compilationSlots(out *sm.DescribeCompilationJobOutput) []inventory.Slot {
	output := inventory.Slot{Type: "output", Name: "output", Label: "compiled model output in S3"}
	if oc := out.OutputConfig; oc != nil {
		output.KeyRef = aws.ToString(oc.KmsKeyId)
		output.OutputURI = aws.ToString(oc.S3OutputLocation)
	}
	return []inventory.Slot{output}
}
