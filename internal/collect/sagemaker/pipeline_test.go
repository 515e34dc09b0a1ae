package sagemaker

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	sm "github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"

	"github.com/sagekey/sagekey/internal/collect"
	"github.com/sagekey/sagekey/internal/inventory"
)

// fakePipelineAPI implements PipelineAPI; an unset function fails the test.
type fakePipelineAPI struct {
	t                testing.TB
	listPipelines    func(*sm.ListPipelinesInput) (*sm.ListPipelinesOutput, error)
	describePipeline func(*sm.DescribePipelineInput) (*sm.DescribePipelineOutput, error)
	describeModel    func(*sm.DescribeModelInput) (*sm.DescribeModelOutput, error)
	listTags         func(*sm.ListTagsInput) (*sm.ListTagsOutput, error)
}

func fakeCall[I, O any](t testing.TB, op string, fn func(I) (O, error), in I) (O, error) {
	if fn == nil {
		t.Errorf("unexpected call to %s", op)
		var zero O
		return zero, fmt.Errorf("fake: unexpected call to %s", op)
	}
	return fn(in)
}

func (f *fakePipelineAPI) ListPipelines(_ context.Context, in *sm.ListPipelinesInput, _ ...func(*sm.Options)) (*sm.ListPipelinesOutput, error) {
	return fakeCall(f.t, "ListPipelines", f.listPipelines, in)
}

func (f *fakePipelineAPI) DescribePipeline(_ context.Context, in *sm.DescribePipelineInput, _ ...func(*sm.Options)) (*sm.DescribePipelineOutput, error) {
	return fakeCall(f.t, "DescribePipeline", f.describePipeline, in)
}

func (f *fakePipelineAPI) DescribeModel(_ context.Context, in *sm.DescribeModelInput, _ ...func(*sm.Options)) (*sm.DescribeModelOutput, error) {
	return fakeCall(f.t, "DescribeModel", f.describeModel, in)
}

func (f *fakePipelineAPI) ListTags(_ context.Context, in *sm.ListTagsInput, _ ...func(*sm.Options)) (*sm.ListTagsOutput, error) {
	return fakeCall(f.t, "ListTags", f.listTags, in)
}

func runPipelineCollector(t *testing.T, api PipelineAPI) inventory.Inventory {
	t.Helper()
	cs := PipelineCollectors(api)
	if len(cs) != 1 || cs[0].Name() != "sagemaker:pipelines" {
		t.Fatalf("PipelineCollectors = %v, want the one pipeline collector", cs)
	}
	sink := &collect.MemorySink{}
	collect.Run(context.Background(), []collect.Job{{Target: target, Collector: cs[0]}}, 1, sink)
	inv := sink.Inventory()
	checkInventory(t, inv, cs[0].Kinds())
	return inv
}

