package sagemaker_test

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sm "github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/aws/smithy-go"

	"github.com/sagekey/sagekey/internal/collect"
	collectsm "github.com/sagekey/sagekey/internal/collect/sagemaker"
	"github.com/sagekey/sagekey/internal/inventory"
	"github.com/sagekey/sagekey/internal/motoserver/mototest"
)

// These tests run the collectors against a real moto_server through the
// real SDK client, so request serialization, pagination and response
// decoding (union types, timestamps, error codes) are exercised as in a
// live scan.

const (
	region  = "eu-west-1"
	account = "123456789012" // moto's default account
	role    = "arn:aws:iam::123456789012:role/sagemaker"
	image   = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/algo:1"
)

func arn(kind, name string) string {
	return "arn:aws:sagemaker:" + region + ":" + account + ":" + kind + "/" + name
}

func must[T any](t *testing.T, what string) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return v
	}
}

func tags(kv ...string) []types.Tag {
	var out []types.Tag
	for i := 0; i < len(kv); i += 2 {
		out = append(out, types.Tag{Key: aws.String(kv[i]), Value: aws.String(kv[i+1])})
	}
	return out
}

// seed creates one resource of each kind (plus an endpoint whose config is
// deleted) in moto.
func seed(ctx context.Context, t *testing.T, c *sm.Client) {
	must[*sm.CreateNotebookInstanceOutput](t, "CreateNotebookInstance")(c.CreateNotebookInstance(ctx, &sm.CreateNotebookInstanceInput{
		NotebookInstanceName: aws.String("nb"),
		InstanceType:         types.InstanceTypeMlT2Medium,
		RoleArn:              aws.String(role),
		KmsKeyId:             aws.String("alias/notebooks"),
		Tags:                 tags("owner", "ml-team"),
	}))

	must[*sm.CreateModelOutput](t, "CreateModel")(c.CreateModel(ctx, &sm.CreateModelInput{
		ModelName:        aws.String("model"),
		ExecutionRoleArn: aws.String(role),
		PrimaryContainer: &types.ContainerDefinition{Image: aws.String(image)},
	}))
	must[*sm.CreateEndpointConfigOutput](t, "CreateEndpointConfig")(c.CreateEndpointConfig(ctx, &sm.CreateEndpointConfigInput{
		EndpointConfigName: aws.String("cfg"),
		KmsKeyId:           aws.String("alias/hosting"),
		ProductionVariants: []types.ProductionVariant{{
			VariantName:          aws.String("main"),
			ModelName:            aws.String("model"),
			InstanceType:         types.ProductionVariantInstanceTypeMlG4dnXlarge,
			InitialInstanceCount: aws.Int32(1),
			CoreDumpConfig: &types.ProductionVariantCoreDumpConfig{
				DestinationS3Uri: aws.String("s3://dumps/main"), KmsKeyId: aws.String("alias/dumps"),
			},
		}},
		DataCaptureConfig: &types.DataCaptureConfig{
			DestinationS3Uri:          aws.String("s3://capture/"),
			KmsKeyId:                  aws.String("alias/capture"),
			InitialSamplingPercentage: aws.Int32(10),
			CaptureOptions:            []types.CaptureOption{{CaptureMode: types.CaptureModeInput}},
		},
		AsyncInferenceConfig: &types.AsyncInferenceConfig{OutputConfig: &types.AsyncInferenceOutputConfig{
			S3OutputPath: aws.String("s3://async/"),
		}},
	}))
	must[*sm.CreateEndpointOutput](t, "CreateEndpoint")(c.CreateEndpoint(ctx, &sm.CreateEndpointInput{
		EndpointName: aws.String("ep"), EndpointConfigName: aws.String("cfg"), Tags: tags("env", "prod"),
	}))
	must[*sm.CreateEndpointConfigOutput](t, "CreateEndpointConfig doomed")(c.CreateEndpointConfig(ctx, &sm.CreateEndpointConfigInput{
		EndpointConfigName: aws.String("doomed"),
		ProductionVariants: []types.ProductionVariant{{
			VariantName: aws.String("main"), ModelName: aws.String("model"),
			InstanceType: types.ProductionVariantInstanceTypeMlM5Large, InitialInstanceCount: aws.Int32(1),
		}},
	}))
	must[*sm.CreateEndpointOutput](t, "CreateEndpoint orphan")(c.CreateEndpoint(ctx, &sm.CreateEndpointInput{
		EndpointName: aws.String("orphan"), EndpointConfigName: aws.String("doomed"),
	}))
	must[*sm.DeleteEndpointConfigOutput](t, "DeleteEndpointConfig")(c.DeleteEndpointConfig(ctx, &sm.DeleteEndpointConfigInput{
		EndpointConfigName: aws.String("doomed"),
	}))

	must[*sm.CreateTrainingJobOutput](t, "CreateTrainingJob")(c.CreateTrainingJob(ctx, &sm.CreateTrainingJobInput{
		TrainingJobName: aws.String("job"),
		AlgorithmSpecification: &types.AlgorithmSpecification{
			TrainingImage: aws.String(image), TrainingInputMode: types.TrainingInputModeFile,
		},
		RoleArn:          aws.String(role),
		OutputDataConfig: &types.OutputDataConfig{S3OutputPath: aws.String("s3://models/"), KmsKeyId: aws.String("alias/models")},
		ResourceConfig: &types.ResourceConfig{
			InstanceType: types.TrainingInstanceTypeMlM5Large, InstanceCount: aws.Int32(1),
			VolumeSizeInGB: aws.Int32(10), VolumeKmsKeyId: aws.String("alias/training"),
		},
		StoppingCondition: &types.StoppingCondition{MaxRuntimeInSeconds: aws.Int32(60)},
		Tags:              tags("team", "research"),
	}))

	lifecycle := &types.ClusterLifeCycleConfig{SourceS3Uri: aws.String("s3://sagemaker-lifecycle/"), OnCreate: aws.String("on_create.sh")}
	ebs := func(root bool, key string) types.ClusterInstanceStorageConfig {
		return &types.ClusterInstanceStorageConfigMemberEbsVolumeConfig{Value: types.ClusterEbsVolumeConfig{
			RootVolume: aws.Bool(root), VolumeKmsKeyId: aws.String(key), VolumeSizeInGB: aws.Int32(100),
		}}
	}
	must[*sm.CreateClusterOutput](t, "CreateCluster")(c.CreateCluster(ctx, &sm.CreateClusterInput{
		ClusterName: aws.String("hp"),
		InstanceGroups: []types.ClusterInstanceGroupSpecification{
			{
				InstanceGroupName: aws.String("workers"), InstanceType: types.ClusterInstanceTypeMlM5Large,
				InstanceCount: aws.Int32(1), ExecutionRole: aws.String(role), LifeCycleConfig: lifecycle,
				ThreadsPerCore:         aws.Int32(1),
				InstanceStorageConfigs: []types.ClusterInstanceStorageConfig{ebs(true, "alias/root"), ebs(false, "alias/data")},
			},
			{
				InstanceGroupName: aws.String("ctl"), InstanceType: types.ClusterInstanceTypeMlT3Medium,
				InstanceCount: aws.Int32(1), ExecutionRole: aws.String(role), LifeCycleConfig: lifecycle,
				ThreadsPerCore: aws.Int32(1),
			},
		},
		Tags: tags("env", "hpc"),
	}))
}

