package sagemaker

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sm "github.com/aws/aws-sdk-go-v2/service/sagemaker"

	"github.com/sagekey/sagekey/internal/inventory"
)

func inferenceExperimentSpec(api StudioAPI) kindSpec {
	return kindSpec{
		kind:       kindInferenceExperiment,
		listOp:     "sagemaker:ListInferenceExperiments",
		describeOp: "sagemaker:DescribeInferenceExperiment",
		source:     "sagemaker:DescribeInferenceExperiment",
		list: func(ctx context.Context, _ time.Time) ([]listed, error) {
			p := sm.NewListInferenceExperimentsPaginator(api, &sm.ListInferenceExperimentsInput{MaxResults: aws.Int32(listPageSize)})
			return listPages(ctx, p, func(o *sm.ListInferenceExperimentsOutput) []listed {
				items := make([]listed, 0, len(o.InferenceExperiments))
				for _, e := range o.InferenceExperiments {
					items = append(items, listed{name: aws.ToString(e.Name), createdAt: aws.ToTime(e.CreationTime)})
				}
				return items
			})
		},
		describe: func(ctx context.Context, item listed) (inventory.Resource, error) {
			out, err := api.DescribeInferenceExperiment(ctx, &sm.DescribeInferenceExperimentInput{Name: aws.String(item.name)})
			if err != nil {
				return inventory.Resource{}, err
			}
			return inventory.Resource{
				ARN: aws.ToString(out.Arn), Name: aws.ToString(out.Name),
				CreatedAt: aws.ToTime(out.CreationTime), Slots: inferenceExperimentSlots(out),
				ExecutionRoles: executionRoles(aws.ToString(out.RoleArn)),
			}, nil
		},
	}
}

func inferenceExperimentSlots(out *sm.DescribeInferenceExperimentOutput) []inventory.Slot {
	volume := inventory.Slot{Type: "volume", Name: "volume", Label: "ML storage volume", KeyRef: aws.ToString(out.KmsKey)}
	for _, v := range out.ModelVariants {
		if c := v.InfrastructureConfig; c != nil && c.RealTimeInferenceConfig != nil && c.RealTimeInferenceConfig.InstanceType != "" {
			volume.InstanceTypes = appendUnique(volume.InstanceTypes, string(c.RealTimeInferenceConfig.InstanceType))
		}
	}
	slots := []inventory.Slot{volume}
	if d := out.DataStorageConfig; d != nil {
		slots = append(slots, inventory.Slot{
			Type: "data-storage", Name: "data-storage", Label: "captured shadow-test data in S3",
			KeyRef: aws.ToString(d.KmsKey), OutputURI: aws.ToString(d.Destination),
		})
	}
	return slots
}

func deviceFleetSpec(api StudioAPI) kindSpec {
	return kindSpec{
		kind:       kindDeviceFleet,
		listOp:     "sagemaker:ListDeviceFleets",
		describeOp: "sagemaker:DescribeDeviceFleet",
		source:     "sagemaker:DescribeDeviceFleet",
		list: func(ctx context.Context, _ time.Time) ([]listed, error) {
			p := sm.NewListDeviceFleetsPaginator(api, &sm.ListDeviceFleetsInput{MaxResults: aws.Int32(listPageSize)})
			return listPages(ctx, p, func(o *sm.ListDeviceFleetsOutput) []listed {
				items := make([]listed, 0, len(o.DeviceFleetSummaries))
				for _, f := range o.DeviceFleetSummaries {
					items = append(items, listed{
						name: aws.ToString(f.DeviceFleetName), arn: aws.ToString(f.DeviceFleetArn), createdAt: aws.ToTime(f.CreationTime),
					})
				}
				return items
			})
		},
		describe: func(ctx context.Context, item listed) (inventory.Resource, error) {
			out, err := api.DescribeDeviceFleet(ctx, &sm.DescribeDeviceFleetInput{DeviceFleetName: aws.String(item.name)})
			if err != nil {
				return inventory.Resource{}, err
			}
			slot := inventory.Slot{Type: "output", Name: "output", Label: "device fleet output in S3"}
			if o := out.OutputConfig; o != nil {
				slot.KeyRef, slot.OutputURI = aws.ToString(o.KmsKeyId), aws.ToString(o.S3OutputLocation)
			}
			return inventory.Resource{
				ARN: aws.ToString(out.DeviceFleetArn), Name: aws.ToString(out.DeviceFleetName),
				CreatedAt: aws.ToTime(out.CreationTime), Slots: []inventory.Slot{slot},
				ExecutionRoles: executionRoles(aws.ToString(out.RoleArn)),
			}, nil
		},
	}
}

