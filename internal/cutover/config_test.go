package cutover

import (
	"reflect"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sm "github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
)

const key = "arn:aws:kms:us-east-1:111122223333:key/1111aaaa-2222-3333-4444-555566667777"

// fullConfig sets every field DescribeEndpointConfig returns, so the copy
// test notices any field newConfigInput forgets.
func fullConfig() *sm.DescribeEndpointConfigOutput {
	variant := func(name string, it types.ProductionVariantInstanceType) types.ProductionVariant {
		return types.ProductionVariant{VariantName: aws.String(name), ModelName: aws.String("m"), InstanceType: it,
			InitialInstanceCount: aws.Int32(2),
			CoreDumpConfig:       &types.ProductionVariantCoreDumpConfig{DestinationS3Uri: aws.String("s3://dumps/" + name)}}
	}
	return &sm.DescribeEndpointConfigOutput{
		EndpointConfigName:       aws.String("old"),
		EndpointConfigArn:        aws.String("arn:aws:sagemaker:us-east-1:111122223333:endpoint-config/old"),
		CreationTime:             aws.Time(time.Unix(0, 0)),
		ProductionVariants:       []types.ProductionVariant{variant("main", types.ProductionVariantInstanceTypeMlM5Large)},
		ShadowProductionVariants: []types.ProductionVariant{variant("shadow", types.ProductionVariantInstanceTypeMlM5Large)},
		AsyncInferenceConfig: &types.AsyncInferenceConfig{OutputConfig: &types.AsyncInferenceOutputConfig{
			S3OutputPath: aws.String("s3://async/")}, ClientConfig: &types.AsyncInferenceClientConfig{MaxConcurrentInvocationsPerInstance: aws.Int32(4)}},
		DataCaptureConfig: &types.DataCaptureConfig{DestinationS3Uri: aws.String("s3://capture/"), InitialSamplingPercentage: aws.Int32(5),
			CaptureOptions: []types.CaptureOption{{CaptureMode: types.CaptureModeInput}}},
		EnableNetworkIsolation: aws.Bool(true),
		ExecutionRoleArn:       aws.String("arn:aws:iam::111122223333:role/exec"),
		ExplainerConfig:        &types.ExplainerConfig{ClarifyExplainerConfig: &types.ClarifyExplainerConfig{EnableExplanations: aws.String("`true`")}},
		MetricsConfig:          &types.MetricsConfig{EnableEnhancedMetrics: aws.Bool(true)},
		VpcConfig:              &types.VpcConfig{SecurityGroupIds: []string{"sg-1"}, Subnets: []string{"subnet-1"}},
	}
}

// TestNewConfigCopiesEveryField walks the SDK's CreateEndpointConfigInput:
// every settable field must be copied from the described config, so a
// field SageMaker adds later fails this test instead of vanishing from the
// replacement.
func TestNewConfigCopiesEveryField(t *testing.T) {
	t.Parallel()
	old := fullConfig()
	in := newConfigInput(old, []types.Tag{{Key: aws.String("team"), Value: aws.String("ml")}}, "new", key)
	inV, oldV := reflect.ValueOf(in).Elem(), reflect.ValueOf(old).Elem()
	for i := 0; i < inV.NumField(); i++ {
		f := inV.Type().Field(i)
		if !f.IsExported() || f.Name == "EndpointConfigName" || f.Name == "Tags" {
			continue
		}
		src := oldV.FieldByName(f.Name)
		if !src.IsValid() {
			t.Errorf("CreateEndpointConfigInput.%s has no counterpart in DescribeEndpointConfigOutput: decide how to copy it", f.Name)
			continue
		}
		if !src.IsZero() && inV.Field(i).IsZero() {
			t.Errorf("field %s was not copied", f.Name)
		}
	}
	if got := aws.ToString(in.KmsKeyId); got != key {
		t.Errorf("KmsKeyId = %q, want the key", got)
	}
	if aws.ToString(in.DataCaptureConfig.KmsKeyId) != key || aws.ToString(in.AsyncInferenceConfig.OutputConfig.KmsKeyId) != key {
		t.Error("data capture and async output did not get the key")
	}
	for _, v := range append(in.ProductionVariants, in.ShadowProductionVariants...) {
		if aws.ToString(v.CoreDumpConfig.KmsKeyId) != key {
			t.Errorf("variant %s core dump has no key", aws.ToString(v.VariantName))
		}
	}
	if old.DataCaptureConfig.KmsKeyId != nil || old.ProductionVariants[0].CoreDumpConfig.KmsKeyId != nil {
		t.Error("the described config was modified")
	}
	wantTags := map[string]string{"team": "ml", "sagekey:replaces": "old"}
	for _, tag := range in.Tags {
		if wantTags[aws.ToString(tag.Key)] != aws.ToString(tag.Value) {
			t.Errorf("unexpected tag %s=%s", aws.ToString(tag.Key), aws.ToString(tag.Value))
		}
	}
	if len(in.Tags) != len(wantTags) {
		t.Errorf("tags = %d, want %d", len(in.Tags), len(wantTags))
	}
}

