package demo

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
)

// primaryJobs creates processing, batch transform, hyperparameter tuning,
// AutoML and compilation jobs. It runs after primaryHosting, whose model the
// transform jobs use.
func (s *seeder) primaryJobs(ctx context.Context, region string) error {
	for _, step := range []func(context.Context, string) error{
		s.processingJobs, s.transformJobs, s.tuningJobs, s.autoMLJobs, s.compilationJobs,
	} {
		if err := step(ctx, region); err != nil {
			return err
		}
	}
	return nil
}

func (s *seeder) image(region, repo string) string {
	return "683313688378.dkr.ecr." + region + ".amazonaws.com/" + repo
}

// processingJobs creates two processing jobs. moto drops ProcessingResources
// (it neither stores nor returns it), so the auditor cannot see the volume
// slot: a job whose output key is fine is ERROR, while a job whose output
// has no key is FAIL regardless.
// accessVolumeUnknown is ERROR for either processing job: the volume slot
// moto does not return may use a key the role cannot.
var accessVolumeUnknown = verdict{StatusError, "moto drops ProcessingResources, so the volume slot's key cannot be checked",
	[]string{"could not verify", "ProcessingResources not returned by DescribeProcessingJob"}}

func (s *seeder) processingJobs(ctx context.Context, region string) error {
	sm := s.sagemaker(region)
	healthy := s.m.key(KeyHealthy)
	out := s.bucket(region)
	specs := []struct {
		name, volumeKey, outputKey string
		tags                       []smtypes.Tag
		status, why                string
		access                     verdict
	}{
		{"fraud-feature-engineering", healthy, healthy, tags("fraud-team", "cc-1001"), StatusError,
			"output uses an enabled CMK but moto drops ProcessingResources, so the volume slot is unknown", accessVolumeUnknown},
		{"churn-data-prep", "", "", tags("growth", "cc-4004"), StatusFail,
			"ProcessingOutputConfig has no KmsKeyId (the volume slot is unknown too)", accessVolumeUnknown},
	}
	for _, j := range specs {
		cc := &smtypes.ProcessingClusterConfig{
			InstanceCount:  aws.Int32(1),
			InstanceType:   smtypes.ProcessingInstanceTypeMlM5Xlarge,
			VolumeSizeInGB: aws.Int32(30),
		}
		if j.volumeKey != "" {
			cc.VolumeKmsKeyId = aws.String(j.volumeKey)
		}
		oc := &smtypes.ProcessingOutputConfig{Outputs: []smtypes.ProcessingOutput{{
			OutputName: aws.String("features"),
			S3Output: &smtypes.ProcessingS3Output{
				S3Uri:        aws.String(out + "/processing/" + j.name + "/"),
				LocalPath:    aws.String("/opt/ml/processing/output"),
				S3UploadMode: smtypes.ProcessingS3UploadModeEndOfJob,
			},
		}}}
		if j.outputKey != "" {
			oc.KmsKeyId = aws.String(j.outputKey)
		}
		_, err := sm.CreateProcessingJob(ctx, &sagemaker.CreateProcessingJobInput{
			ProcessingJobName: aws.String(j.name),
			RoleArn:           aws.String(s.roleARN()),
			AppSpecification: &smtypes.AppSpecification{
				ImageUri:            aws.String(s.image(region, "sagemaker-scikit-learn:1.2-1-cpu-py3")),
				ContainerEntrypoint: []string{"python3", "/opt/ml/processing/code/prep.py"},
			},
			ProcessingInputs: []smtypes.ProcessingInput{{
				InputName: aws.String("raw"),
				S3Input: &smtypes.ProcessingS3Input{
					S3Uri:       aws.String(out + "/datasets/" + j.name + "/raw/"),
					LocalPath:   aws.String("/opt/ml/processing/input"),
					S3DataType:  smtypes.ProcessingS3DataTypeS3Prefix,
					S3InputMode: smtypes.ProcessingS3InputModeFile,
				},
			}},
			ProcessingOutputConfig: oc,
			ProcessingResources:    &smtypes.ProcessingResources{ClusterConfig: cc},
			StoppingCondition:      &smtypes.ProcessingStoppingCondition{MaxRuntimeInSeconds: aws.Int32(3600)},
			Tags:                   j.tags,
		})
		if createdEvenIfRetried(err) != nil {
			return fmt.Errorf("demo: create processing job %s in %s: %w", j.name, region, err)
		}
		s.m.expect(KindProcessingJob, region, j.name, j.status, j.why)
		s.m.expectAccess(KindProcessingJob, region, j.name, j.access)
	}
	return nil
}

