package sagemaker

import (
	"context"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	sm "github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"

	"github.com/sagekey/sagekey/internal/collect"
	"github.com/sagekey/sagekey/internal/inventory"
)

func TestEndpointConfigSlots(t *testing.T) {
	tests := []struct {
		name string
		out  *sm.DescribeEndpointConfigOutput
		want []inventory.Slot
	}{
		{
			name: "serverless only",
			out: &sm.DescribeEndpointConfigOutput{ProductionVariants: []types.ProductionVariant{{
				VariantName:      aws.String("v1"),
				ServerlessConfig: &types.ProductionVariantServerlessConfig{MemorySizeInMB: aws.Int32(2048)},
			}}},
			want: []inventory.Slot{{Type: "volume", Name: "volume", Label: "ML storage volume", Serverless: true}},
		},
		{
			// moto echoes an empty DataCaptureConfig for "no capture"; an
			// explicitly disabled capture stores nothing either.
			name: "capture absent or disabled has no slot",
			out: &sm.DescribeEndpointConfigOutput{
				KmsKeyId:           aws.String("alias/hosting"),
				ProductionVariants: []types.ProductionVariant{{VariantName: aws.String("i"), InstanceType: types.ProductionVariantInstanceTypeMlM5Large}},
				DataCaptureConfig:  &types.DataCaptureConfig{},
			},
			want: []inventory.Slot{{Type: "volume", Name: "volume", Label: "ML storage volume",
				KeyRef: "alias/hosting", InstanceTypes: []string{"ml.m5.large"}}},
		},
		{
			name: "capture disabled",
			out: &sm.DescribeEndpointConfigOutput{
				KmsKeyId:           aws.String("alias/hosting"),
				ProductionVariants: []types.ProductionVariant{{VariantName: aws.String("i"), InstanceType: types.ProductionVariantInstanceTypeMlM5Large}},
				DataCaptureConfig:  &types.DataCaptureConfig{EnableCapture: aws.Bool(false), DestinationS3Uri: aws.String("s3://b/c")},
			},
			want: []inventory.Slot{{Type: "volume", Name: "volume", Label: "ML storage volume",
				KeyRef: "alias/hosting", InstanceTypes: []string{"ml.m5.large"}}},
		},
		{
			// A config with any instance-backed variant has a volume to key.
			name: "serverless mixed with instances",
			out: &sm.DescribeEndpointConfigOutput{
				KmsKeyId: aws.String("alias/hosting"),
				ProductionVariants: []types.ProductionVariant{
					{VariantName: aws.String("s"), ServerlessConfig: &types.ProductionVariantServerlessConfig{}},
					{VariantName: aws.String("i"), InstanceType: types.ProductionVariantInstanceTypeMlM5Large},
				},
			},
			want: []inventory.Slot{{Type: "volume", Name: "volume", Label: "ML storage volume",
				KeyRef: "alias/hosting", InstanceTypes: []string{"ml.m5.large"}}},
		},
		{
			name: "NVMe instance types from production and shadow variants",
			out: &sm.DescribeEndpointConfigOutput{
				ProductionVariants: []types.ProductionVariant{
					{VariantName: aws.String("a"), InstanceType: types.ProductionVariantInstanceTypeMlG4dnXlarge},
					{VariantName: aws.String("b"), InstanceType: types.ProductionVariantInstanceTypeMlG4dnXlarge},
				},
				ShadowProductionVariants: []types.ProductionVariant{
					{VariantName: aws.String("c"), InstanceType: types.ProductionVariantInstanceTypeMlM5dLarge},
				},
			},
			want: []inventory.Slot{{Type: "volume", Name: "volume", Label: "ML storage volume",
				InstanceTypes: []string{"ml.g4dn.xlarge", "ml.m5d.large"}}},
		},
		{
			name: "data capture, async output and core dumps",
			out: &sm.DescribeEndpointConfigOutput{
				KmsKeyId: aws.String(keyARN),
				ProductionVariants: []types.ProductionVariant{
					{VariantName: aws.String("prod"), InstanceType: types.ProductionVariantInstanceTypeMlM5Large,
						CoreDumpConfig: &types.ProductionVariantCoreDumpConfig{DestinationS3Uri: aws.String("s3://dumps/prod"), KmsKeyId: aws.String("key-dump")}},
					{VariantName: aws.String("nodump"), InstanceType: types.ProductionVariantInstanceTypeMlM5Large},
				},
				ShadowProductionVariants: []types.ProductionVariant{
					{VariantName: aws.String("shadow"), InstanceType: types.ProductionVariantInstanceTypeMlM5Large,
						CoreDumpConfig: &types.ProductionVariantCoreDumpConfig{DestinationS3Uri: aws.String("s3://dumps/shadow")}},
				},
				DataCaptureConfig: &types.DataCaptureConfig{DestinationS3Uri: aws.String("s3://capture"), KmsKeyId: aws.String("key-capture")},
				AsyncInferenceConfig: &types.AsyncInferenceConfig{OutputConfig: &types.AsyncInferenceOutputConfig{
					S3OutputPath: aws.String("s3://async--x-s3"),
				}},
			},
			want: []inventory.Slot{
				{Type: "volume", Name: "volume", Label: "ML storage volume", KeyRef: keyARN, InstanceTypes: []string{"ml.m5.large"}},
				{Type: "data-capture", Name: "data-capture", Label: "data capture", KeyRef: "key-capture", OutputURI: "s3://capture"},
				{Type: "async-output", Name: "async-output", Label: "async inference output", OutputURI: "s3://async--x-s3"},
				{Type: "core-dump", Name: "core-dump:prod", Label: "variant prod: core dumps", KeyRef: "key-dump", OutputURI: "s3://dumps/prod"},
				{Type: "core-dump", Name: "core-dump:shadow", Label: "shadow variant shadow: core dumps", OutputURI: "s3://dumps/shadow"},
			},
		},
		{
			// Async config without an output config has no output to key.
			name: "async without output config",
			out: &sm.DescribeEndpointConfigOutput{
				ProductionVariants:   []types.ProductionVariant{{VariantName: aws.String("v"), InstanceType: types.ProductionVariantInstanceTypeMlM5Large}},
				AsyncInferenceConfig: &types.AsyncInferenceConfig{},
			},
			want: []inventory.Slot{{Type: "volume", Name: "volume", Label: "ML storage volume", InstanceTypes: []string{"ml.m5.large"}}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assertEqual(t, "slots", endpointConfigSlots(tc.out), tc.want)
		})
	}
}

