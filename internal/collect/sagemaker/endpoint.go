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

// endpointSpec reads endpoints with List + Describe: the path of event
// checks (t.Only) and the fallback when Search is denied; a scan otherwise
// reads them with Search (collectEndpoints), describing only those a
// record cannot stand in for. DescribeEndpoint does not return the volume
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
			res := inventory.Resource{
				ARN:       aws.ToString(out.EndpointArn),
				Name:      aws.ToString(out.EndpointName),
				CreatedAt: aws.ToTime(out.CreationTime),
				Attributes: map[string]string{
					inventory.AttrEndpointConfig: aws.ToString(out.EndpointConfigName),
				},
			}
			if err := endpointFacts(ctx, configs, aws.ToString(out.EndpointConfigName), pendingConfig(out), &res); err != nil {
				return inventory.Resource{}, err
			}
			return res, nil
		},
	}
}

// pendingConfig is the config a Describe says the endpoint is being moved
// to, "" when no deployment is pending.
func pendingConfig(out *sm.DescribeEndpointOutput) string {
	if p := out.PendingDeploymentSummary; p != nil {
		return aws.ToString(p.EndpointConfigName)
	}
	return ""
}

// endpointFacts records the slots and execution roles of the endpoint's
// current config and, while an update is pending, of the config it is
// moving to: both hold data and run models during the cut-over. It fails
// only when ctx ends.
func endpointFacts(ctx context.Context, configs *configCache, current, pending string, res *inventory.Resource) error {
	cfg, err := fromConfig(ctx, configs, current, "config", "config", "endpoint config")
	if err != nil {
		return err
	}
	res.Slots, res.ExecutionRoles, res.RolesUnknown = cfg.slots, cfg.roles, cfg.rolesUnknown
	if pending != "" && pending != current {
		more, err := fromConfig(ctx, configs, pending, "pending", "pending config", "pending endpoint config")
		if err != nil {
			return err
		}
		res.Slots = append(res.Slots, more.slots...)
		res.ExecutionRoles = executionRoles(append(res.ExecutionRoles, more.roles...)...)
		res.RolesUnknown = joinReasons(res.RolesUnknown, more.rolesUnknown)
	}
	return nil
}

// configFacts is what an endpoint takes from one of its configs.
type configFacts struct {
	slots        []inventory.Slot
	roles        []string
	rolesUnknown string
}

// fromConfig copies the named config's slots and roles onto the endpoint,
// prefixing slot names and labels so a finding says which config it came
// from. If the config cannot be read, the endpoint gets one slot whose key
// is unknown and unknown roles: its verdicts must be ERROR, not PASS and
// not FAIL.
func fromConfig(ctx context.Context, configs *configCache, cfgName, namePrefix, labelPrefix, whole string) (configFacts, error) {
	unknown := func(reason, rolesReason string) configFacts {
		return configFacts{
			slots: []inventory.Slot{{
				Type:    "volume",
				Name:    namePrefix,
				Label:   fmt.Sprintf("%s %s", whole, cfgName),
				Unknown: reason,
			}},
			rolesUnknown: rolesReason,
		}
	}
	if cfgName == "" {
		const reason = "sagemaker:DescribeEndpoint returned no endpoint config name"
		return unknown(reason, reason), nil
	}
	cfg, err := configs.describe(ctx, cfgName)
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return configFacts{}, ctxErr
		}
		// SageMaker keeps serving an endpoint whose config was deleted, so
		// a missing config is a real, reportable state, not a race to skip.
		if awserr.Classify(err) == awserr.NotFound {
			return unknown(fmt.Sprintf("endpoint config %s no longer exists; the endpoint's keys cannot be verified", cfgName),
				fmt.Sprintf("endpoint config %s no longer exists; the models the endpoint serves cannot be read", cfgName)), nil
		}
		reason := awserr.Reason(describeEndpointConfigOp, err)
		return unknown(reason, fmt.Sprintf("endpoint config %s could not be described: %s", cfgName, reason)), nil
	}
	// A copy: the cached config's slots are shared with its own resource.
	slots := slices.Clone(cfg.Slots)
	for i := range slots {
		slots[i].Name = namePrefix + ":" + slots[i].Name
		slots[i].Label = fmt.Sprintf("%s %s: %s", labelPrefix, cfgName, slots[i].Label)
	}
	return configFacts{slots: slots, roles: slices.Clone(cfg.ExecutionRoles), rolesUnknown: cfg.RolesUnknown}, nil
}
