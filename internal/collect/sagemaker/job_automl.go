package sagemaker

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sm "github.com/aws/aws-sdk-go-v2/service/sagemaker"

	"github.com/sagekey/sagekey/internal/collect"
	"github.com/sagekey/sagekey/internal/inventory"
)

func autoMLJobCollector(api JobsAPI) collect.Collector {
	return kindCollector(api, "sagemaker:auto-ml-jobs", kindSpec{
		kind:       kindAutoMLJob,
		listOp:     "sagemaker:ListAutoMLJobs",
		describeOp: "sagemaker:DescribeAutoMLJobV2",
		source:     "sagemaker:DescribeAutoMLJobV2",
		list: func(ctx context.Context, since time.Time) ([]listed, error) {
			p := sm.NewListAutoMLJobsPaginator(api, &sm.ListAutoMLJobsInput{CreationTimeAfter: createdAfter(since), MaxResults: aws.Int32(listPageSize)})
			return listPages(ctx, p, func(o *sm.ListAutoMLJobsOutput) []listed {
				items := make([]listed, 0, len(o.AutoMLJobSummaries))
				for _, j := range o.AutoMLJobSummaries {
					items = append(items, listed{
						name:      aws.ToString(j.AutoMLJobName),
						arn:       aws.ToString(j.AutoMLJobArn),
						createdAt: aws.ToTime(j.CreationTime),
					})
				}
				return items
			})
		},
		describe: func(ctx context.Context, item listed) (inventory.Resource, error) {
			out, err := api.DescribeAutoMLJobV2(ctx, &sm.DescribeAutoMLJobV2Input{AutoMLJobName: aws.String(item.name)})
			if err != nil {
				return inventory.Resource{}, err
			}
			return inventory.Resource{
				ARN:            aws.ToString(out.AutoMLJobArn),
				Name:           aws.ToString(out.AutoMLJobName),
				CreatedAt:      aws.ToTime(out.CreationTime),
				Slots:          autoMLSlots(out),
				ExecutionRoles: executionRoles(aws.ToString(out.RoleArn)),
			}, nil
		},
	})
}

// autoMLSlots reads DescribeAutoMLJobV2, which describes jobs created by
// CreateAutoMLJob and CreateAutoMLJobV2 alike.
func autoMLSlots(out *sm.DescribeAutoMLJobV2Output) []inventory.Slot {
	volume := inventory.Slot{Type: "volume", Name: "volume", Label: "ML storage volume"}
	if sc := out.SecurityConfig; sc != nil {
		volume.KeyRef = aws.ToString(sc.VolumeKmsKeyId)
	}
	output := inventory.Slot{Type: "output", Name: "output", Label: "AutoML output in S3"}
	if oc := out.OutputDataConfig; oc != nil {
		output.KeyRef = aws.ToString(oc.KmsKeyId)
		output.OutputURI = aws.ToString(oc.S3OutputPath)
	}
	return []inventory.Slot{volume, output}
}
