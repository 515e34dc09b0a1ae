package sagemaker

import (
	"context"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sm "github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"

	"github.com/sagekey/sagekey/internal/inventory"
)

// tuningJobSpec is the per-job List + Describe read of tuning jobs: the
// fallback of tuningSearch (search_kinds.go) and the read of event checks.
func tuningJobSpec(api JobsAPI) kindSpec {
	return kindSpec{
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
			return tuningResource("DescribeHyperParameterTuningJob", tuningFacts{
				arn: aws.ToString(out.HyperParameterTuningJobArn), name: aws.ToString(out.HyperParameterTuningJobName),
				createdAt: aws.ToTime(out.CreationTime), definition: out.TrainingJobDefinition, definitions: out.TrainingJobDefinitions,
			}), nil
		},
	}
}

// tuningFacts is the part of a tuning job the audit needs, from
// DescribeHyperParameterTuningJob or a Search record (the same fields).
type tuningFacts struct {
	arn, name   string
	createdAt   time.Time
	definition  *types.HyperParameterTrainingJobDefinition
	definitions []types.HyperParameterTrainingJobDefinition
}

// tuningResource builds a tuning job's resource; op names the call that
// returned f, for a slot that cannot be verified.
func tuningResource(op string, f tuningFacts) inventory.Resource {
	return inventory.Resource{
		ARN:            f.arn,
		Name:           f.name,
		CreatedAt:      f.createdAt,
		Slots:          tuningSlots(op, f),
		ExecutionRoles: tuningRoles(f),
	}
}

// tuningSlots gives each training job definition a volume and an output
// slot. With one definition (the usual case) the slots keep the plain
// names; with several each is suffixed with its definition name.
func tuningSlots(op string, out tuningFacts) []inventory.Slot {
	type def struct {
		name string
		d    *types.HyperParameterTrainingJobDefinition
	}
	var defs []def
	if out.definition != nil {
		defs = append(defs, def{"definition", out.definition})
	}
	for i := range out.definitions {
		d := &out.definitions[i]
		name := aws.ToString(d.DefinitionName)
		if name == "" {
			name = "definition-" + strconv.Itoa(i+1)
		}
		defs = append(defs, def{name, d})
	}
	if len(defs) == 0 {
		return []inventory.Slot{{
			Type: "volume", Name: "volume", Label: "ML storage volume",
			Unknown: "no training job definition returned by " + op + "; the keys cannot be verified",
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
func tuningRoles(f tuningFacts) []string {
	var roles []string
	if d := f.definition; d != nil {
		roles = append(roles, aws.ToString(d.RoleArn))
	}
	for _, d := range f.definitions {
		roles = append(roles, aws.ToString(d.RoleArn))
	}
	return executionRoles(roles...)
}
