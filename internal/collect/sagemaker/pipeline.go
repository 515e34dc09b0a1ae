package sagemaker

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sm "github.com/aws/aws-sdk-go-v2/service/sagemaker"

	"github.com/sagekey/sagekey/internal/collect"
	"github.com/sagekey/sagekey/internal/inventory"
)

const kindPipeline = "pipeline"

// pipelineCollector reports each pipeline with the key slots of the jobs
// its steps would create, read from its definition. A pipeline is judged
// as a template: the jobs of past executions are judged as jobs.
func pipelineCollector(api PipelineAPI) collect.Collector {
	spec := kindSpec{
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
			return pipelineResource(out), nil
		},
	}
	return collector{
		name:  "sagemaker:pipelines",
		kinds: []string{kindPipeline},
		run: func(ctx context.Context, t collect.Target, sink collect.Sink) error {
			return collectKind(ctx, api, t, sink, spec)
		},
	}
}

func pipelineResource(out *sm.DescribePipelineOutput) inventory.Resource {
	slots, err := pipelineSlots(aws.ToString(out.PipelineDefinition))
	if err != nil {
		// The pipeline exists but its keys cannot be told: ERROR, never PASS.
		slots = []inventory.Slot{inventory.UnreadableSlot("pipeline definition could not be parsed: " + err.Error())}
	}
	return inventory.Resource{
		ARN:       aws.ToString(out.PipelineArn),
		Name:      aws.ToString(out.PipelineName),
		CreatedAt: aws.ToTime(out.CreationTime),
		Slots:     slots,
	}
}