// hostingFake serves endpoint configs, endpoints and models from maps and
// counts DescribeEndpointConfig and DescribeModel calls per name. A model
// missing from models is gone, unless modelErrs names its error; nil models
// means every model has roleARN.
type hostingFake struct {
	listedConfigs []string
	configs       map[string]*sm.DescribeEndpointConfigOutput
	endpoints     map[string]*sm.DescribeEndpointOutput
	models        map[string]string // model → execution role
	modelErrs     map[string]error

	mu                sync.Mutex
	described         map[string]int
	modelsDescribe    map[string]int
	endpointDescribes map[string]int
}

// searchRecord is what Search returns for an endpoint DescribeEndpoint
// gives as out: no PendingDeploymentSummary, and the tags.
func searchRecord(out *sm.DescribeEndpointOutput, tags ...types.Tag) types.SearchRecord {
	return types.SearchRecord{Endpoint: &types.Endpoint{
		EndpointName: out.EndpointName, EndpointArn: out.EndpointArn, EndpointConfigName: out.EndpointConfigName,
		CreationTime: out.CreationTime, LastModifiedTime: out.LastModifiedTime, EndpointStatus: out.EndpointStatus,
		Tags: tags,
	}}
}

// summary is what ListEndpoints returns for it.
func summary(out *sm.DescribeEndpointOutput) types.EndpointSummary {
	return types.EndpointSummary{EndpointName: out.EndpointName, EndpointArn: out.EndpointArn,
		CreationTime: out.CreationTime, LastModifiedTime: out.LastModifiedTime, EndpointStatus: out.EndpointStatus}
}

// modifiedAfter is ListEndpoints' LastModifiedTimeAfter filter.
func modifiedAfter(in *sm.ListEndpointsInput, out *sm.DescribeEndpointOutput) bool {
	return in.LastModifiedTimeAfter == nil || aws.ToTime(out.LastModifiedTime).After(*in.LastModifiedTimeAfter)
}