func scan(ctx context.Context, api collectsm.API) inventory.Inventory {
	sink := &collect.MemorySink{}
	collect.Run(ctx, collect.JobsFor(collect.Target{Account: account, Region: region}, collectsm.Collectors(api)), 4, sink)
	return sink.Inventory()
}

// withoutTimes checks every CreatedAt is set (moto's clock, so not
// predictable) and clears it for comparison.
func withoutTimes(t *testing.T, rs []inventory.Resource) []inventory.Resource {
	t.Helper()
	out := make([]inventory.Resource, len(rs))
	for i, r := range rs {
		if r.CreatedAt.IsZero() {
			t.Errorf("%s %s: CreatedAt not set", r.Kind, r.Name)
		}
		r.CreatedAt = time.Time{}
		out[i] = r
	}
	return out
}

func assertEqual[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		g, _ := json.MarshalIndent(got, "", "  ")
		w, _ := json.MarshalIndent(want, "", "  ")
		t.Errorf("%s:\n got: %s\nwant: %s", what, g, w)
	}
}

func TestCollectorsAgainstMoto(t *testing.T) {
	ctx := context.Background()
	srv := mototest.ForTest(t)
	client := sm.NewFromConfig(mototest.Config(t, srv, region))
	seed(ctx, t, client)

	inv := scan(ctx, client)
	hosting := []inventory.Slot{
		{Type: "volume", Name: "volume", Label: "ML storage volume", KeyRef: "alias/hosting", InstanceTypes: []string{"ml.g4dn.xlarge"}},
		{Type: "data-capture", Name: "data-capture", Label: "data capture", KeyRef: "alias/capture", OutputURI: "s3://capture/"},
		{Type: "async-output", Name: "async-output", Label: "async inference output", OutputURI: "s3://async/"},
		{Type: "core-dump", Name: "core-dump:main", Label: "variant main: core dumps", KeyRef: "alias/dumps", OutputURI: "s3://dumps/main"},
	}
	var onEndpoint []inventory.Slot
	for _, s := range hosting {
		s.Name = "config:" + s.Name
		s.Label = "config cfg: " + s.Label
		onEndpoint = append(onEndpoint, s)
	}
	res := func(kind, name, source string, tags map[string]string, slots ...inventory.Slot) inventory.Resource {
		return inventory.Resource{Kind: kind, ARN: arn(kind, name), Name: name, Account: account, Region: region,
			Tags: tags, Source: source, Slots: slots, ExecutionRoles: []string{role}}
	}
	withConfig := func(r inventory.Resource, cfg string) inventory.Resource {
		r.Attributes = map[string]string{inventory.AttrEndpointConfig: cfg}
		return r
	}
	rolesUnknown := func(r inventory.Resource, reason string) inventory.Resource {
		r.ExecutionRoles, r.RolesUnknown = nil, reason
		return r
	}
	want := []inventory.Resource{
		res("cluster", "hp", "sagemaker:DescribeCluster", map[string]string{"env": "hpc"},
			inventory.Slot{Type: "root-volume", Name: "root-volume:workers", Label: "instance group workers: root volume",
				KeyRef: "alias/root", InstanceTypes: []string{"ml.m5.large"}, Role: role},
			inventory.Slot{Type: "ebs-volume", Name: "ebs-volume:workers", Label: "instance group workers: secondary EBS volume",
				KeyRef: "alias/data", InstanceTypes: []string{"ml.m5.large"}, Role: role},
			inventory.Slot{Type: "root-volume", Name: "root-volume:ctl", Label: "instance group ctl: root volume",
				InstanceTypes: []string{"ml.t3.medium"}, Role: role},
		),
		withConfig(res("endpoint", "ep", "sagemaker:Search+DescribeEndpointConfig", map[string]string{"env": "prod"}, onEndpoint...), "cfg"),
		rolesUnknown(withConfig(res("endpoint", "orphan", "sagemaker:Search+DescribeEndpointConfig", nil, inventory.Slot{
			Type: "volume", Name: "config", Label: "endpoint config doomed",
			Unknown: "endpoint config doomed no longer exists; the endpoint's keys cannot be verified",
		}), "doomed"), "endpoint config doomed no longer exists; the models the endpoint serves cannot be read"),
		res("endpoint-config", "cfg", "sagemaker:DescribeEndpointConfig", nil, hosting...),
		res("notebook-instance", "nb", "sagemaker:DescribeNotebookInstance", map[string]string{"owner": "ml-team"},
			inventory.Slot{Type: "volume", Name: "volume", Label: "ML storage volume", KeyRef: "alias/notebooks"}),
		res("training-job", "job", "sagemaker:Search", map[string]string{"team": "research"}, trainingSlots...),
	}
	assertEqual(t, "resources", withoutTimes(t, inv.Resources), want)
	assertEqual(t, "gaps", inv.Gaps, []inventory.Gap{})
}