func flowDefinitionSpec(api StudioAPI) kindSpec {
	return kindSpec{
		kind:       kindFlowDefinition,
		listOp:     "sagemaker:ListFlowDefinitions",
		describeOp: "sagemaker:DescribeFlowDefinition",
		source:     "sagemaker:DescribeFlowDefinition",
		list: func(ctx context.Context, _ time.Time) ([]listed, error) {
			p := sm.NewListFlowDefinitionsPaginator(api, &sm.ListFlowDefinitionsInput{MaxResults: aws.Int32(listPageSize)})
			return listPages(ctx, p, func(o *sm.ListFlowDefinitionsOutput) []listed {
				items := make([]listed, 0, len(o.FlowDefinitionSummaries))
				for _, f := range o.FlowDefinitionSummaries {
					items = append(items, listed{
						name: aws.ToString(f.FlowDefinitionName), arn: aws.ToString(f.FlowDefinitionArn), createdAt: aws.ToTime(f.CreationTime),
					})
				}
				return items
			})
		},
		describe: func(ctx context.Context, item listed) (inventory.Resource, error) {
			out, err := api.DescribeFlowDefinition(ctx, &sm.DescribeFlowDefinitionInput{FlowDefinitionName: aws.String(item.name)})
			if err != nil {
				return inventory.Resource{}, err
			}
			slot := inventory.Slot{Type: "output", Name: "output", Label: "human review output in S3"}
			if o := out.OutputConfig; o != nil {
				slot.KeyRef, slot.OutputURI = aws.ToString(o.KmsKeyId), aws.ToString(o.S3OutputPath)
			}
			return inventory.Resource{
				ARN: aws.ToString(out.FlowDefinitionArn), Name: aws.ToString(out.FlowDefinitionName),
				CreatedAt: aws.ToTime(out.CreationTime), Slots: []inventory.Slot{slot},
				ExecutionRoles: executionRoles(aws.ToString(out.RoleArn)),
			}, nil
		},
	}
}

func partnerAppSpec(api StudioAPI) kindSpec {
	return kindSpec{
		kind:       kindPartnerApp,
		listOp:     "sagemaker:ListPartnerApps",
		describeOp: "sagemaker:DescribePartnerApp",
		source:     "sagemaker:DescribePartnerApp",
		list: func(ctx context.Context, _ time.Time) ([]listed, error) {
			p := sm.NewListPartnerAppsPaginator(api, &sm.ListPartnerAppsInput{MaxResults: aws.Int32(listPageSize)})
			return listPages(ctx, p, func(o *sm.ListPartnerAppsOutput) []listed {
				items := make([]listed, 0, len(o.Summaries))
				for _, a := range o.Summaries {
					items = append(items, listed{name: aws.ToString(a.Name), arn: aws.ToString(a.Arn), createdAt: aws.ToTime(a.CreationTime)})
				}
				return items
			})
		},
		describe: func(ctx context.Context, item listed) (inventory.Resource, error) {
			out, err := api.DescribePartnerApp(ctx, &sm.DescribePartnerAppInput{Arn: aws.String(item.arn)})
			if err != nil {
				return inventory.Resource{}, err
			}
			return inventory.Resource{
				ARN: aws.ToString(out.Arn), Name: aws.ToString(out.Name), CreatedAt: aws.ToTime(out.CreationTime),
				Slots:          []inventory.Slot{{Type: "content", Name: "content", Label: "partner app data", KeyRef: aws.ToString(out.KmsKeyId)}},
				ExecutionRoles: executionRoles(aws.ToString(out.ExecutionRoleArn)),
			}, nil
		},
	}
}
