package demo

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
)

// The model every variant serves. moto requires variants to name an existing
// model; models themselves are not audited.
const demoModel = "xgboost-scoring-model"

// primaryHosting creates endpoint configs covering every slot kind
// (volume, data capture, async output, core dump), NVMe-only and
// serverless variants, plus endpoints including one whose config was
// deleted after the endpoint was created.
func (s *seeder) primaryHosting(ctx context.Context, region string) error {
	sm := s.sagemaker(region)
	if err := s.createModel(ctx, sm, region); err != nil {
		return err
	}
	healthy := s.m.key(KeyHealthy)
	out := s.bucket(region)

	configs := []struct {
		in     *sagemaker.CreateEndpointConfigInput
		status string
		why    string
		access verdict
	}{
		{&sagemaker.CreateEndpointConfigInput{
			EndpointConfigName: aws.String("fraud-detector-ec"),
			KmsKeyId:           aws.String(healthy),
			ProductionVariants: []smtypes.ProductionVariant{withCoreDump(instanceVariant("primary", smtypes.ProductionVariantInstanceTypeMlM5Large), out+"/core-dumps/fraud", healthy)},
			DataCaptureConfig:  dataCapture(out+"/data-capture/fraud", healthy),
			AsyncInferenceConfig: &smtypes.AsyncInferenceConfig{OutputConfig: &smtypes.AsyncInferenceOutputConfig{
				S3OutputPath: aws.String(out + "/async/fraud"),
				KmsKeyId:     aws.String(keyID(healthy)),
			}},
			Tags: tags("fraud-team", "cc-1001"),
		}, StatusPass, "volume, data capture, async output and core dump all use an enabled CMK", accessGranted},
		{&sagemaker.CreateEndpointConfigInput{
			EndpointConfigName: aws.String("churn-scoring-ec"),
			KmsKeyId:           aws.String(AliasSageMakerData),
			ProductionVariants: []smtypes.ProductionVariant{instanceVariant("primary", smtypes.ProductionVariantInstanceTypeMlM5Large)},
			DataCaptureConfig:  dataCapture(out+"/data-capture/churn", ""),
			Tags:               tags("growth", "cc-4004"),
		}, StatusFail, "volume key is fine but data capture has no KmsKeyId", accessGranted},
		{&sagemaker.CreateEndpointConfigInput{
			EndpointConfigName: aws.String("image-classifier-gpu-ec"),
			ProductionVariants: []smtypes.ProductionVariant{
				instanceVariant("gpu-a", smtypes.ProductionVariantInstanceTypeMlG4dnXlarge),
				instanceVariant("gpu-b", smtypes.ProductionVariantInstanceTypeMlG4dn2xlarge),
			},
			Tags: tags("vision", "cc-9009"),
		}, StatusNotApplicable, "all variants are NVMe instance types (ml.g4dn.*), so the volume key slot does not apply", accessNoCMK},
		{&sagemaker.CreateEndpointConfigInput{
			EndpointConfigName: aws.String("sentiment-serverless-ec"),
			ProductionVariants: []smtypes.ProductionVariant{{
				VariantName: aws.String("serverless"),
				ModelName:   aws.String(demoModel),
				ServerlessConfig: &smtypes.ProductionVariantServerlessConfig{
					MemorySizeInMB: aws.Int32(2048),
					MaxConcurrency: aws.Int32(5),
				},
			}},
			Tags: tags("support-ml", "cc-1212"),
		}, StatusNotApplicable, "serverless variant has no volume key slot", accessNoCMK},
		{&sagemaker.CreateEndpointConfigInput{
			EndpointConfigName: aws.String("legacy-batch-scoring-ec"),
			ProductionVariants: []smtypes.ProductionVariant{instanceVariant("primary", smtypes.ProductionVariantInstanceTypeMlM5Large)},
		}, StatusFail, "no KmsKeyId on an EBS-backed variant (ml.m5.large)", accessNoCMK},
	}
	for _, c := range configs {
		if err := s.createEndpointConfig(ctx, sm, region, c.in, c.status, c.why, c.access); err != nil {
			return err
		}
	}

	endpoints := []struct {
		name, config, status, why string
		access                    verdict
	}{
		{"fraud-detector", "fraud-detector-ec", StatusPass, "its endpoint config fraud-detector-ec passes", accessGranted},
		{"legacy-batch-scoring", "legacy-batch-scoring-ec", StatusFail, "its endpoint config legacy-batch-scoring-ec has no volume key", accessNoCMK},
		{"image-classifier-gpu", "image-classifier-gpu-ec", StatusNotApplicable, "its endpoint config is NVMe-only", accessNoCMK},
	}
	for _, e := range endpoints {
		if err := s.createEndpoint(ctx, sm, region, e.name, e.config, tags("ml-platform", "cc-1001"), e.status, e.why, e.access); err != nil {
			return err
		}
	}

	// An endpoint whose config has since been deleted cannot be judged.
	// The config itself is not recorded: it no longer exists.
	const danglingConfig = "recsys-canary-ec"
	if _, err := sm.CreateEndpointConfig(ctx, &sagemaker.CreateEndpointConfigInput{
		EndpointConfigName: aws.String(danglingConfig),
		KmsKeyId:           aws.String(healthy),
		ProductionVariants: []smtypes.ProductionVariant{instanceVariant("canary", smtypes.ProductionVariantInstanceTypeMlM5Large)},
		Tags:               tags("recsys", "cc-6006"),
	}); createdEvenIfRetried(err) != nil {
		return fmt.Errorf("demo: create endpoint config %s in %s: %w", danglingConfig, region, err)
	}
	if err := s.createEndpoint(ctx, sm, region, "recsys-canary", danglingConfig, tags("recsys", "cc-6006"),
		StatusError, "its endpoint config "+danglingConfig+" was deleted after the endpoint was created",
		verdict{StatusError, "without its endpoint config, the models and so the execution roles cannot be read",
			[]string{"execution role could not be read", danglingConfig + " no longer exists"}}); err != nil {
		return err
	}
	if _, err := sm.DeleteEndpointConfig(ctx, &sagemaker.DeleteEndpointConfigInput{EndpointConfigName: aws.String(danglingConfig)}); err != nil {
		return fmt.Errorf("demo: delete endpoint config %s in %s: %w", danglingConfig, region, err)
	}
	return nil
}