// transformJobs creates batch transform jobs with the volume and output
// slots.
func (s *seeder) transformJobs(ctx context.Context, region string) error {
	sm := s.sagemaker(region)
	healthy := s.m.key(KeyHealthy)
	out := s.bucket(region)
	specs := []struct {
		name, volumeKey, outputKey string
		tags                       []smtypes.Tag
		status, why                string
		access                     verdict
	}{
		{"fraud-batch-scoring-2024-06", healthy, keyID(healthy), tags("fraud-team", "cc-1001"), StatusPass,
			"volume and output both use an enabled CMK", accessGranted},
		{"churn-batch-scoring-2024-06", AliasSageMakerData, "", tags("growth", "cc-4004"), StatusFail,
			"volume uses an enabled CMK but TransformOutput has no KmsKeyId", accessGranted},
	}
	for _, j := range specs {
		res := &smtypes.TransformResources{
			InstanceType:  smtypes.TransformInstanceTypeMlM5Xlarge,
			InstanceCount: aws.Int32(1),
		}
		if j.volumeKey != "" {
			res.VolumeKmsKeyId = aws.String(j.volumeKey)
		}
		to := &smtypes.TransformOutput{S3OutputPath: aws.String(out + "/batch-output/" + j.name + "/")}
		if j.outputKey != "" {
			to.KmsKeyId = aws.String(j.outputKey)
		}
		_, err := sm.CreateTransformJob(ctx, &sagemaker.CreateTransformJobInput{
			TransformJobName: aws.String(j.name),
			ModelName:        aws.String(demoModel),
			TransformInput: &smtypes.TransformInput{
				DataSource: &smtypes.TransformDataSource{S3DataSource: &smtypes.TransformS3DataSource{
					S3DataType: smtypes.S3DataTypeS3Prefix,
					S3Uri:      aws.String(out + "/batch-input/" + j.name + "/"),
				}},
				ContentType: aws.String("text/csv"),
			},
			TransformOutput:    to,
			TransformResources: res,
			Tags:               j.tags,
		})
		if createdEvenIfRetried(err) != nil {
			return fmt.Errorf("demo: create transform job %s in %s: %w", j.name, region, err)
		}
		s.m.expect(KindTransformJob, region, j.name, j.status, j.why)
		s.m.expectAccess(KindTransformJob, region, j.name, j.access)
	}
	return nil
}

// tuningJobs creates hyperparameter tuning jobs; the auditor checks the
// training job definition's volume and output slots.
func (s *seeder) tuningJobs(ctx context.Context, region string) error {
	sm := s.sagemaker(region)
	healthy := s.m.key(KeyHealthy)
	out := s.bucket(region)
	specs := []struct {
		name, volumeKey, outputKey string
		tags                       []smtypes.Tag
		status, why                string
		access                     verdict
	}{
		{"fraud-xgb-hpo-0601", healthy, healthy, tags("fraud-team", "cc-1001"), StatusPass,
			"training definition volume and output both use an enabled CMK", accessGranted},
		{"churn-xgb-hpo-quick", "", "", tags("growth", "cc-4004"), StatusFail,
			"training definition has neither VolumeKmsKeyId nor output KmsKeyId", accessNoCMK},
	}
	for _, j := range specs {
		rc := single(smtypes.TrainingInstanceTypeMlM5Xlarge, 1, j.volumeKey)
		rc.VolumeSizeInGB = aws.Int32(50)
		od := &smtypes.OutputDataConfig{S3OutputPath: aws.String(out + "/tuning-output/")}
		if j.outputKey != "" {
			od.KmsKeyId = aws.String(j.outputKey)
		}
		_, err := sm.CreateHyperParameterTuningJob(ctx, &sagemaker.CreateHyperParameterTuningJobInput{
			HyperParameterTuningJobName: aws.String(j.name),
			HyperParameterTuningJobConfig: &smtypes.HyperParameterTuningJobConfig{
				Strategy: smtypes.HyperParameterTuningJobStrategyTypeBayesian,
				ResourceLimits: &smtypes.ResourceLimits{
					MaxNumberOfTrainingJobs: aws.Int32(10),
					MaxParallelTrainingJobs: aws.Int32(2),
				},
				HyperParameterTuningJobObjective: &smtypes.HyperParameterTuningJobObjective{
					Type:       smtypes.HyperParameterTuningJobObjectiveTypeMaximize,
					MetricName: aws.String("validation:auc"),
				},
			},
			TrainingJobDefinition: &smtypes.HyperParameterTrainingJobDefinition{
				AlgorithmSpecification: &smtypes.HyperParameterAlgorithmSpecification{
					TrainingImage:     aws.String(s.image(region, "sagemaker-xgboost:1.7-1")),
					TrainingInputMode: smtypes.TrainingInputModeFile,
				},
				RoleArn: aws.String(s.roleARN()),
				InputDataConfig: []smtypes.Channel{{
					ChannelName: aws.String("train"),
					DataSource: &smtypes.DataSource{S3DataSource: &smtypes.S3DataSource{
						S3DataType: smtypes.S3DataTypeS3Prefix,
						S3Uri:      aws.String(out + "/datasets/" + j.name + "/train/"),
					}},
				}},
				OutputDataConfig:  od,
				ResourceConfig:    &rc,
				StoppingCondition: &smtypes.StoppingCondition{MaxRuntimeInSeconds: aws.Int32(3600)},
			},
			Tags: j.tags,
		})
		if createdEvenIfRetried(err) != nil {
			return fmt.Errorf("demo: create hyperparameter tuning job %s in %s: %w", j.name, region, err)
		}
		s.m.expect(KindHyperParameterTuningJob, region, j.name, j.status, j.why)
		s.m.expectAccess(KindHyperParameterTuningJob, region, j.name, j.access)
	}
	return nil
}