func (h *hostingFake) describeModel(in *sm.DescribeModelInput) (*sm.DescribeModelOutput, error) {
	name := aws.ToString(in.ModelName)
	h.mu.Lock()
	h.modelsDescribe[name]++
	h.mu.Unlock()
	if err := h.modelErrs[name]; err != nil {
		return nil, err
	}
	if h.models == nil {
		return &sm.DescribeModelOutput{ModelName: in.ModelName, ExecutionRoleArn: aws.String(roleARN)}, nil
	}
	role, ok := h.models[name]
	if !ok {
		return nil, errGone("model " + name) // SageMaker's wording: "Could not find model ..."
	}
	return &sm.DescribeModelOutput{ModelName: in.ModelName, ExecutionRoleArn: aws.String(role)}, nil
}

func (h *hostingFake) api(t *testing.T) *fakeAPI {
	h.described = map[string]int{}
	h.modelsDescribe = map[string]int{}
	h.endpointDescribes = map[string]int{}
	return &fakeAPI{
		describeModel: h.describeModel,
		t:             t,
		listEndpointConfigs: func(*sm.ListEndpointConfigsInput) (*sm.ListEndpointConfigsOutput, error) {
			out := &sm.ListEndpointConfigsOutput{}
			for _, n := range h.listedConfigs {
				out.EndpointConfigs = append(out.EndpointConfigs, types.EndpointConfigSummary{
					EndpointConfigName: aws.String(n), EndpointConfigArn: aws.String(arnOf("endpoint-config", n)),
				})
			}
			return out, nil
		},
		describeEndpointConfig: func(in *sm.DescribeEndpointConfigInput) (*sm.DescribeEndpointConfigOutput, error) {
			name := aws.ToString(in.EndpointConfigName)
			h.mu.Lock()
			h.described[name]++
			h.mu.Unlock()
			if c, ok := h.configs[name]; ok {
				return c, nil
			}
			return nil, errGone("endpoint configuration " + name)
		},
		listEndpoints: func(in *sm.ListEndpointsInput) (*sm.ListEndpointsOutput, error) {
			out := &sm.ListEndpointsOutput{}
			for _, e := range h.endpoints {
				if modifiedAfter(in, e) {
					out.Endpoints = append(out.Endpoints, summary(e))
				}
			}
			return out, nil
		},
		describeEndpoint: func(in *sm.DescribeEndpointInput) (*sm.DescribeEndpointOutput, error) {
			name := aws.ToString(in.EndpointName)
			h.mu.Lock()
			h.endpointDescribes[name]++
			h.mu.Unlock()
			if e, ok := h.endpoints[name]; ok {
				return e, nil
			}
			return nil, errGone("endpoint " + name)
		},
		// One page of every endpoint, without tags (ListTags has none either).
		search: func(in *sm.SearchInput) (*sm.SearchOutput, error) {
			if in.Resource != types.ResourceTypeEndpoint {
				t.Errorf("Search for %s", in.Resource)
			}
			out := &sm.SearchOutput{}
			for _, e := range h.endpoints {
				out.Results = append(out.Results, searchRecord(e))
			}
			return out, nil
		},
		listTags: noTags,
	}
}

func config(name, key string) *sm.DescribeEndpointConfigOutput {
	return &sm.DescribeEndpointConfigOutput{
		EndpointConfigName: aws.String(name),
		EndpointConfigArn:  aws.String(arnOf("endpoint-config", name)),
		KmsKeyId:           aws.String(key),
		ProductionVariants: []types.ProductionVariant{{VariantName: aws.String("v"), ModelName: aws.String("model"),
			InstanceType: types.ProductionVariantInstanceTypeMlM5Large}},
	}
}

func endpoint(name, cfg, pending string) *sm.DescribeEndpointOutput {
	out := &sm.DescribeEndpointOutput{
		EndpointName:       aws.String(name),
		EndpointArn:        aws.String(arnOf("endpoint", name)),
		EndpointConfigName: aws.String(cfg),
		CreationTime:       aws.Time(created),
		LastModifiedTime:   aws.Time(created),
		EndpointStatus:     types.EndpointStatusInService,
	}
	if pending != "" {
		out.PendingDeploymentSummary = &types.PendingDeploymentSummary{EndpointConfigName: aws.String(pending)}
		out.EndpointStatus = types.EndpointStatusUpdating
	}
	return out
}

