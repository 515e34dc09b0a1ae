package sagemaker

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sm "github.com/aws/aws-sdk-go-v2/service/sagemaker"

	"github.com/sagekey/sagekey/internal/collect"
	"github.com/sagekey/sagekey/internal/inventory"
)

func transformJobCollector(api JobsAPI) collect.Collector {
	return kindCollector(api, "sagemaker:transform-jobs", kindSpec{
		kind:       kindTransformJob,
		listOp:     "sagemaker:ListTransformJobs",
		describeOp: "sagemaker:DescribeTransformJob",
		source:     "sagemaker:DescribeTransformJob",
		list: func(ctx context.Context, since time.Time) ([]listed, error) {
			p := sm.NewListTransformJobsPaginator(api, &sm.ListTransformJobsInput{CreationTimeAfter: createdAfter(since), MaxResults: aws.Int32(listPageSize)})
			return listPages(ctx, p, func(o *sm.ListTransformJobsOutput) []listed {
				items := make([]listed, 0, len(o.TransformJobSummaries))
				for _, j := range o.TransformJobSummaries {
					items = append(items, listed{
						name:      aws.ToString(j.TransformJobName),
						arn:       aws.ToString(j.TransformJobArn),
						createdAt: aws.ToTime(j.CreationTime),
					})
				}
				return items
			})
		},
		describe: func(ctx context.Context, item listed) (inventory.Resource, error) {
			out, err := api.DescribeTransformJob(ctx, &sm.DescribeTransformJobInput{TransformJobName: aws.String(item.name)})
			if err != nil {
				return inventory.Resource{}, err
			}
			return inventory.Resource{
				ARN:       aws.ToString(out.TransformJobArn),
				Name:      aws.ToString(out.TransformJobName),
				CreatedAt: aws.ToTime(out.CreationTime),
				Slots:     transformSlots(out),
			}, nil
		},
	})
}

func transformSlots(out *sm.DescribeTransformJobOutput) []inventory.Slot {
	volume := inventory.Slot{Type: "volume", Name: "volume", Label: "ML storage volume"}
	if tr := out.TransformResources; tr != nil {
		volume.KeyRef = aws.ToString(tr.VolumeKmsKeyId)
		if tr.InstanceType != "" {
			volume.InstanceTypes = []string{string(tr.InstanceType)}
		}
	}
	output := inventory.Slot{Type: "output", Name: "output", Label: "transform output in S3"}
	if to := out.TransformOutput; to != nil {
		output.KeyRef = aws.ToString(to.KmsKeyId)
		output.OutputURI = aws.ToString(to.S3OutputPath)
	}
	slots := []inventory.Slot{volume, output}
	if dc := out.DataCaptureConfig; dc != nil && aws.ToString(dc.DestinationS3Uri) != "" {
		slots = append(slots, inventory.Slot{
			Type: "data-capture", Name: "data-capture", Label: "captured batch inference data in S3",
			KeyRef: aws.ToString(dc.KmsKeyId), OutputURI: aws.ToString(dc.DestinationS3Uri),
		})
	}
	return slots
}