var trainingSlots = []inventory.Slot{
	{Type: "volume", Name: "volume", Label: "ML storage volume", KeyRef: "alias/training", InstanceTypes: []string{"ml.m5.large"}},
	{Type: "output", Name: "output", Label: "model output in S3", KeyRef: "alias/models", OutputURI: "s3://models/"},
}

// searchDenied is the real client with Search denied, as for a role
// without sagemaker:Search.
type searchDenied struct{ collectsm.API }

func (searchDenied) Search(context.Context, *sm.SearchInput, ...func(*sm.Options)) (*sm.SearchOutput, error) {
	return nil, &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "not authorized to perform: sagemaker:Search"}
}

// The fallback path reads the same job through ListTrainingJobs,
// DescribeTrainingJob and ListTags with the same result.
func TestTrainingFallbackAgainstMoto(t *testing.T) {
	ctx := context.Background()
	srv := mototest.ForTest(t)
	client := sm.NewFromConfig(mototest.Config(t, srv, region))
	seed(ctx, t, client)

	inv := scan(ctx, searchDenied{client})
	var jobs []inventory.Resource
	for _, r := range inv.Resources {
		if r.Kind == "training-job" {
			jobs = append(jobs, r)
		}
	}
	assertEqual(t, "training jobs", withoutTimes(t, jobs), []inventory.Resource{{
		Kind: "training-job", ARN: arn("training-job", "job"), Name: "job", Account: account, Region: region,
		Tags: map[string]string{"team": "research"}, Source: "sagemaker:DescribeTrainingJob", Slots: trainingSlots,
		ExecutionRoles: []string{role},
	}})
	assertEqual(t, "gaps", inv.Gaps, []inventory.Gap{})
}

