package sagemaker

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sm "github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"

	"github.com/sagekey/sagekey/internal/collect"
	"github.com/sagekey/sagekey/internal/inventory"
)

const describeEndpointConfigOp = "sagemaker:DescribeEndpointConfig"

// hostingCollector collects endpoint configs, then endpoints (read with
// Search, see collectEndpoints). Configs go first so that endpoints find
// them already described in the cache. Both
// run as the execution roles of the models their variants serve, read
// through models, which the transform-job collector shares.
func hostingCollector(api API, models *modelRoles) collect.Collector {
	return collector{
		name:  "sagemaker:hosting",
		kinds: []string{kindEndpointConfig, kindEndpoint},
		run: func(ctx context.Context, t collect.Target, sink collect.Sink) error {
			// One cache per run: nothing is shared between scans.
			configs := newConfigCache(api, models, t)
			if err := collectKind(ctx, api, t, sink, endpointConfigSpec(api, configs)); err != nil {
				return err
			}
			return collectEndpoints(ctx, api, t, sink, configs)
		},
	}
}

func endpointConfigSpec(api API, configs *configCache) kindSpec {
	return kindSpec{
		kind:       kindEndpointConfig,
		listOp:     "sagemaker:ListEndpointConfigs",
		describeOp: describeEndpointConfigOp,
		source:     describeEndpointConfigOp,
		list: func(ctx context.Context, _ time.Time) ([]listed, error) {
			p := sm.NewListEndpointConfigsPaginator(api, &sm.ListEndpointConfigsInput{MaxResults: aws.Int32(listPageSize)})
			return listPages(ctx, p, func(o *sm.ListEndpointConfigsOutput) []listed {
				items := make([]listed, 0, len(o.EndpointConfigs))
				for _, c := range o.EndpointConfigs {
					items = append(items, listed{
						name:      aws.ToString(c.EndpointConfigName),
						arn:       aws.ToString(c.EndpointConfigArn),
						createdAt: aws.ToTime(c.CreationTime),
					})
				}
				return items
			})
		},
		describe: func(ctx context.Context, item listed) (inventory.Resource, error) {
			return configs.describe(ctx, item.name)
		},
		// A config an earlier scan described serves this scan's endpoints
		// too, so neither pass describes it again.
		reuse: configs.remember,
	}
}

// configCache describes each endpoint config at most once per run, whether
// the endpoint-config pass or an endpoint asks first, and remembers
// failures too: describing again would only repeat the failure and spend
// rate limit. It holds the config as a resource (ARN, name, creation time,
// slots and execution roles), the same shape earlier scans stored it in.
type configCache struct {
	api     API
	models  *modelRoles
	t       collect.Target
	mu      sync.Mutex
	entries map[string]*configEntry
}

type configEntry struct {
	once sync.Once
	res  inventory.Resource
	err  error
}

func newConfigCache(api API, models *modelRoles, t collect.Target) *configCache {
	return &configCache{api: api, models: models, t: t, entries: map[string]*configEntry{}}
}

func (c *configCache) entry(name string) *configEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[name]
	if !ok {
		e = &configEntry{}
		c.entries[name] = e
	}
	return e
}

func (c *configCache) describe(ctx context.Context, name string) (inventory.Resource, error) {
	e := c.entry(name)
	// Concurrent askers for the same name wait here for the one call.
	e.once.Do(func() {
		out, err := c.api.DescribeEndpointConfig(ctx, &sm.DescribeEndpointConfigInput{
			EndpointConfigName: aws.String(name),
		})
		if err != nil {
			e.err = err
			return
		}
		res := inventory.Resource{
			ARN:       aws.ToString(out.EndpointConfigArn),
			Name:      aws.ToString(out.EndpointConfigName),
			CreatedAt: aws.ToTime(out.CreationTime),
			Slots:     endpointConfigSlots(out),
		}
		res.ExecutionRoles, res.RolesUnknown, err = endpointConfigRoles(ctx, c.models, c.t, out)
		if err != nil {
			e.err = err
			return
		}
		e.res = res
	})
	return e.res, e.err
}