func TestEndpointSlots(t *testing.T) {
	tests := []struct {
		name string
		fake *hostingFake
		want []inventory.Slot
		// describes is how often each config may be described: once at most.
		describes map[string]int
		// The roles of the models the endpoint serves, or why not known.
		roles        []string
		rolesUnknown string
		// describedEndpoint: read with DescribeEndpoint (a deployment may
		// be pending), not from its Search record.
		describedEndpoint bool
	}{
		{
			name: "current config reused from the config pass",
			fake: &hostingFake{
				listedConfigs: []string{"cfg-a"},
				configs:       map[string]*sm.DescribeEndpointConfigOutput{"cfg-a": config("cfg-a", "key-a")},
				endpoints:     map[string]*sm.DescribeEndpointOutput{"ep": endpoint("ep", "cfg-a", "")},
			},
			want: []inventory.Slot{{Type: "volume", Name: "config:volume", Label: "config cfg-a: ML storage volume",
				KeyRef: "key-a", InstanceTypes: []string{"ml.m5.large"}}},
			describes: map[string]int{"cfg-a": 1},
			roles:     []string{roleARN},
		},
		{
			// The pending config was created after ListEndpointConfigs ran,
			// so the endpoint describes it itself.
			name: "pending config",
			fake: &hostingFake{
				listedConfigs: []string{"cfg-a"},
				configs: map[string]*sm.DescribeEndpointConfigOutput{
					"cfg-a": config("cfg-a", "key-a"), "cfg-b": config("cfg-b", "key-b"),
				},
				endpoints: map[string]*sm.DescribeEndpointOutput{"ep": endpoint("ep", "cfg-a", "cfg-b")},
			},
			want: []inventory.Slot{
				{Type: "volume", Name: "config:volume", Label: "config cfg-a: ML storage volume", KeyRef: "key-a", InstanceTypes: []string{"ml.m5.large"}},
				{Type: "volume", Name: "pending:volume", Label: "pending config cfg-b: ML storage volume", KeyRef: "key-b", InstanceTypes: []string{"ml.m5.large"}},
			},
			describes:         map[string]int{"cfg-a": 1, "cfg-b": 1},
			roles:             []string{roleARN},
			describedEndpoint: true,
		},
		{
			name: "pending deployment of the same config",
			fake: &hostingFake{
				listedConfigs: []string{"cfg-a"},
				configs:       map[string]*sm.DescribeEndpointConfigOutput{"cfg-a": config("cfg-a", "key-a")},
				endpoints:     map[string]*sm.DescribeEndpointOutput{"ep": endpoint("ep", "cfg-a", "cfg-a")},
			},
			want:              []inventory.Slot{{Type: "volume", Name: "config:volume", Label: "config cfg-a: ML storage volume", KeyRef: "key-a", InstanceTypes: []string{"ml.m5.large"}}},
			describes:         map[string]int{"cfg-a": 1},
			roles:             []string{roleARN},
			describedEndpoint: true,
		},
		{
			name: "deleted config",
			fake: &hostingFake{
				endpoints: map[string]*sm.DescribeEndpointOutput{"ep": endpoint("ep", "gone", "")},
			},
			want: []inventory.Slot{{Type: "volume", Name: "config", Label: "endpoint config gone",
				Unknown: "endpoint config gone no longer exists; the endpoint's keys cannot be verified"}},
			describes:    map[string]int{"gone": 1},
			rolesUnknown: "endpoint config gone no longer exists; the models the endpoint serves cannot be read",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			inv := runCollector(t, tc.fake.api(t), "sagemaker:hosting")
			ep := findResource(t, inv, "endpoint", "ep")
			assertEqual(t, "endpoint slots", ep.Slots, tc.want)
			assertEqual(t, "DescribeEndpointConfig calls", tc.fake.described, tc.describes)
			assertEqual(t, "endpoint roles", ep.ExecutionRoles, tc.roles)
			assertEqual(t, "endpoint roles unknown", ep.RolesUnknown, tc.rolesUnknown)
			source, describes := "sagemaker:Search+DescribeEndpointConfig", map[string]int{}
			if tc.describedEndpoint {
				source, describes = "sagemaker:DescribeEndpoint+DescribeEndpointConfig", map[string]int{"ep": 1}
			}
			assertEqual(t, "DescribeEndpoint calls", tc.fake.endpointDescribes, describes)
			if ep.Source != source || ep.ARN != arnOf("endpoint", "ep") || !ep.CreatedAt.Equal(created) ||
				ep.Attributes[inventory.AttrEndpointConfig] != aws.ToString(tc.fake.endpoints["ep"].EndpointConfigName) {
				t.Errorf("endpoint = %+v, want source %s", ep, source)
			}
			assertEqual(t, "gaps", inv.Gaps, []inventory.Gap{})
		})
	}
}