func TestVolumeKeyOnlyWhereItProtectsSomething(t *testing.T) {
	t.Parallel()
	nvme := types.ProductionVariant{InstanceType: types.ProductionVariantInstanceTypeMlG4dnXlarge}
	ebs := types.ProductionVariant{InstanceType: types.ProductionVariantInstanceTypeMlM5Large}
	serverless := types.ProductionVariant{ServerlessConfig: &types.ProductionVariantServerlessConfig{MemorySizeInMB: aws.Int32(2048)}}
	for _, tc := range []struct {
		name     string
		variants []types.ProductionVariant
		want     bool
	}{
		{"all NVMe: local storage is hardware-encrypted", []types.ProductionVariant{nvme}, false},
		{"EBS", []types.ProductionVariant{ebs}, true},
		{"mixed: the EBS variant needs it", []types.ProductionVariant{nvme, ebs}, true},
		{"serverless: the key encrypts the image", []types.ProductionVariant{serverless}, true},
	} {
		in := newConfigInput(&sm.DescribeEndpointConfigOutput{EndpointConfigName: aws.String("c"), ProductionVariants: tc.variants}, nil, "n", key)
		if got := in.KmsKeyId != nil; got != tc.want {
			t.Errorf("%s: volume key set = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestEmptySubconfigsAreDropped: a described config may carry empty
// DataCaptureConfig/AsyncInferenceConfig objects meaning "none"; copying
// them would make CreateEndpointConfig fail validation.
func TestEmptySubconfigsAreDropped(t *testing.T) {
	t.Parallel()
	old := &sm.DescribeEndpointConfigOutput{EndpointConfigName: aws.String("c"),
		DataCaptureConfig: &types.DataCaptureConfig{}, AsyncInferenceConfig: &types.AsyncInferenceConfig{}}
	in := newConfigInput(old, nil, "n", key)
	if in.DataCaptureConfig != nil || in.AsyncInferenceConfig != nil {
		t.Errorf("empty sub-configs were copied: %+v %+v", in.DataCaptureConfig, in.AsyncInferenceConfig)
	}
}

func TestNewConfigName(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 23, 10, 4, 5, 0, time.UTC)
	if got := newConfigName("cfg", now); got != "cfg-cmk-20261123100405" {
		t.Errorf("newConfigName = %q", got)
	}
	long := newConfigName(string(make([]byte, 80)), now)
	if len(long) != maxConfigName {
		t.Errorf("long name has %d characters, want %d", len(long), maxConfigName)
	}
	if got := userTags([]types.Tag{{Key: aws.String("aws:cloudformation:stack-name")}, {Key: aws.String("a")}}); len(got) != 1 {
		t.Errorf("userTags kept reserved tags: %v", got)
	}
}
