package sagemaker

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sm "github.com/aws/aws-sdk-go-v2/service/sagemaker"

	"github.com/sagekey/sagekey/internal/awserr"
	"github.com/sagekey/sagekey/internal/inventory"
)

// endpointSpec reads endpoints. DescribeEndpoint does not return the volume
// key, so an endpoint's slots are those of its config (and of the config
// it is being moved to, during an update).
func endpointSpec(api API, configs *configCache) kindSpec {
	return kindSpec{
		kind:       kindEndpoint,
		listOp:     "sagemaker:ListEndpoints",
		describeOp: "sagemaker:DescribeEndpoint",
		source:     "sagemaker:DescribeEndpoint+DescribeEndpointConfig",
		list: func(ctx context.Context, _ time.Time) ([]listed, error) {
			p := sm.NewListEndpointsPaginator(api, &sm.ListEndpointsInput{MaxResults: aws.Int32(listPageSize)})
			return listPages(ctx, p, func(o *sm.ListEndpointsOutput) []listed {
				items := make([]listed, 0, len(o.Endpoints))
				for _, e := range o.Endpoints {
					items = append(items, listed{
						name:      aws.ToString(e.EndpointName),
						arn:       aws.ToString(e.EndpointArn),
						createdAt: aws.ToTime(e.CreationTime),
					})
				}
				return items
			})
		},
		describe: func(ctx context.Context, item listed) (inventory.Resource, error) {
			out, err := api.DescribeEndpoint(ctx, &sm.DescribeEndpointInput{EndpointName: aws.String(item.name)})
			if err != nil {
				return inventory.Resource{}, err
			}
			slots, err := endpointSlots(ctx, configs, out)
			if err != nil {
				return inventory.Resource{}, err
			}
			return inventory.Resource{
				ARN:       aws.ToString(out.EndpointArn),
				Name:      aws.ToString(out.EndpointName),
				CreatedAt: aws.ToTime(out.CreationTime),
				Slots:     slots,
				Attributes: map[string]string{
					inventory.AttrEndpointConfig: aws.ToString(out.EndpointConfigName),
				},
			}, nil
		},
	}
}

// endpointSlots collects the slots of the endpoint's current config and,
// while an update is pending, of the config it is moving to: both hold
// data during the cut-over. It fails only when ctx ends.
func endpointSlots(ctx context.Context, configs *configCache, out *sm.DescribeEndpointOutput) ([]inventory.Slot, error) {
	current := aws.ToString(out.EndpointConfigName)
	slots, err := configSlots(ctx, configs, current, "config", "config", "endpoint config")
	if err != nil {
		return nil, err
	}
	if p := out.PendingDeploymentSummary; p != nil {
		if pending := aws.ToString(p.EndpointConfigName); pending != "" && pending != current {
			more, err := configSlots(ctx, configs, pending, "pending", "pending config", "pending endpoint config")
			if err != nil {
				return nil, err
			}
			slots = append(slots, more...)
		}
	}
	return slots, nil
}

// configSlots copies the named config's slots onto the endpoint, prefixing
// names and labels so a finding says which config it came from. If the
// config cannot be read, the endpoint gets one slot whose key is unknown:
// its verdict must be ERROR, not PASS and not FAIL.
func configSlots(ctx context.Context, configs *configCache, cfgName, namePrefix, labelPrefix, whole string) ([]inventory.Slot, error) {
	unknown := func(reason string) []inventory.Slot {
		return []inventory.Slot{{
			Type:    "volume",
			Name:    namePrefix,
			Label:   fmt.Sprintf("%s %s", whole, cfgName),
			Unknown: reason,
		}}
	}
	if cfgName == "" {
		return unknown("sagemaker:DescribeEndpoint returned no endpoint config name"), nil
	}
	cfg, err := configs.describe(ctx, cfgName)
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, ctxErr
		}
		// SageMaker keeps serving an endpoint whose config was deleted, so
		// a missing config is a real, reportable state, not a race to skip.
		if awserr.Classify(err) == awserr.NotFound {
			return unknown(fmt.Sprintf("endpoint config %s no longer exists; the endpoint's keys cannot be verified", cfgName)), nil
		}
		return unknown(awserr.Reason(describeEndpointConfigOp, err)), nil
	}
	// A copy: the cached config's slots are shared with its own resource.
	slots := slices.Clone(cfg.Slots)
	for i := range slots {
		slots[i].Name = namePrefix + ":" + slots[i].Name
		slots[i].Label = fmt.Sprintf("%s %s: %s", labelPrefix, cfgName, slots[i].Label)
	}
	return slots, nil
}