// With configs unlisted (ListEndpointConfigs denied), endpoints still get
// their keys, and several endpoints on one config describe it once.
func TestEndpointsDescribeConfigsOnceWhenListingDenied(t *testing.T) {
	h := &hostingFake{
		configs: map[string]*sm.DescribeEndpointConfigOutput{"shared": config("shared", "key-s")},
		endpoints: map[string]*sm.DescribeEndpointOutput{
			"ep1": endpoint("ep1", "shared", ""), "ep2": endpoint("ep2", "shared", ""), "ep3": endpoint("ep3", "shared", ""),
		},
	}
	api := h.api(t)
	api.listEndpointConfigs = func(*sm.ListEndpointConfigsInput) (*sm.ListEndpointConfigsOutput, error) {
		return nil, errDenied
	}
	inv := runCollector(t, api, "sagemaker:hosting")
	assertEqual(t, "DescribeEndpointConfig calls", h.described, map[string]int{"shared": 1})
	assertEqual(t, "gaps", inv.Gaps, []inventory.Gap{{
		Account: target.Account, Region: target.Region, Service: "sagemaker:ListEndpointConfigs",
		Reason: "sagemaker:ListEndpointConfigs: access denied (AccessDeniedException)",
	}})
	if len(inv.Resources) != 3 {
		t.Fatalf("got %d resources, want 3 endpoints", len(inv.Resources))
	}
	for _, r := range inv.Resources {
		if r.Kind != "endpoint" || len(r.Slots) != 1 || r.Slots[0].KeyRef != "key-s" {
			t.Errorf("resource %s = %+v, want an endpoint keyed with key-s", r.Name, r)
		}
	}
}

// A config whose describe failed in the config pass is not described again
// for its endpoint; the endpoint's key is unknown for the same reason.
func TestEndpointConfigThrottledReusedForEndpoint(t *testing.T) {
	h := &hostingFake{
		listedConfigs: []string{"cfg"},
		endpoints:     map[string]*sm.DescribeEndpointOutput{"ep": endpoint("ep", "cfg", "")},
	}
	api := h.api(t)
	api.describeEndpointConfig = func(*sm.DescribeEndpointConfigInput) (*sm.DescribeEndpointConfigOutput, error) {
		h.mu.Lock()
		h.described["cfg"]++
		h.mu.Unlock()
		return nil, errThrottled
	}
	inv := runCollector(t, api, "sagemaker:hosting")
	assertEqual(t, "DescribeEndpointConfig calls", h.described, map[string]int{"cfg": 1})
	const reason = "sagemaker:DescribeEndpointConfig: throttled after retries"
	cfg := findResource(t, inv, "endpoint-config", "cfg")
	assertEqual(t, "config slots", cfg.Slots, []inventory.Slot{inventory.UnreadableSlot(reason)})
	ep := findResource(t, inv, "endpoint", "ep")
	assertEqual(t, "endpoint slots", ep.Slots, []inventory.Slot{{
		Type: "volume", Name: "config", Label: "endpoint config cfg", Unknown: reason,
	}})
}

