package sagemaker

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sm "github.com/aws/aws-sdk-go-v2/service/sagemaker"

	"github.com/sagekey/sagekey/internal/collect"
	"github.com/sagekey/sagekey/internal/inventory"
)

func labelingJobCollector(api JobsAPI) collect.Collector {
	return kindCollector(api, "sagemaker:labeling-jobs", kindSpec{
		kind:       kindLabelingJob,
		listOp:     "sagemaker:ListLabelingJobs",
		describeOp: "sagemaker:DescribeLabelingJob",
		source:     "sagemaker:DescribeLabelingJob",
		list: func(ctx context.Context, since time.Time) ([]listed, error) {
			p := sm.NewListLabelingJobsPaginator(api, &sm.ListLabelingJobsInput{CreationTimeAfter: createdAfter(since), MaxResults: aws.Int32(listPageSize)})
			return listPages(ctx, p, func(o *sm.ListLabelingJobsOutput) []listed {
				items := make([]listed, 0, len(o.LabelingJobSummaryList))
				for _, j := range o.LabelingJobSummaryList {
					items = append(items, listed{
						name:      aws.ToString(j.LabelingJobName),
						arn:       aws.ToString(j.LabelingJobArn),
						createdAt: aws.ToTime(j.CreationTime),
					})
				}
				return items
			})
		},
		describe: func(ctx context.Context, item listed) (inventory.Resource, error) {
			out, err := api.DescribeLabelingJob(ctx, &sm.DescribeLabelingJobInput{LabelingJobName: aws.String(item.name)})
			if err != nil {
				return inventory.Resource{}, err
			}
			return inventory.Resource{
				ARN:            aws.ToString(out.LabelingJobArn),
				Name:           aws.ToString(out.LabelingJobName),
				CreatedAt:      aws.ToTime(out.CreationTime),
				Slots:          labelingSlots(out),
				ExecutionRoles: executionRoles(aws.ToString(out.RoleArn)),
			}, nil
		},
	})
}

// labelingSlots: the volume exists only with automated labeling.
func labelingSlots(out *sm.DescribeLabelingJobOutput) []inventory.Slot {
	output := inventory.Slot{Type: "output", Name: "output", Label: "labeling output in S3"}
	if oc := out.OutputConfig; oc != nil {
		output.KeyRef = aws.ToString(oc.KmsKeyId)
		output.OutputURI = aws.ToString(oc.S3OutputPath)
	}
	slots := []inventory.Slot{output}
	if ac := out.LabelingJobAlgorithmsConfig; ac != nil {
		volume := inventory.Slot{Type: "volume", Name: "volume", Label: "automated labeling ML storage volume"}
		if rc := ac.LabelingJobResourceConfig; rc != nil {
			volume.KeyRef = aws.ToString(rc.VolumeKmsKeyId)
		}
		slots = append(slots, volume)
	}
	return slots
}
