package sagemaker

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sm "github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"

	"github.com/sagekey/sagekey/internal/awserr"
	"github.com/sagekey/sagekey/internal/inventory"
)

// monitoringDefinition is what the four Model Monitor job definition kinds
// share: they differ only in SDK types and names.
type monitoringDefinition struct {
	arn, name string
	createdAt time.Time
	resources *types.MonitoringResources
	output    *types.MonitoringOutputConfig
	role      string
}

// monitoringDefinitionKind adapts one job definition type.
type monitoringDefinitionKind struct {
	kind           string               // catalog kind id
	prefix         string               // "DataQuality": names the API calls
	monitoringType types.MonitoringType // how schedules refer to it
	list           func(ctx context.Context, api StudioAPI) ([]listed, error)
	describe       func(ctx context.Context, api StudioAPI, name string) (monitoringDefinition, error)
}

func (m monitoringDefinitionKind) describeOp() string {
	return "sagemaker:Describe" + m.prefix + "JobDefinition"
}

func monitoringDefinitionSummaries(s []types.MonitoringJobDefinitionSummary) []listed {
	items := make([]listed, 0, len(s))
	for _, d := range s {
		items = append(items, listed{
			name:      aws.ToString(d.MonitoringJobDefinitionName),
			arn:       aws.ToString(d.MonitoringJobDefinitionArn),
			createdAt: aws.ToTime(d.CreationTime),
		})
	}
	return items
}

var monitoringDefinitionKinds = []monitoringDefinitionKind{
	{
		kind: "data-quality-job-definition", prefix: "DataQuality", monitoringType: types.MonitoringTypeDataQuality,
		list: func(ctx context.Context, api StudioAPI) ([]listed, error) {
			p := sm.NewListDataQualityJobDefinitionsPaginator(api, &sm.ListDataQualityJobDefinitionsInput{MaxResults: aws.Int32(listPageSize)})
			return listPages(ctx, p, func(o *sm.ListDataQualityJobDefinitionsOutput) []listed {
				return monitoringDefinitionSummaries(o.JobDefinitionSummaries)
			})
		},
		describe: func(ctx context.Context, api StudioAPI, name string) (monitoringDefinition, error) {
			out, err := api.DescribeDataQualityJobDefinition(ctx, &sm.DescribeDataQualityJobDefinitionInput{JobDefinitionName: aws.String(name)})
			if err != nil {
				return monitoringDefinition{}, err
			}
			return monitoringDefinition{aws.ToString(out.JobDefinitionArn), aws.ToString(out.JobDefinitionName),
				aws.ToTime(out.CreationTime), out.JobResources, out.DataQualityJobOutputConfig, aws.ToString(out.RoleArn)}, nil
		},
	},
	{
		kind: "model-quality-job-definition", prefix: "ModelQuality", monitoringType: types.MonitoringTypeModelQuality,
		list: func(ctx context.Context, api StudioAPI) ([]listed, error) {
			p := sm.NewListModelQualityJobDefinitionsPaginator(api, &sm.ListModelQualityJobDefinitionsInput{MaxResults: aws.Int32(listPageSize)})
			return listPages(ctx, p, func(o *sm.ListModelQualityJobDefinitionsOutput) []listed {
				return monitoringDefinitionSummaries(o.JobDefinitionSummaries)
			})
		},
		describe: func(ctx context.Context, api StudioAPI, name string) (monitoringDefinition, error) {
			out, err := api.DescribeModelQualityJobDefinition(ctx, &sm.DescribeModelQualityJobDefinitionInput{JobDefinitionName: aws.String(name)})
			if err != nil {
				return monitoringDefinition{}, err
			}
			return monitoringDefinition{aws.ToString(out.JobDefinitionArn), aws.ToString(out.JobDefinitionName),
				aws.ToTime(out.CreationTime), out.JobResources, out.ModelQualityJobOutputConfig, aws.ToString(out.RoleArn)}, nil
		},
	},
	{
		kind: "model-bias-job-definition", prefix: "ModelBias", monitoringType: types.MonitoringTypeModelBias,
		list: func(ctx context.Context, api StudioAPI) ([]listed, error) {
			p := sm.NewListModelBiasJobDefinitionsPaginator(api, &sm.ListModelBiasJobDefinitionsInput{MaxResults: aws.Int32(listPageSize)})
			return listPages(ctx, p, func(o *sm.ListModelBiasJobDefinitionsOutput) []listed {
				return monitoringDefinitionSummaries(o.JobDefinitionSummaries)
			})
		},
		describe: func(ctx context.Context, api StudioAPI, name string) (monitoringDefinition, error) {
			out, err := api.DescribeModelBiasJobDefinition(ctx, &sm.DescribeModelBiasJobDefinitionInput{JobDefinitionName: aws.String(name)})
			if err != nil {
				return monitoringDefinition{}, err
			}
			return monitoringDefinition{aws.ToString(out.JobDefinitionArn), aws.ToString(out.JobDefinitionName),
				aws.ToTime(out.CreationTime), out.JobResources, out.ModelBiasJobOutputConfig, aws.ToString(out.RoleArn)}, nil
		},
	},
	{
		kind: "model-explainability-job-definition", prefix: "ModelExplainability", monitoringType: types.MonitoringTypeModelExplainability,
		list: func(ctx context.Context, api StudioAPI) ([]listed, error) {
			p := sm.NewListModelExplainabilityJobDefinitionsPaginator(api, &sm.ListModelExplainabilityJobDefinitionsInput{MaxResults: aws.Int32(listPageSize)})
			return listPages(ctx, p, func(o *sm.ListModelExplainabilityJobDefinitionsOutput) []listed {
				return monitoringDefinitionSummaries(o.JobDefinitionSummaries)
			})
		},
		describe: func(ctx context.Context, api StudioAPI, name string) (monitoringDefinition, error) {
			out, err := api.DescribeModelExplainabilityJobDefinition(ctx, &sm.DescribeModelExplainabilityJobDefinitionInput{JobDefinitionName: aws.String(name)})
			if err != nil {
				return monitoringDefinition{}, err
			}
			return monitoringDefinition{aws.ToString(out.JobDefinitionArn), aws.ToString(out.JobDefinitionName),
				aws.ToTime(out.CreationTime), out.JobResources, out.ModelExplainabilityJobOutputConfig, aws.ToString(out.RoleArn)}, nil
		},
	},
}