// endpointCalls is the real client counting the calls that read endpoints.
type endpointCalls struct {
	collectsm.API
	mu    sync.Mutex
	calls map[string]int
}

func (c *endpointCalls) count(op string) {
	c.mu.Lock()
	c.calls[op]++
	c.mu.Unlock()
}

func (c *endpointCalls) Search(ctx context.Context, in *sm.SearchInput, optFns ...func(*sm.Options)) (*sm.SearchOutput, error) {
	c.count("Search " + string(in.Resource))
	return c.API.Search(ctx, in, optFns...)
}

func (c *endpointCalls) ListEndpoints(ctx context.Context, in *sm.ListEndpointsInput, optFns ...func(*sm.Options)) (*sm.ListEndpointsOutput, error) {
	c.count("ListEndpoints")
	return c.API.ListEndpoints(ctx, in, optFns...)
}

func (c *endpointCalls) DescribeEndpoint(ctx context.Context, in *sm.DescribeEndpointInput, optFns ...func(*sm.Options)) (*sm.DescribeEndpointOutput, error) {
	c.count("DescribeEndpoint")
	return c.API.DescribeEndpoint(ctx, in, optFns...)
}

func (c *endpointCalls) ListTags(ctx context.Context, in *sm.ListTagsInput, optFns ...func(*sm.Options)) (*sm.ListTagsOutput, error) {
	c.count("ListTags " + aws.ToString(in.ResourceArn))
	return c.API.ListTags(ctx, in, optFns...)
}

// endpointsOf scans with api and returns the endpoints, their sources
// cleared for comparison (and checked to be source).
func endpointsOf(ctx context.Context, t *testing.T, api collectsm.API, source string) ([]inventory.Resource, []inventory.Gap) {
	t.Helper()
	inv := scan(ctx, api)
	var out []inventory.Resource
	for _, r := range inv.Resources {
		if r.Kind != "endpoint" {
			continue
		}
		if r.Source != source {
			t.Errorf("endpoint %s: source %s, want %s", r.Name, r.Source, source)
		}
		r.Source = ""
		out = append(out, r)
	}
	return out, inv.Gaps
}

