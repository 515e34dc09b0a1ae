package sagemaker

import (
	"context"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sm "github.com/aws/aws-sdk-go-v2/service/sagemaker"

	"github.com/sagekey/sagekey/internal/collect"
	"github.com/sagekey/sagekey/internal/inventory"
)

const kindPipeline = "pipeline"

// pipelineCollector reports each pipeline with the key slots of the jobs
// its steps would create, read from its definition, and the roles those
// jobs run as. A pipeline is judged as a template: the jobs of past
// executions are judged as jobs. Models its transform steps name are read
// through models, which AllCollectors shares with the hosting collector.
func pipelineCollector(api PipelineAPI, models *modelRoles) collect.Collector {
	return collector{
		name:  "sagemaker:pipelines",
		kinds: []string{kindPipeline},
		run: func(ctx context.Context, t collect.Target, sink collect.Sink) error {
			return collectKind(ctx, api, t, sink, pipelineSpec(api, models, t))
		},
	}
}

// pipelineSpec is built per run: models are cached per target.
func pipelineSpec(api PipelineAPI, models *modelRoles, t collect.Target) kindSpec {
	return kindSpec{
		kind:       kindPipeline,
		listOp:     "sagemaker:ListPipelines",
		describeOp: "sagemaker:DescribePipeline",
		source:     "sagemaker:DescribePipeline",
		list: func(ctx context.Context, _ time.Time) ([]listed, error) {
			p := sm.NewListPipelinesPaginator(api, &sm.ListPipelinesInput{MaxResults: aws.Int32(listPageSize)})
			return listPages(ctx, p, func(o *sm.ListPipelinesOutput) []listed {
				items := make([]listed, 0, len(o.PipelineSummaries))
				for _, s := range o.PipelineSummaries {
					items = append(items, listed{
						name:      aws.ToString(s.PipelineName),
						arn:       aws.ToString(s.PipelineArn),
						createdAt: aws.ToTime(s.CreationTime),
					})
				}
				return items
			})
		},
		describe: func(ctx context.Context, item listed) (inventory.Resource, error) {
			out, err := api.DescribePipeline(ctx, &sm.DescribePipelineInput{PipelineName: aws.String(item.name)})
			if err != nil {
				return inventory.Resource{}, err
			}
			return pipelineResource(ctx, models, t, out)
		},
	}
}

// pipelineResource reads a described pipeline's definition. The error is
// only ever ctx's.
func pipelineResource(ctx context.Context, models *modelRoles, t collect.Target, out *sm.DescribePipelineOutput) (inventory.Resource, error) {
	res := inventory.Resource{
		ARN:       aws.ToString(out.PipelineArn),
		Name:      aws.ToString(out.PipelineName),
		CreatedAt: aws.ToTime(out.CreationTime),
	}
	def, err := parsePipeline(aws.ToString(out.PipelineDefinition))
	if err != nil {
		// The pipeline exists but its keys and roles cannot be told: ERROR,
		// never PASS.
		reason := "pipeline definition could not be parsed: " + err.Error()
		res.Slots, res.RolesUnknown = []inventory.Slot{inventory.UnreadableSlot(reason)}, reason
		return res, nil
	}
	modelRoles, modelsUnknown, err := models.rolesOf(ctx, t, def.models)
	if err != nil {
		return inventory.Resource{}, err
	}
	res.Slots = def.slots
	for i := range res.Slots {
		res.Slots[i].Role = stepRole(ctx, models, t, def, def.slotSteps[i])
	}
	res.ExecutionRoles = executionRoles(append(def.roles, modelRoles...)...)
	res.RolesUnknown = joinReasons(append(def.rolesUnknown, modelsUnknown)...)
	return res, nil
}

// stepRole is the one role a step's job runs as, or "" when the step has
// none or several known ones (a tuning step with several training
// definitions): the slot is then judged against every role of the
// pipeline. Models were already described by rolesOf, so the cache answers.
func stepRole(ctx context.Context, models *modelRoles, t collect.Target, def pipelineDef, step string) string {
	roles := slices.Clone(def.stepRoles[step])
	for _, m := range def.stepModels[step] {
		role, err := models.role(ctx, t, m)
		if err != nil || role == "" {
			return ""
		}
		roles = append(roles, role)
	}
	if roles = executionRoles(roles...); len(roles) == 1 {
		return roles[0]
	}
	return ""
}