// endpointConfigRoles returns the roles a config's endpoints run as: those
// of the models of its production and shadow variants (serverless ones
// included: they run a model too), and the config's own ExecutionRoleArn,
// which endpoints hosting inference components run as. The error is only
// ever ctx's.
func endpointConfigRoles(ctx context.Context, models *modelRoles, t collect.Target, out *sm.DescribeEndpointConfigOutput) ([]string, string, error) {
	var names []string
	for _, v := range slices.Concat(out.ProductionVariants, out.ShadowProductionVariants) {
		names = append(names, aws.ToString(v.ModelName))
	}
	roles, unknown, err := models.rolesOf(ctx, t, names)
	if err != nil {
		return nil, "", err
	}
	roles = executionRoles(append(roles, aws.ToString(out.ExecutionRoleArn))...)
	if len(roles) == 0 && unknown == "" {
		// Variants of inference-component endpoints name no model; without
		// the config's role there is nothing to say what they run as.
		unknown = "neither the endpoint config nor its variants name a model or an execution role"
	}
	return roles, unknown, nil
}

// remember records a config described by an earlier scan, unless this run
// already has it.
func (c *configCache) remember(res inventory.Resource) {
	e := c.entry(res.Name)
	e.once.Do(func() { e.res = res })
}

// endpointConfigSlots records every key slot of a config. Shadow variants
// run on the same kind of hosting instances and are covered by the same
// top-level key, so they count towards the volume slot.
func endpointConfigSlots(out *sm.DescribeEndpointConfigOutput) []inventory.Slot {
	volume := inventory.Slot{
		Type:   "volume",
		Name:   "volume",
		Label:  "ML storage volume",
		KeyRef: aws.ToString(out.KmsKeyId),
	}
	hasServerless := false
	for _, v := range slices.Concat(out.ProductionVariants, out.ShadowProductionVariants) {
		if v.InstanceType != "" {
			volume.InstanceTypes = appendUnique(volume.InstanceTypes, string(v.InstanceType))
		}
		if v.ServerlessConfig != nil {
			hasServerless = true
		}
	}
	// A mixed config still has instance-backed variants whose volume needs
	// the key, so only an all-serverless config is marked serverless.
	volume.Serverless = len(volume.InstanceTypes) == 0 && hasServerless
	slots := []inventory.Slot{volume}

	if dc := out.DataCaptureConfig; captureEnabled(dc) {
		slots = append(slots, inventory.Slot{
			Type:      "data-capture",
			Name:      "data-capture",
			Label:     "data capture",
			KeyRef:    aws.ToString(dc.KmsKeyId),
			OutputURI: aws.ToString(dc.DestinationS3Uri),
		})
	}
	if ac := out.AsyncInferenceConfig; ac != nil && ac.OutputConfig != nil {
		slots = append(slots, inventory.Slot{
			Type:      "async-output",
			Name:      "async-output",
			Label:     "async inference output",
			KeyRef:    aws.ToString(ac.OutputConfig.KmsKeyId),
			OutputURI: aws.ToString(ac.OutputConfig.S3OutputPath),
		})
	}
	names := slotNames{}
	slots = append(slots, coreDumpSlots(names, "variant", out.ProductionVariants)...)
	slots = append(slots, coreDumpSlots(names, "shadow variant", out.ShadowProductionVariants)...)
	return slots
}

// captureEnabled reports whether data capture stores anything. EnableCapture
// defaults to true when omitted; a config without a destination (as some
// emulators echo back for "no capture") captures nothing, so it has no slot.
func captureEnabled(dc *types.DataCaptureConfig) bool {
	return dc != nil && aws.ToString(dc.DestinationS3Uri) != "" && aws.ToBool(cmp.Or(dc.EnableCapture, aws.Bool(true)))
}

func coreDumpSlots(names slotNames, what string, variants []types.ProductionVariant) []inventory.Slot {
	var slots []inventory.Slot
	for _, v := range variants {
		cd := v.CoreDumpConfig
		if cd == nil {
			continue
		}
		variant := aws.ToString(v.VariantName)
		slots = append(slots, inventory.Slot{
			Type:      "core-dump",
			Name:      names.unique("core-dump:" + variant),
			Label:     fmt.Sprintf("%s %s: core dumps", what, variant),
			KeyRef:    aws.ToString(cd.KmsKeyId),
			OutputURI: aws.ToString(cd.DestinationS3Uri),
		})
	}
	return slots
}
