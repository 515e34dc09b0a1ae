package sagemaker

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sm "github.com/aws/aws-sdk-go-v2/service/sagemaker"

	"github.com/sagekey/sagekey/internal/collect"
	"github.com/sagekey/sagekey/internal/inventory"
)

// transformJobCollector reads transform jobs. A job runs as its model's
// execution role, read through models, which the hosting collector shares.
func transformJobCollector(api JobsAPI, models *modelRoles) collect.Collector {
	return collector{
		name:  "sagemaker:transform-jobs",
		kinds: []string{kindTransformJob},
		run: func(ctx context.Context, t collect.Target, sink collect.Sink) error {
			return collectKind(ctx, api, t, sink, transformJobSpec(api, models, t))
		},
	}
}

// transformJobSpec is built per run: models are cached per target.
func transformJobSpec(api JobsAPI, models *modelRoles, t collect.Target) kindSpec {
	return kindSpec{
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
			// No ModelName: collectKind records that the role is unknown.
			res := inventory.Resource{
				ARN:       aws.ToString(out.TransformJobArn),
				Name:      aws.ToString(out.TransformJobName),
				CreatedAt: aws.ToTime(out.CreationTime),
				Slots:     transformSlots(out),
			}
			if model := aws.ToString(out.ModelName); model != "" {
				res.ExecutionRoles, res.RolesUnknown, err = models.rolesOf(ctx, t, []string{model})
			}
			return res, err
		},
	}
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