// Endpoints read through Search are the resources the Describe path gives
// (slots, roles, config attribute, creation time, tags: set, added later,
// all removed), with one Search page, one ListEndpoints page of recent
// changes and no DescribeEndpoint or ListTags per endpoint. moto's Search
// returns every endpoint in one page whatever MaxResults, unsorted; its
// records carry EndpointArn, EndpointConfigName, CreationTime,
// LastModifiedTime, EndpointStatus and the current Tags.
func TestEndpointsSearchMatchesDescribeAgainstMoto(t *testing.T) {
	ctx := context.Background()
	srv := mototest.ForTest(t)
	client := sm.NewFromConfig(mototest.Config(t, srv, region))
	seed(ctx, t, client) // ep (tagged env=prod, on cfg), orphan (config deleted)
	for _, name := range []string{"late", "stripped"} {
		must[*sm.CreateEndpointOutput](t, "CreateEndpoint "+name)(client.CreateEndpoint(ctx, &sm.CreateEndpointInput{
			EndpointName: aws.String(name), EndpointConfigName: aws.String("cfg"), Tags: tags("first", "1"),
		}))
	}
	must[*sm.AddTagsOutput](t, "AddTags")(client.AddTags(ctx, &sm.AddTagsInput{
		ResourceArn: aws.String(arn("endpoint", "late")), Tags: tags("added", "later"),
	}))
	must[*sm.DeleteTagsOutput](t, "DeleteTags")(client.DeleteTags(ctx, &sm.DeleteTagsInput{
		ResourceArn: aws.String(arn("endpoint", "stripped")), TagKeys: []string{"first"},
	}))

	searched := &endpointCalls{API: client, calls: map[string]int{}}
	viaSearch, gaps := endpointsOf(ctx, t, searched, "sagemaker:Search+DescribeEndpointConfig")
	assertEqual(t, "gaps with Search", gaps, []inventory.Gap{})
	described := &endpointCalls{API: searchDenied{client}, calls: map[string]int{}}
	viaDescribe, gaps := endpointsOf(ctx, t, described, "sagemaker:DescribeEndpoint+DescribeEndpointConfig")
	assertEqual(t, "gaps with Describe", gaps, []inventory.Gap{})

	if len(viaSearch) != 4 {
		t.Fatalf("Search read %d endpoints, want ep, orphan, late and stripped", len(viaSearch))
	}
	assertEqual(t, "endpoints via Search vs via Describe", viaSearch, viaDescribe)
	for _, r := range viaSearch {
		want := map[string]map[string]string{
			"ep": {"env": "prod"}, "late": {"first": "1", "added": "later"}, "orphan": nil, "stripped": nil,
		}[r.Name]
		assertEqual(t, r.Name+" tags", r.Tags, want)
	}
	// Endpoints' ListTags: none with Search; one each with Describe (the
	// config's own ListTags happen either way).
	endpointCalls := func(calls map[string]int) map[string]int {
		out := map[string]int{}
		for op, n := range calls {
			if !strings.HasPrefix(op, "ListTags ") || strings.Contains(op, ":endpoint/") {
				out[op] = n
			}
		}
		return out
	}
	assertEqual(t, "calls with Search", endpointCalls(searched.calls), map[string]int{
		"Search TrainingJob": 1, "Search Endpoint": 1, "ListEndpoints": 1,
	})
	wantDescribe := map[string]int{"Search TrainingJob": 1, "Search Endpoint": 1, "ListEndpoints": 1, "DescribeEndpoint": 4}
	for _, name := range []string{"ep", "orphan", "late", "stripped"} {
		wantDescribe["ListTags "+arn("endpoint", name)] = 1
	}
	assertEqual(t, "calls with Search denied", endpointCalls(described.calls), wantDescribe)
}

// countingModels is the real client counting DescribeModel calls per model.
type countingModels struct {
	collectsm.FullAPI
	mu    sync.Mutex
	calls map[string]int
}

func (c *countingModels) DescribeModel(ctx context.Context, in *sm.DescribeModelInput, optFns ...func(*sm.Options)) (*sm.DescribeModelOutput, error) {
	c.mu.Lock()
	c.calls[aws.ToString(in.ModelName)]++
	c.mu.Unlock()
	return c.FullAPI.DescribeModel(ctx, in, optFns...)
}