// autoMLJobs creates one compliant AutoML (V2) job.
func (s *seeder) autoMLJobs(ctx context.Context, region string) error {
	sm := s.sagemaker(region)
	healthy := s.m.key(KeyHealthy)
	out := s.bucket(region)
	const name = "fraud-autopilot-0601"
	_, err := sm.CreateAutoMLJobV2(ctx, &sagemaker.CreateAutoMLJobV2Input{
		AutoMLJobName: aws.String(name),
		AutoMLJobInputDataConfig: []smtypes.AutoMLJobChannel{{
			ChannelType: smtypes.AutoMLChannelTypeTraining,
			ContentType: aws.String("text/csv;header=present"),
			DataSource: &smtypes.AutoMLDataSource{S3DataSource: &smtypes.AutoMLS3DataSource{
				S3DataType: smtypes.AutoMLS3DataTypeS3Prefix,
				S3Uri:      aws.String(out + "/datasets/" + name + "/train/"),
			}},
		}},
		OutputDataConfig: &smtypes.AutoMLOutputDataConfig{
			S3OutputPath: aws.String(out + "/automl-output/"),
			KmsKeyId:     aws.String(healthy),
		},
		AutoMLProblemTypeConfig: &smtypes.AutoMLProblemTypeConfigMemberTabularJobConfig{Value: smtypes.TabularJobConfig{
			TargetAttributeName: aws.String("is_fraud"),
			ProblemType:         smtypes.ProblemTypeBinaryClassification,
			// moto 5.2.1 fails (500) without CompletionCriteria.
			CompletionCriteria: &smtypes.AutoMLJobCompletionCriteria{MaxCandidates: aws.Int32(20)},
		}},
		RoleArn:        aws.String(s.roleARN()),
		SecurityConfig: &smtypes.AutoMLSecurityConfig{VolumeKmsKeyId: aws.String(AliasSageMakerData)},
		Tags:           tags("fraud-team", "cc-1001"),
	})
	if err != nil {
		return fmt.Errorf("demo: create AutoML job %s in %s: %w", name, region, err)
	}
	s.m.expect(KindAutoMLJob, region, name, StatusPass, "volume and output both use an enabled CMK")
	s.m.expectAccess(KindAutoMLJob, region, name, accessGranted)
	return nil
}

// compilationJobs creates one Neo compilation job with no output key.
func (s *seeder) compilationJobs(ctx context.Context, region string) error {
	sm := s.sagemaker(region)
	out := s.bucket(region)
	const name = "edge-fraud-xgb-neo"
	_, err := sm.CreateCompilationJob(ctx, &sagemaker.CreateCompilationJobInput{
		CompilationJobName: aws.String(name),
		RoleArn:            aws.String(s.roleARN()),
		InputConfig: &smtypes.InputConfig{
			S3Uri:     aws.String(out + "/models/xgboost/model.tar.gz"),
			Framework: smtypes.FrameworkXgboost,
		},
		OutputConfig: &smtypes.OutputConfig{
			S3OutputLocation: aws.String(out + "/compiled/"),
			TargetDevice:     smtypes.TargetDeviceMlC5,
		},
		StoppingCondition: &smtypes.StoppingCondition{MaxRuntimeInSeconds: aws.Int32(900)},
		Tags:              tags("edge-ml", "cc-1414"),
	})
	if createdEvenIfRetried(err) != nil {
		return fmt.Errorf("demo: create compilation job %s in %s: %w", name, region, err)
	}
	s.m.expect(KindCompilationJob, region, name, StatusFail, "OutputConfig has no KmsKeyId")
	s.m.expectAccess(KindCompilationJob, region, name, accessNoCMK)
	return nil
}