func TestPipelineCollector(t *testing.T) {
	definitions := map[string]string{
		"keyed": `{"Version": "2020-12-01", "Steps": [{"Name": "Train", "Type": "Training", "Arguments": {
			"ResourceConfig": {"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 10, "VolumeKmsKeyId": "` + keyARN + `"},
			"OutputDataConfig": {"S3OutputPath": "s3://b/out", "KmsKeyId": "` + keyARN + `"},
			"RoleArn": "` + roleARN2 + `"}},
			{"Name": "Score", "Type": "Transform", "Arguments": {"ModelName": "scorer"}}]}`,
		"broken":  `{"Version": "2020-12-01", "Steps": [`,
		"lambdas": `{"Version": "2020-12-01", "Steps": [{"Name": "L", "Type": "Lambda", "Arguments": {}}]}`,
	}
	api := &fakePipelineAPI{
		t: t,
		listPipelines: func(in *sm.ListPipelinesInput) (*sm.ListPipelinesOutput, error) {
			if in.NextToken == nil {
				return &sm.ListPipelinesOutput{
					PipelineSummaries: []types.PipelineSummary{
						{PipelineName: aws.String("keyed"), PipelineArn: aws.String(arnOf("pipeline", "keyed")), CreationTime: aws.Time(created)},
						{PipelineName: aws.String("broken"), PipelineArn: aws.String(arnOf("pipeline", "broken")), CreationTime: aws.Time(created)},
					},
					NextToken: aws.String("p2"),
				}, nil
			}
			return &sm.ListPipelinesOutput{PipelineSummaries: []types.PipelineSummary{
				{PipelineName: aws.String("lambdas"), PipelineArn: aws.String(arnOf("pipeline", "lambdas")), CreationTime: aws.Time(created)},
				{PipelineName: aws.String("gone"), PipelineArn: aws.String(arnOf("pipeline", "gone")), CreationTime: aws.Time(created)},
				{PipelineName: aws.String("denied"), PipelineArn: aws.String(arnOf("pipeline", "denied")), CreationTime: aws.Time(created)},
			}}, nil
		},
		describePipeline: func(in *sm.DescribePipelineInput) (*sm.DescribePipelineOutput, error) {
			name := aws.ToString(in.PipelineName)
			switch name {
			case "gone":
				return nil, apiErr("ResourceNotFound", "Pipeline gone does not exist")
			case "denied":
				return nil, errDenied
			}
			return &sm.DescribePipelineOutput{
				PipelineName:       aws.String(name),
				PipelineArn:        aws.String(arnOf("pipeline", name)),
				CreationTime:       aws.Time(created),
				PipelineDefinition: aws.String(definitions[name]),
				// The pipeline's own role only starts the steps' jobs.
				RoleArn: aws.String("arn:aws:iam::111122223333:role/pipeline"),
			}, nil
		},
		describeModel: func(in *sm.DescribeModelInput) (*sm.DescribeModelOutput, error) {
			assertEqual(t, "model", aws.ToString(in.ModelName), "scorer")
			return &sm.DescribeModelOutput{ModelName: in.ModelName, ExecutionRoleArn: aws.String(roleARN)}, nil
		},
		listTags: tagsOf(map[string][]types.Tag{arnOf("pipeline", "keyed"): {tag("owner", "ml")}}),
	}
	inv := runPipelineCollector(t, api)

	if len(inv.Resources) != 4 {
		t.Fatalf("got %d resources, want 4 (keyed, broken, lambdas, denied): %+v", len(inv.Resources), inv.Resources)
	}
	keyed := findResource(t, inv, "pipeline", "keyed")
	assertEqual(t, "keyed", keyed, inventory.Resource{
		Kind: "pipeline", ARN: arnOf("pipeline", "keyed"), Name: "keyed", Account: target.Account, Region: target.Region,
		Tags: map[string]string{"owner": "ml"}, CreatedAt: created, Source: "sagemaker:DescribePipeline",
		Slots: []inventory.Slot{
			// Each step's slots name the one role its job runs as.
			{Type: "training-volume", Name: "training-volume:Train", Label: "step Train: ML storage volume",
				KeyRef: keyARN, InstanceTypes: []string{"ml.m5.large"}, Role: roleARN2},
			{Type: "training-output", Name: "training-output:Train", Label: "step Train: output in S3",
				KeyRef: keyARN, OutputURI: "s3://b/out", Role: roleARN2},
			{Type: "transform-volume", Name: "transform-volume:Score", Label: "step Score: ML storage volume", Role: roleARN},
			{Type: "transform-output", Name: "transform-output:Score", Label: "step Score: output in S3", Role: roleARN},
		},
		// The training step's role and the scoring model's.
		ExecutionRoles: []string{roleARN2, roleARN},
	})

	broken := findResource(t, inv, "pipeline", "broken")
	if len(broken.Slots) != 1 || broken.Slots[0].Type != "" ||
		!strings.HasPrefix(broken.Slots[0].Unknown, "pipeline definition could not be parsed: ") {
		t.Errorf("broken pipeline slots = %+v, want one unreadable slot", broken.Slots)
	}
	if broken.Source != "sagemaker:DescribePipeline" || broken.ARN != arnOf("pipeline", "broken") ||
		broken.RolesUnknown != broken.Slots[0].Unknown || len(broken.ExecutionRoles) != 0 {
		t.Errorf("broken pipeline = %+v", broken)
	}

	if s := findResource(t, inv, "pipeline", "lambdas").Slots; len(s) != 0 {
		t.Errorf("pipeline without keyed steps has slots %+v, want none", s)
	}

	denied := findResource(t, inv, "pipeline", "denied")
	if len(denied.Slots) != 1 || denied.Slots[0].Unknown == "" || denied.RolesUnknown != denied.Slots[0].Unknown {
		t.Errorf("denied pipeline slots = %+v, want one unreadable slot", denied.Slots)
	}
	if len(inv.Gaps) != 1 || inv.Gaps[0].Service != "sagemaker:DescribePipeline" {
		t.Errorf("gaps = %+v, want one for the denied DescribePipeline", inv.Gaps)
	}
}

func TestPipelineCollectorListFails(t *testing.T) {
	api := &fakePipelineAPI{
		t: t,
		listPipelines: func(*sm.ListPipelinesInput) (*sm.ListPipelinesOutput, error) {
			return nil, errDenied
		},
	}
	inv := runPipelineCollector(t, api)
	if len(inv.Resources) != 0 || len(inv.Gaps) != 1 || inv.Gaps[0].Service != "sagemaker:ListPipelines" {
		t.Errorf("inventory = %+v, want only a ListPipelines gap", inv)
	}
}
