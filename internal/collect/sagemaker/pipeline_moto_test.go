package sagemaker_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sm "github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"

	"github.com/sagekey/sagekey/internal/collect"
	collectsm "github.com/sagekey/sagekey/internal/collect/sagemaker"
	"github.com/sagekey/sagekey/internal/inventory"
	"github.com/sagekey/sagekey/internal/motoserver/mototest"
)

const seededPipelineDefinition = `{
  "Version": "2020-12-01",
  "Parameters": [{"Name": "OutputKey", "Type": "String", "DefaultValue": "alias/pipeline-out"}],
  "Steps": [
    {"Name": "Train", "Type": "Training", "Arguments": {
      "AlgorithmSpecification": {"TrainingImage": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/algo:1", "TrainingInputMode": "File"},
      "RoleArn": "arn:aws:iam::123456789012:role/sagemaker",
      "ResourceConfig": {"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 10, "VolumeKmsKeyId": "alias/pipeline-vol"},
      "OutputDataConfig": {"S3OutputPath": "s3://models/pipeline", "KmsKeyId": {"Get": "Parameters.OutputKey"}},
      "StoppingCondition": {"MaxRuntimeInSeconds": 3600}}},
    {"Name": "Gate", "Type": "Condition", "Arguments": {"Conditions": [], "IfSteps": [
      {"Name": "Prep", "Type": "Processing", "Arguments": {
        "ProcessingResources": {"ClusterConfig": {"InstanceType": "ml.m5d.large", "InstanceCount": 1, "VolumeSizeInGB": 10}},
        "AppSpecification": {"ImageUri": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/prep:1"},
        "RoleArn": "arn:aws:iam::123456789012:role/prep"}}
    ], "ElseSteps": []}}
  ]
}`

func TestPipelineCollectorAgainstMoto(t *testing.T) {
	ctx := context.Background()
	srv := mototest.ForTest(t)
	client := sm.NewFromConfig(mototest.Config(t, srv, region))

	must[*sm.CreatePipelineOutput](t, "CreatePipeline")(client.CreatePipeline(ctx, &sm.CreatePipelineInput{
		PipelineName:       aws.String("etl"),
		PipelineDefinition: aws.String(seededPipelineDefinition),
		// Only starts the steps' jobs, which run as their own roles.
		RoleArn:            aws.String("arn:aws:iam::123456789012:role/pipeline"),
		ClientRequestToken: aws.String("etl-token-0123456789abcdef0123"),
		Tags:               []types.Tag{{Key: aws.String("team"), Value: aws.String("data")}},
	}))
	must[*sm.CreatePipelineOutput](t, "CreatePipeline broken")(client.CreatePipeline(ctx, &sm.CreatePipelineInput{
		PipelineName:       aws.String("broken"),
		PipelineDefinition: aws.String(`{"Version": "2020-12-01", "Steps": [`),
		RoleArn:            aws.String(role),
		ClientRequestToken: aws.String("broken-token-0123456789abcdef01"),
	}))

	sink := &collect.MemorySink{}
	collect.Run(ctx, collect.JobsFor(collect.Target{Account: account, Region: region}, collectsm.PipelineCollectors(client)), 1, sink)
	inv := sink.Inventory()
	if len(inv.Gaps) != 0 {
		t.Errorf("gaps: %+v", inv.Gaps)
	}
	byName := map[string]inventory.Resource{}
	for _, r := range inv.Resources {
		if r.CreatedAt.IsZero() {
			t.Errorf("%s: no CreatedAt", r.Name)
		}
		r.CreatedAt = time.Time{}
		byName[r.Name] = r
	}
	if len(byName) != 2 {
		t.Fatalf("resources: %+v, want etl and broken", inv.Resources)
	}
	assertEqual(t, "etl", byName["etl"], inventory.Resource{
		Kind: "pipeline", ARN: arn("pipeline", "etl"), Name: "etl", Account: account, Region: region,
		Tags: map[string]string{"team": "data"}, Source: "sagemaker:DescribePipeline",
		Slots: []inventory.Slot{
			{Type: "training-volume", Name: "training-volume:Train", Label: "step Train: ML storage volume",
				KeyRef: "alias/pipeline-vol", InstanceTypes: []string{"ml.m5.large"}, Role: role},
			{Type: "training-output", Name: "training-output:Train", Label: "step Train: output in S3",
				KeyRef: "alias/pipeline-out", OutputURI: "s3://models/pipeline", Role: role},
			{Type: "processing-volume", Name: "processing-volume:Prep", Label: "step Prep: ML storage volume",
				InstanceTypes: []string{"ml.m5d.large"}, Role: "arn:aws:iam::123456789012:role/prep"},
		},
		ExecutionRoles: []string{"arn:aws:iam::123456789012:role/prep", role},
	})
	broken := byName["broken"]
	if len(broken.Slots) != 1 || broken.Slots[0].Unknown == "" || broken.Slots[0].Type != "" {
		t.Errorf("broken pipeline slots = %+v, want one unreadable slot", broken.Slots)
	}
}