func monitoringDefinitionSpec(api StudioAPI, m monitoringDefinitionKind) kindSpec {
	return kindSpec{
		kind:       m.kind,
		listOp:     "sagemaker:List" + m.prefix + "JobDefinitions",
		describeOp: m.describeOp(),
		source:     m.describeOp(),
		list:       func(ctx context.Context, _ time.Time) ([]listed, error) { return m.list(ctx, api) },
		describe: func(ctx context.Context, item listed) (inventory.Resource, error) {
			d, err := m.describe(ctx, api, item.name)
			if err != nil {
				return inventory.Resource{}, err
			}
			return inventory.Resource{
				ARN: d.arn, Name: d.name, CreatedAt: d.createdAt,
				Slots:          monitoringSlots(d.resources, d.output),
				ExecutionRoles: executionRoles(d.role),
			}, nil
		},
	}
}

// monitoringSlots are the volume and output of a monitoring job, from a job
// definition or a schedule's inline definition.
func monitoringSlots(res *types.MonitoringResources, out *types.MonitoringOutputConfig) []inventory.Slot {
	volume := inventory.Slot{Type: "volume", Name: "volume", Label: "ML storage volume"}
	if res != nil && res.ClusterConfig != nil {
		volume.KeyRef = aws.ToString(res.ClusterConfig.VolumeKmsKeyId)
		if it := string(res.ClusterConfig.InstanceType); it != "" {
			volume.InstanceTypes = []string{it}
		}
	}
	output := inventory.Slot{Type: "output", Name: "output", Label: "monitoring output in S3"}
	if out != nil {
		output.KeyRef = aws.ToString(out.KmsKeyId)
		for _, o := range out.MonitoringOutputs {
			if o.S3Output != nil && aws.ToString(o.S3Output.S3Uri) != "" {
				output.OutputURI = aws.ToString(o.S3Output.S3Uri)
				break
			}
		}
	}
	return []inventory.Slot{volume, output}
}

