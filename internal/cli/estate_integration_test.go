package cli_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
)

// smallEstate seeds, through cfg (one account and region), a key, training
// jobs, endpoint configs, an endpoint and a notebook: enough to exercise
// Search, List+Describe, immutable and mutable kinds.
type smallEstate struct {
	t   *testing.T
	sm  *sagemaker.Client
	key string
	// role is a role ARN in the seeded account (moto does not check it).
	role string
}

func seedSmall(t *testing.T, cfg aws.Config, account string) *smallEstate {
	t.Helper()
	ctx := context.Background()
	k, err := kms.NewFromConfig(cfg).CreateKey(ctx, &kms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	e := &smallEstate{t: t, sm: sagemaker.NewFromConfig(cfg), key: aws.ToString(k.KeyMetadata.Arn), role: "arn:aws:iam::" + account + ":role/sagemaker"}
	if _, err := e.sm.CreateModel(ctx, &sagemaker.CreateModelInput{
		ModelName: aws.String("model"), ExecutionRoleArn: aws.String(e.role),
		PrimaryContainer: &smtypes.ContainerDefinition{Image: aws.String("123456789012.dkr.ecr.us-east-1.amazonaws.com/x:1")},
	}); err != nil {
		t.Fatal(err)
	}
	e.trainingJob("tj-keyed", e.key)
	e.trainingJob("tj-plain", "")
	e.endpointConfig("ec-keyed", e.key)
	e.endpointConfig("ec-plain", "")
	if _, err := e.sm.CreateEndpoint(ctx, &sagemaker.CreateEndpointInput{EndpointName: aws.String("ep"), EndpointConfigName: aws.String("ec-keyed")}); err != nil {
		t.Fatal(err)
	}
	createNotebook(t, e.sm, "nb", e.key)
	return e
}

func (e *smallEstate) trainingJob(name, key string) {
	e.t.Helper()
	rc := &smtypes.ResourceConfig{InstanceType: smtypes.TrainingInstanceTypeMlM5Large, InstanceCount: aws.Int32(1), VolumeSizeInGB: aws.Int32(10)}
	out := &smtypes.OutputDataConfig{S3OutputPath: aws.String("s3://bucket/out/")}
	if key != "" {
		rc.VolumeKmsKeyId, out.KmsKeyId = aws.String(key), aws.String(key)
	}
	_, err := e.sm.CreateTrainingJob(context.Background(), &sagemaker.CreateTrainingJobInput{
		TrainingJobName: aws.String(name), RoleArn: aws.String(e.role),
		AlgorithmSpecification: &smtypes.AlgorithmSpecification{
			TrainingImage: aws.String("683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"), TrainingInputMode: smtypes.TrainingInputModeFile},
		OutputDataConfig: out, ResourceConfig: rc,
		StoppingCondition: &smtypes.StoppingCondition{MaxRuntimeInSeconds: aws.Int32(3600)},
		Tags:              []smtypes.Tag{{Key: aws.String("owner"), Value: aws.String("ml")}},
	})
	if err != nil {
		e.t.Fatalf("create training job %s: %v", name, err)
	}
}

func (e *smallEstate) endpointConfig(name, key string) {
	e.t.Helper()
	in := &sagemaker.CreateEndpointConfigInput{
		EndpointConfigName: aws.String(name),
		ProductionVariants: []smtypes.ProductionVariant{{VariantName: aws.String("v"), ModelName: aws.String("model"),
			InstanceType: smtypes.ProductionVariantInstanceTypeMlM5Large, InitialInstanceCount: aws.Int32(1)}},
	}
	if key != "" {
		in.KmsKeyId = aws.String(key)
	}
	if _, err := e.sm.CreateEndpointConfig(context.Background(), in); err != nil {
		e.t.Fatalf("create endpoint config %s: %v", name, err)
	}
}

func (e *smallEstate) deleteEndpointConfig(name string) {
	e.t.Helper()
	if _, err := e.sm.DeleteEndpointConfig(context.Background(), &sagemaker.DeleteEndpointConfigInput{EndpointConfigName: aws.String(name)}); err != nil {
		e.t.Fatalf("delete endpoint config %s: %v", name, err)
	}
}