// Endpoint configs and endpoints run as the roles of the models of their
// production and shadow variants (serverless ones too); each model is
// described once however many configs and endpoints serve it.
func TestEndpointRolesFromModels(t *testing.T) {
	cfg := config("cfg", keyARN)
	cfg.ProductionVariants = []types.ProductionVariant{
		{VariantName: aws.String("a"), ModelName: aws.String("m1"), InstanceType: types.ProductionVariantInstanceTypeMlM5Large},
		{VariantName: aws.String("b"), ModelName: aws.String("m2"), InstanceType: types.ProductionVariantInstanceTypeMlM5Large},
		{VariantName: aws.String("s"), ModelName: aws.String("m3"), ServerlessConfig: &types.ProductionVariantServerlessConfig{}},
	}
	cfg.ShadowProductionVariants = []types.ProductionVariant{
		{VariantName: aws.String("shadow"), ModelName: aws.String("m1"), InstanceType: types.ProductionVariantInstanceTypeMlM5Large},
	}
	other := config("other", keyARN)
	other.ProductionVariants[0].ModelName = aws.String("m2")
	h := &hostingFake{
		listedConfigs: []string{"cfg", "other"},
		configs:       map[string]*sm.DescribeEndpointConfigOutput{"cfg": cfg, "other": other},
		endpoints: map[string]*sm.DescribeEndpointOutput{
			"ep1": endpoint("ep1", "cfg", ""), "ep2": endpoint("ep2", "cfg", ""), "moving": endpoint("moving", "other", "cfg"),
		},
		models: map[string]string{"m1": roleARN, "m2": roleARN2, "m3": roleARN},
	}
	inv := runCollector(t, h.api(t), "sagemaker:hosting")
	both := []string{roleARN2, roleARN}
	assertEqual(t, "config roles", findResource(t, inv, "endpoint-config", "cfg").ExecutionRoles, both)
	assertEqual(t, "other config roles", findResource(t, inv, "endpoint-config", "other").ExecutionRoles, []string{roleARN2})
	assertEqual(t, "endpoint roles", findResource(t, inv, "endpoint", "ep1").ExecutionRoles, both)
	// During an update the endpoint runs the models of both configs.
	assertEqual(t, "updating endpoint roles", findResource(t, inv, "endpoint", "moving").ExecutionRoles, both)
	for _, r := range inv.Resources {
		if r.RolesUnknown != "" {
			t.Errorf("%s %s: roles unknown: %s", r.Kind, r.Name, r.RolesUnknown)
		}
	}
	assertEqual(t, "DescribeModel calls", h.modelsDescribe, map[string]int{"m1": 1, "m2": 1, "m3": 1})
	assertEqual(t, "gaps", inv.Gaps, []inventory.Gap{})
}

// A model that no longer exists or cannot be described leaves the roles
// unknown with the reason; the config and its endpoints are still reported
// with their slots, and the scan is not failed.
func TestEndpointRolesOfUnreadableModels(t *testing.T) {
	cfg := config("cfg", keyARN)
	cfg.ProductionVariants = []types.ProductionVariant{
		{VariantName: aws.String("a"), ModelName: aws.String("ok"), InstanceType: types.ProductionVariantInstanceTypeMlM5Large},
		{VariantName: aws.String("b"), ModelName: aws.String("m1"), InstanceType: types.ProductionVariantInstanceTypeMlM5Large},
		{VariantName: aws.String("c"), ModelName: aws.String("denied"), InstanceType: types.ProductionVariantInstanceTypeMlM5Large},
	}
	h := &hostingFake{
		listedConfigs: []string{"cfg"},
		configs:       map[string]*sm.DescribeEndpointConfigOutput{"cfg": cfg},
		endpoints:     map[string]*sm.DescribeEndpointOutput{"ep": endpoint("ep", "cfg", "")},
		models:        map[string]string{"ok": roleARN},
		modelErrs:     map[string]error{"denied": errDenied},
	}
	inv := runCollector(t, h.api(t), "sagemaker:hosting")
	const reason = "model denied could not be described: sagemaker:DescribeModel: access denied (AccessDeniedException); " +
		"model m1 no longer exists"
	for _, kind := range []string{"endpoint-config", "endpoint"} {
		r := findResource(t, inv, kind, map[string]string{"endpoint-config": "cfg", "endpoint": "ep"}[kind])
		assertEqual(t, kind+" roles", r.ExecutionRoles, []string{roleARN})
		assertEqual(t, kind+" roles unknown", r.RolesUnknown, reason)
		if len(r.Slots) != 1 || r.Slots[0].KeyRef != keyARN {
			t.Errorf("%s slots = %+v, want the volume keyed with keyARN", kind, r.Slots)
		}
	}
	assertEqual(t, "DescribeModel calls", h.modelsDescribe, map[string]int{"ok": 1, "m1": 1, "denied": 1})
	assertEqual(t, "gaps", inv.Gaps, []inventory.Gap{})
}