// Execution roles through the real client: a notebook and a training job
// read their own role; an endpoint config with two variants whose models
// run as different roles, its endpoint and a transform job run as their
// models' roles, each model described once by all collectors together; a
// config whose model was deleted has unknown roles and is still reported.
func TestExecutionRolesAgainstMoto(t *testing.T) {
	const roleB = "arn:aws:iam::123456789012:role/inference"
	ctx := context.Background()
	srv := mototest.ForTest(t)
	client := sm.NewFromConfig(mototest.Config(t, srv, region))
	seed(ctx, t, client) // nb, model "model" (role), cfg, ep, training job, ...

	model := func(name, execRole string) {
		must[*sm.CreateModelOutput](t, "CreateModel "+name)(client.CreateModel(ctx, &sm.CreateModelInput{
			ModelName: aws.String(name), ExecutionRoleArn: aws.String(execRole),
			PrimaryContainer: &types.ContainerDefinition{Image: aws.String(image)},
		}))
	}
	variant := func(name, model string) types.ProductionVariant {
		return types.ProductionVariant{VariantName: aws.String(name), ModelName: aws.String(model),
			InstanceType: types.ProductionVariantInstanceTypeMlM5Large, InitialInstanceCount: aws.Int32(1)}
	}
	model("model-b", roleB)
	model("model-lost", roleB)
	must[*sm.CreateEndpointConfigOutput](t, "CreateEndpointConfig two")(client.CreateEndpointConfig(ctx, &sm.CreateEndpointConfigInput{
		EndpointConfigName: aws.String("two"), KmsKeyId: aws.String("alias/hosting"),
		ProductionVariants: []types.ProductionVariant{variant("a", "model"), variant("b", "model-b")},
	}))
	must[*sm.CreateEndpointOutput](t, "CreateEndpoint two")(client.CreateEndpoint(ctx, &sm.CreateEndpointInput{
		EndpointName: aws.String("ep-two"), EndpointConfigName: aws.String("two"),
	}))
	must[*sm.CreateEndpointConfigOutput](t, "CreateEndpointConfig lost")(client.CreateEndpointConfig(ctx, &sm.CreateEndpointConfigInput{
		EndpointConfigName: aws.String("lost"), ProductionVariants: []types.ProductionVariant{variant("a", "model-lost")},
	}))
	must[*sm.DeleteModelOutput](t, "DeleteModel")(client.DeleteModel(ctx, &sm.DeleteModelInput{ModelName: aws.String("model-lost")}))
	must[*sm.CreateTransformJobOutput](t, "CreateTransformJob")(client.CreateTransformJob(ctx, &sm.CreateTransformJobInput{
		TransformJobName: aws.String("batch"), ModelName: aws.String("model-b"),
		TransformInput: &types.TransformInput{DataSource: &types.TransformDataSource{S3DataSource: &types.TransformS3DataSource{
			S3DataType: types.S3DataTypeS3Prefix, S3Uri: aws.String("s3://in/"),
		}}},
		TransformOutput:    &types.TransformOutput{S3OutputPath: aws.String("s3://out/")},
		TransformResources: &types.TransformResources{InstanceType: types.TransformInstanceTypeMlM5Large, InstanceCount: aws.Int32(1)},
	}))

	api := &countingModels{FullAPI: client, calls: map[string]int{}}
	sink := &collect.MemorySink{}
	collect.Run(ctx, collect.JobsFor(collect.Target{Account: account, Region: region}, collectsm.AllCollectors(api)), 4, sink)
	inv := sink.Inventory()

	type roles struct {
		Roles   []string
		Unknown string
	}
	got := map[string]roles{}
	for _, r := range inv.Resources {
		got[r.Kind+"/"+r.Name] = roles{r.ExecutionRoles, r.RolesUnknown}
	}
	both := []string{roleB, role}
	for name, want := range map[string]roles{
		"notebook-instance/nb": {Roles: []string{role}},
		"training-job/job":     {Roles: []string{role}},
		"endpoint-config/cfg":  {Roles: []string{role}},
		"endpoint-config/two":  {Roles: both},
		"endpoint/ep":          {Roles: []string{role}},
		"endpoint/ep-two":      {Roles: both},
		"transform-job/batch":  {Roles: []string{roleB}},
		"endpoint-config/lost": {Unknown: "model model-lost no longer exists"},
	} {
		if g, ok := got[name]; !ok {
			t.Errorf("%s not collected", name)
		} else {
			assertEqual(t, name+" roles", g, want)
		}
	}
	// "model" serves cfg, two and both endpoints; "model-b" serves two, its
	// endpoint and the transform job: one call each all the same.
	assertEqual(t, "DescribeModel calls", api.calls, map[string]int{"model": 1, "model-b": 1, "model-lost": 1})
}