// secondaryHosting creates one compliant endpoint in the second region.
func (s *seeder) secondaryHosting(ctx context.Context, region string) error {
	sm := s.sagemaker(region)
	if err := s.createModel(ctx, sm, region); err != nil {
		return err
	}
	key := s.m.key(KeySecondary)
	if err := s.createEndpointConfig(ctx, sm, region, &sagemaker.CreateEndpointConfigInput{
		EndpointConfigName: aws.String("gdpr-scoring-ec"),
		KmsKeyId:           aws.String(key),
		ProductionVariants: []smtypes.ProductionVariant{instanceVariant("primary", smtypes.ProductionVariantInstanceTypeMlM5Large)},
		DataCaptureConfig:  dataCapture(s.bucket(region)+"/data-capture/gdpr", key),
		Tags:               tags("ml-platform-eu", "cc-1101"),
	}, StatusPass, "volume and data capture use the region's enabled CMK", accessGranted); err != nil {
		return err
	}
	return s.createEndpoint(ctx, sm, region, "gdpr-scoring", "gdpr-scoring-ec", tags("ml-platform-eu", "cc-1101"),
		StatusPass, "its endpoint config gdpr-scoring-ec passes", accessGranted)
}

func (s *seeder) createModel(ctx context.Context, sm *sagemaker.Client, region string) error {
	_, err := sm.CreateModel(ctx, &sagemaker.CreateModelInput{
		ModelName:        aws.String(demoModel),
		ExecutionRoleArn: aws.String(s.roleARN()),
		PrimaryContainer: &smtypes.ContainerDefinition{
			Image:        aws.String("683313688378.dkr.ecr." + region + ".amazonaws.com/sagemaker-xgboost:1.7-1"),
			ModelDataUrl: aws.String(s.bucket(region) + "/models/xgboost/model.tar.gz"),
		},
		Tags: tags("ml-platform", "cc-1001"),
	})
	if createdEvenIfRetried(err) != nil {
		return fmt.Errorf("demo: create model %s in %s: %w", demoModel, region, err)
	}
	return nil
}

func (s *seeder) createEndpointConfig(ctx context.Context, sm *sagemaker.Client, region string, in *sagemaker.CreateEndpointConfigInput, status, why string, access verdict) error {
	if _, err := sm.CreateEndpointConfig(ctx, in); createdEvenIfRetried(err) != nil {
		return fmt.Errorf("demo: create endpoint config %s in %s: %w", aws.ToString(in.EndpointConfigName), region, err)
	}
	s.m.expect(KindEndpointConfig, region, aws.ToString(in.EndpointConfigName), status, why)
	s.m.expectAccess(KindEndpointConfig, region, aws.ToString(in.EndpointConfigName), access)
	return nil
}

func (s *seeder) createEndpoint(ctx context.Context, sm *sagemaker.Client, region, name, config string, t []smtypes.Tag, status, why string, access verdict) error {
	if _, err := sm.CreateEndpoint(ctx, &sagemaker.CreateEndpointInput{
		EndpointName:       aws.String(name),
		EndpointConfigName: aws.String(config),
		Tags:               t,
	}); createdEvenIfRetried(err) != nil {
		return fmt.Errorf("demo: create endpoint %s in %s: %w", name, region, err)
	}
	s.m.expect(KindEndpoint, region, name, status, why)
	s.m.expectAccess(KindEndpoint, region, name, access)
	return nil
}

func instanceVariant(name string, typ smtypes.ProductionVariantInstanceType) smtypes.ProductionVariant {
	return smtypes.ProductionVariant{
		VariantName:          aws.String(name),
		ModelName:            aws.String(demoModel),
		InstanceType:         typ,
		InitialInstanceCount: aws.Int32(1),
		InitialVariantWeight: aws.Float32(1),
	}
}

func withCoreDump(v smtypes.ProductionVariant, dest, key string) smtypes.ProductionVariant {
	v.CoreDumpConfig = &smtypes.ProductionVariantCoreDumpConfig{
		DestinationS3Uri: aws.String(dest),
		KmsKeyId:         aws.String(key),
	}
	return v
}

// dataCapture returns an enabled data capture config; key "" leaves
// KmsKeyId unset.
func dataCapture(dest, key string) *smtypes.DataCaptureConfig {
	dc := &smtypes.DataCaptureConfig{
		EnableCapture:             aws.Bool(true),
		InitialSamplingPercentage: aws.Int32(20),
		DestinationS3Uri:          aws.String(dest),
		CaptureOptions: []smtypes.CaptureOption{
			{CaptureMode: smtypes.CaptureModeInput},
			{CaptureMode: smtypes.CaptureModeOutput},
		},
	}
	if key != "" {
		dc.KmsKeyId = aws.String(key)
	}
	return dc
}