// Inference-component endpoints name no model on their variants: the
// config's own ExecutionRoleArn is what they run as, and with neither the
// roles are unknown rather than "none".
func TestEndpointConfigRoleWithoutModels(t *testing.T) {
	ic := config("ic", keyARN)
	ic.ProductionVariants[0].ModelName = nil
	ic.ExecutionRoleArn = aws.String(roleARN2)
	bare := config("bare", keyARN)
	bare.ProductionVariants[0].ModelName = nil
	h := &hostingFake{
		listedConfigs: []string{"ic", "bare"},
		configs:       map[string]*sm.DescribeEndpointConfigOutput{"ic": ic, "bare": bare},
	}
	inv := runCollector(t, h.api(t), "sagemaker:hosting")
	assertEqual(t, "ic roles", findResource(t, inv, "endpoint-config", "ic").ExecutionRoles, []string{roleARN2})
	assertEqual(t, "bare roles unknown", findResource(t, inv, "endpoint-config", "bare").RolesUnknown,
		"neither the endpoint config nor its variants name a model or an execution role")
	assertEqual(t, "DescribeModel calls", h.modelsDescribe, map[string]int{})
}

// The hosting and transform-job collectors of one target share one model
// cache: running concurrently, they describe each model once.
func TestModelsSharedWithTransformJobs(t *testing.T) {
	h := &hostingFake{
		listedConfigs: []string{"cfg"},
		configs:       map[string]*sm.DescribeEndpointConfigOutput{"cfg": config("cfg", keyARN)},
		endpoints:     map[string]*sm.DescribeEndpointOutput{"ep": endpoint("ep", "cfg", "")},
		models:        map[string]string{"model": roleARN, "batch": roleARN2},
	}
	api := h.api(t)
	var jobs []types.TransformJobSummary
	for _, n := range []string{"j1", "j2", "j3", "j4"} {
		jobs = append(jobs, types.TransformJobSummary{TransformJobName: aws.String(n), TransformJobArn: aws.String(arnOf("transform-job", n))})
	}
	jobsAPI := &fakeJobsAPI{t: t, listTags: noTags, describeModel: h.describeModel,
		listTransformJobs: func(*sm.ListTransformJobsInput) (*sm.ListTransformJobsOutput, error) {
			return &sm.ListTransformJobsOutput{TransformJobSummaries: jobs}, nil
		},
		describeTransformJob: func(in *sm.DescribeTransformJobInput) (*sm.DescribeTransformJobOutput, error) {
			model := "model" // j1, j2: the endpoint's model; j3, j4: another
			if n := aws.ToString(in.TransformJobName); n == "j3" || n == "j4" {
				model = "batch"
			}
			return &sm.DescribeTransformJobOutput{TransformJobName: in.TransformJobName,
				TransformJobArn: aws.String(arnOf("transform-job", aws.ToString(in.TransformJobName))), ModelName: aws.String(model)}, nil
		},
	}
	models := newModelRoles(api) // as AllCollectors shares it
	sink := &collect.MemorySink{}
	collect.Run(context.Background(), []collect.Job{
		{Target: target, Collector: hostingCollector(api, models)},
		{Target: target, Collector: transformJobCollector(jobsAPI, models)},
	}, 2, sink)
	inv := sink.Inventory()
	assertEqual(t, "DescribeModel calls", h.modelsDescribe, map[string]int{"model": 1, "batch": 1})
	for _, r := range inv.Resources {
		want := []string{roleARN}
		if r.Name == "j3" || r.Name == "j4" {
			want = []string{roleARN2}
		}
		assertEqual(t, r.Kind+" "+r.Name+" roles", r.ExecutionRoles, want)
	}
	if len(inv.Resources) != 6 {
		t.Errorf("got %d resources, want a config, an endpoint and four jobs", len(inv.Resources))
	}
}
