package demo

import (
	"cmp"
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
)

type trainingSpec struct {
	name      string
	resources smtypes.ResourceConfig // VolumeSizeInGB is filled in
	outputKey string                 // "" means none
	tags      []smtypes.Tag
	status    string
	why       string
	access    verdict // training-job.key-access
	role      string  // the execution role's name; "" means RoleExecution
	// outputPrefix is where the output goes in the region's bucket; ""
	// means /training-output/.
	outputPrefix string
}

// primaryTraining creates training jobs covering the volume and output
// slots, NVMe instance types and a heterogeneous cluster.
func (s *seeder) primaryTraining(ctx context.Context, region string) error {
	healthy := s.m.key(KeyHealthy)
	specs := []trainingSpec{
		{
			name:      "fraud-xgb-train-2024-06-01",
			resources: single(smtypes.TrainingInstanceTypeMlM5Xlarge, 2, healthy),
			outputKey: healthy,
			tags:      tags("fraud-team", "cc-1001"),
			status:    StatusPass, why: "volume and output both use an enabled CMK",
			access: accessGranted,
		},
		{
			name:      "image-resnet50-train-gpu",
			resources: single(smtypes.TrainingInstanceTypeMlG4dnXlarge, 1, ""),
			outputKey: AliasSageMakerData,
			tags:      tags("vision", "cc-9009"),
			status:    StatusPass, why: "output uses an enabled CMK; volume slot N/A on NVMe ml.g4dn.xlarge",
			access: accessGranted,
		},
		{
			name:      "churn-quick-experiment",
			resources: single(smtypes.TrainingInstanceTypeMlM5Large, 1, ""),
			status:    StatusFail, why: "neither volume nor output has a KmsKeyId",
			access: accessNoCMK,
		},
		{
			name:      "recsys-two-tower-train",
			resources: single(smtypes.TrainingInstanceTypeMlC52xlarge, 1, keyID(healthy)),
			outputKey: "alias/aws/s3",
			tags:      tags("recsys", "cc-6006"),
			status:    StatusFail, why: "output uses AWS-managed alias/aws/s3",
			access: accessGranted,
		},
		{
			name: "llm-finetune-hetero",
			resources: smtypes.ResourceConfig{InstanceGroups: []smtypes.InstanceGroup{
				{InstanceGroupName: aws.String("gpu-workers"), InstanceType: smtypes.TrainingInstanceTypeMlG4dn12xlarge, InstanceCount: aws.Int32(2)},
				{InstanceGroupName: aws.String("preprocessors"), InstanceType: smtypes.TrainingInstanceTypeMlG4dn2xlarge, InstanceCount: aws.Int32(1)},
			}},
			outputKey: healthy,
			tags:      tags("genai", "cc-1313"),
			status:    StatusPass, why: "heterogeneous groups are all NVMe (volume N/A); output uses an enabled CMK",
			access: accessGranted,
		},
	}
	return s.createTrainingJobs(ctx, region, specs)
}

// secondaryTraining creates one non-compliant training job in the second
// region.
func (s *seeder) secondaryTraining(ctx context.Context, region string) error {
	return s.createTrainingJobs(ctx, region, []trainingSpec{{
		name:      "eu-churn-retrain",
		resources: single(smtypes.TrainingInstanceTypeMlM5Xlarge, 1, s.m.key(KeySecondary)),
		tags:      tags("ml-platform-eu", "cc-1101"),
		status:    StatusFail, why: "volume uses an enabled CMK but output has no KmsKeyId",
		access: accessGranted,
	}})
}

func (s *seeder) createTrainingJobs(ctx context.Context, region string, specs []trainingSpec) error {
	sm := s.sagemaker(region)
	out := s.bucket(region)
	for _, j := range specs {
		rc := j.resources
		rc.VolumeSizeInGB = aws.Int32(50)
		role := s.roleARN()
		if j.role != "" {
			role = s.m.RoleARN(j.role)
		}
		in := &sagemaker.CreateTrainingJobInput{
			TrainingJobName: aws.String(j.name),
			RoleArn:         aws.String(role),
			AlgorithmSpecification: &smtypes.AlgorithmSpecification{
				TrainingImage:     aws.String("683313688378.dkr.ecr." + region + ".amazonaws.com/sagemaker-xgboost:1.7-1"),
				TrainingInputMode: smtypes.TrainingInputModeFile,
			},
			InputDataConfig: []smtypes.Channel{{
				ChannelName: aws.String("train"),
				DataSource: &smtypes.DataSource{S3DataSource: &smtypes.S3DataSource{
					S3DataType: smtypes.S3DataTypeS3Prefix,
					S3Uri:      aws.String(out + "/datasets/" + j.name + "/train/"),
				}},
			}},
			OutputDataConfig:  &smtypes.OutputDataConfig{S3OutputPath: aws.String(out + cmp.Or(j.outputPrefix, "/training-output/"))},
			ResourceConfig:    &rc,
			StoppingCondition: &smtypes.StoppingCondition{MaxRuntimeInSeconds: aws.Int32(3600)},
			Tags:              j.tags,
		}
		if j.outputKey != "" {
			in.OutputDataConfig.KmsKeyId = aws.String(j.outputKey)
		}
		if _, err := sm.CreateTrainingJob(ctx, in); createdEvenIfRetried(err) != nil {
			return fmt.Errorf("demo: create training job %s in %s: %w", j.name, region, err)
		}
		s.m.expect(KindTrainingJob, region, j.name, j.status, j.why)
		s.m.expectAccess(KindTrainingJob, region, j.name, j.access)
	}
	return nil
}

// single is a homogeneous ResourceConfig; volumeKey "" leaves
// VolumeKmsKeyId unset.
func single(typ smtypes.TrainingInstanceType, count int32, volumeKey string) smtypes.ResourceConfig {
	rc := smtypes.ResourceConfig{InstanceType: typ, InstanceCount: aws.Int32(count)}
	if volumeKey != "" {
		rc.VolumeKmsKeyId = aws.String(volumeKey)
	}
	return rc
}