func monitoringScheduleSpec(api StudioAPI) kindSpec {
	const describeOp = "sagemaker:DescribeMonitoringSchedule"
	return kindSpec{
		kind:       kindMonitoringSchedule,
		listOp:     "sagemaker:ListMonitoringSchedules",
		describeOp: describeOp,
		source:     describeOp,
		list: func(ctx context.Context, _ time.Time) ([]listed, error) {
			p := sm.NewListMonitoringSchedulesPaginator(api, &sm.ListMonitoringSchedulesInput{MaxResults: aws.Int32(listPageSize)})
			return listPages(ctx, p, func(o *sm.ListMonitoringSchedulesOutput) []listed {
				items := make([]listed, 0, len(o.MonitoringScheduleSummaries))
				for _, s := range o.MonitoringScheduleSummaries {
					items = append(items, listed{
						name:      aws.ToString(s.MonitoringScheduleName),
						arn:       aws.ToString(s.MonitoringScheduleArn),
						createdAt: aws.ToTime(s.CreationTime),
					})
				}
				return items
			})
		},
		describe: func(ctx context.Context, item listed) (inventory.Resource, error) {
			out, err := api.DescribeMonitoringSchedule(ctx, &sm.DescribeMonitoringScheduleInput{MonitoringScheduleName: aws.String(item.name)})
			if err != nil {
				return inventory.Resource{}, err
			}
			res := inventory.Resource{
				ARN:       aws.ToString(out.MonitoringScheduleArn),
				Name:      aws.ToString(out.MonitoringScheduleName),
				CreatedAt: aws.ToTime(out.CreationTime),
			}
			err = scheduleFacts(ctx, api, out, &res)
			return res, err
		},
	}
}

// scheduleFacts records the slots and role of a schedule's inline job
// definition or, when it refers to a definition by name, that definition's
// slots and role: the monitoring jobs run as it. A definition that cannot
// be read leaves one slot with an unknown key and unknown roles, so the
// verdicts are ERROR, never PASS. The error is only ever ctx's.
func scheduleFacts(ctx context.Context, api StudioAPI, out *sm.DescribeMonitoringScheduleOutput, res *inventory.Resource) error {
	const describeOp = "sagemaker:DescribeMonitoringSchedule"
	res.Source = describeOp
	cfg := out.MonitoringScheduleConfig
	if cfg != nil && cfg.MonitoringJobDefinition != nil {
		def := cfg.MonitoringJobDefinition
		res.Slots = monitoringSlots(def.MonitoringResources, def.MonitoringOutputConfig)
		res.ExecutionRoles = executionRoles(aws.ToString(def.RoleArn))
		return nil
	}
	var name string
	typ := out.MonitoringType
	if cfg != nil {
		name = aws.ToString(cfg.MonitoringJobDefinitionName)
		if cfg.MonitoringType != "" {
			typ = cfg.MonitoringType
		}
	}
	unknown := func(reason, rolesReason string) error {
		label := "job definition"
		if name != "" {
			label += " " + name
		}
		res.Slots = []inventory.Slot{{Type: "volume", Name: "definition", Label: label, Unknown: reason}}
		res.RolesUnknown = rolesReason
		return nil
	}
	if name == "" {
		const reason = describeOp + " returned neither an inline job definition nor a job definition name"
		return unknown(reason, reason)
	}
	var kind *monitoringDefinitionKind
	for i := range monitoringDefinitionKinds {
		if monitoringDefinitionKinds[i].monitoringType == typ {
			kind = &monitoringDefinitionKinds[i]
		}
	}
	if kind == nil {
		reason := fmt.Sprintf("monitoring type %q of job definition %s is not known to this auditor", typ, name)
		return unknown(reason, reason)
	}
	res.Source = describeOp + "+Describe" + kind.prefix + "JobDefinition"
	d, err := kind.describe(ctx, api, name)
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		// A schedule outlives a deleted definition: a real, reportable state.
		if awserr.Classify(err) == awserr.NotFound {
			return unknown(fmt.Sprintf("monitoring job definition %s no longer exists; the schedule's keys cannot be verified", name),
				fmt.Sprintf("monitoring job definition %s no longer exists", name))
		}
		reason := awserr.Reason(kind.describeOp(), err)
		return unknown(reason, fmt.Sprintf("monitoring job definition %s could not be described: %s", name, reason))
	}
	res.Slots = monitoringSlots(d.resources, d.output)
	for i := range res.Slots {
		res.Slots[i].Name = "definition:" + res.Slots[i].Name
		res.Slots[i].Label = fmt.Sprintf("job definition %s: %s", name, res.Slots[i].Label)
	}
	res.ExecutionRoles = executionRoles(d.role)
	return nil
}
