package sagemaker

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sm "github.com/aws/aws-sdk-go-v2/service/sagemaker"

	"github.com/sagekey/sagekey/internal/collect"
	"github.com/sagekey/sagekey/internal/inventory"
)

func notebookCollector(api API) collect.Collector {
	spec := kindSpec{
		kind:       kindNotebook,
		listOp:     "sagemaker:ListNotebookInstances",
		describeOp: "sagemaker:DescribeNotebookInstance",
		source:     "sagemaker:DescribeNotebookInstance",
		list: func(ctx context.Context, _ time.Time) ([]listed, error) {
			p := sm.NewListNotebookInstancesPaginator(api, &sm.ListNotebookInstancesInput{MaxResults: aws.Int32(listPageSize)})
			return listPages(ctx, p, func(o *sm.ListNotebookInstancesOutput) []listed {
				items := make([]listed, 0, len(o.NotebookInstances))
				for _, n := range o.NotebookInstances {
					items = append(items, listed{
						name:      aws.ToString(n.NotebookInstanceName),
						arn:       aws.ToString(n.NotebookInstanceArn),
						createdAt: aws.ToTime(n.CreationTime),
					})
				}
				return items
			})
		},
		describe: func(ctx context.Context, item listed) (inventory.Resource, error) {
			out, err := api.DescribeNotebookInstance(ctx, &sm.DescribeNotebookInstanceInput{
				NotebookInstanceName: aws.String(item.name),
			})
			if err != nil {
				return inventory.Resource{}, err
			}
			return inventory.Resource{
				ARN:       aws.ToString(out.NotebookInstanceArn),
				Name:      aws.ToString(out.NotebookInstanceName),
				CreatedAt: aws.ToTime(out.CreationTime),
				Slots:     notebookSlots(out),
				// The notebook's processes run as this role.
				ExecutionRoles: executionRoles(aws.ToString(out.RoleArn)),
			}, nil
		},
	}
	return collector{
		name:  "sagemaker:notebook-instances",
		kinds: []string{kindNotebook},
		run: func(ctx context.Context, t collect.Target, sink collect.Sink) error {
			return collectKind(ctx, api, t, sink, spec)
		},
	}
}

func notebookSlots(out *sm.DescribeNotebookInstanceOutput) []inventory.Slot {
	return []inventory.Slot{{
		Type:   "volume",
		Name:   "volume",
		Label:  "ML storage volume",
		KeyRef: aws.ToString(out.KmsKeyId),
	}}
}
