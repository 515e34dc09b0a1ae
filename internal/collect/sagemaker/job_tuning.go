package sagemaker

import (
	"context"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sm "github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"

	"github.com/sagekey/sagekey/internal/collect"
	"github.com/sagekey/sagekey/internal/inventory"
)

func tuningJobCollector(api JobsAPI) collect.Collector {
	return kindCollector(api, "sagemaker:hyper-parameter-tuning-jobs", kindSpec{
		kind:       kindTuningJob,
		listOp:     "sagemaker:ListHyperParameterTuningJobs",
		describeOp: "sagemaker:DescribeHyperParameterTuningJob",
		source:     "sagemaker:DescribeHyperParameterTuningJob",
		list: func(ctx context.Context, since time.Time) ([]listed, error) {
			p := sm.NewListHyperParameterTuningJobsPaginator(api, &sm.ListHyperParameterTuningJobsInput{CreationTimeAfter: createdAfter(since), MaxResults: aws.Int32(listPageSize)})
			return listPages(ctx, p, func(o *sm.ListHyperParameterTuningJobsOutput) []listed {
				items := make([]listed, 0, len(o.HyperParameterTuningJobSummaries))
				for _, j := range o.HyperParameterTuningJobSummaries {
					items = append(items, listed{
						name:      aws.ToString(j.HyperParameterTuningJobName),
						arn:       aws.ToString(j.HyperParameterTuningJobArn),
						createdAt: aws.ToTime(j.CreationTime),
					})
				}
				return items
			})
		},
		describe: func(ctx context.Context, item listed) (inventory.Resource, error) {
			out, err := api.DescribeHyperParameterTuningJob(ctx, &sm.DescribeHyperParameterTuningJobInput{
				HyperParameterTuningJobName: aws.String(item.name),
			})
			if err != nil {
				return inventory.Resource{}, err
			}
			return inventory.Resource{
				ARN:            aws.ToString(out.HyperParameterTuningJobArn),
				Name:           aws.ToString(out.HyperParameterTuningJobName),
				CreatedAt:      aws.ToTime(out.CreationTime),
				Slots:          tuningSlots(out),
				ExecutionRoles: tuningRoles(out),
			}, nil
		},
	})
}

// tuningSlots gives each training job definition a volume and an output
// slot. With one definition (the usual case) the slots keep the plain
// names; with several each is suffixed with its definition name.
func tuningSlots(out *sm.DescribeHyperParameterTuningJobOutput) []inventory.Slot {
	type def struct {
		name string
		d    *types.HyperParameterTrainingJobDefinition
	}
	var defs []def
	if out.TrainingJobDefinition != nil {
		defs = append(defs, def{"definition", out.TrainingJobDefinition})
	}
	for i := range out.TrainingJobDefinitions {
		d := &out.TrainingJobDefinitions[i]
		name := aws.ToString(d.DefinitionName)
		if name == "" {
			name = "definition-" + strconv.Itoa(i+1)
		}
		defs = append(defs, def{name, d})
	}
	if len(defs) == 0 {
		return []inventory.Slot{{
			Type: "volume", Name: "volume", Label: "ML storage volume",
			Unknown: "no training job definition returned by DescribeHyperParameterTuningJob; the keys cannot be verified",
		}}
	}
	names := slotNames{}
	var slots []inventory.Slot
	for _, d := range defs {
		volume := inventory.Slot{Type: "volume", Name: "volume", Label: "ML storage volume"}
		output := inventory.Slot{Type: "output", Name: "output", Label: "model output in S3"}
		if len(defs) > 1 {
			volume.Name, volume.Label = "volume:"+d.name, "training definition "+d.name+": "+volume.Label
			output.Name, output.Label = "output:"+d.name, "training definition "+d.name+": "+output.Label
		}
		volume.Name, output.Name = names.unique(volume.Name), names.unique(output.Name)
		volume.KeyRef, volume.InstanceTypes = tuningVolume(d.d)
		if oc := d.d.OutputDataConfig; oc != nil {
			output.KeyRef = aws.ToString(oc.KmsKeyId)
			output.OutputURI = aws.ToString(oc.S3OutputPath)
		}
		slots = append(slots, volume, output)
	}
	return slots
}

// tuningVolume returns the volume key and instance types of one definition:
// ResourceConfig when set, else HyperParameterTuningResourceConfig.
func tuningVolume(d *types.HyperParameterTrainingJobDefinition) (string, []string) {
	var instanceTypes []string
	add := func(t types.TrainingInstanceType) {
		if t != "" {
			instanceTypes = appendUnique(instanceTypes, string(t))
		}
	}
	if rc := d.ResourceConfig; rc != nil {
		add(rc.InstanceType)
		for _, g := range rc.InstanceGroups {
			add(g.InstanceType)
		}
		return aws.ToString(rc.VolumeKmsKeyId), instanceTypes
	}
	if hc := d.HyperParameterTuningResourceConfig; hc != nil {
		add(hc.InstanceType)
		for _, c := range hc.InstanceConfigs {
			add(c.InstanceType)
		}
		return aws.ToString(hc.VolumeKmsKeyId), instanceTypes
	}
	return "", nil
}

// tuningRoles are the roles the tuning job's training jobs run as: one per
// training job definition.
func tuningRoles(out *sm.DescribeHyperParameterTuningJobOutput) []string {
	var roles []string
	if d := out.TrainingJobDefinition; d != nil {
		roles = append(roles, aws.ToString(d.RoleArn))
	}
	for _, d := range out.TrainingJobDefinitions {
		roles = append(roles, aws.ToString(d.RoleArn))
	}
	return executionRoles(roles...)
}
