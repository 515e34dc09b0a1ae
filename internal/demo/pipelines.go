package demo

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
)

// primaryPipelines creates two SageMaker pipelines whose definitions the
// auditor parses: step Arguments follow the shape of the matching Create*Job
// request, with the keys given as literal strings.
func (s *seeder) primaryPipelines(ctx context.Context, region string) error {
	sm := s.sagemaker(region)
	healthy := s.m.key(KeyHealthy)
	out := s.bucket(region)

	train := map[string]any{
		"Name": "TrainFraudModel",
		"Type": "Training",
		"Arguments": map[string]any{
			"AlgorithmSpecification": map[string]any{
				"TrainingImage":     s.image(region, "sagemaker-xgboost:1.7-1"),
				"TrainingInputMode": "File",
			},
			"RoleArn": s.roleARN(),
			"InputDataConfig": []any{map[string]any{
				"ChannelName": "train",
				"DataSource": map[string]any{"S3DataSource": map[string]any{
					"S3DataType": "S3Prefix",
					"S3Uri":      out + "/datasets/fraud/train/",
				}},
			}},
			"OutputDataConfig": map[string]any{
				"S3OutputPath": out + "/pipelines/fraud-training/",
				"KmsKeyId":     healthy,
			},
			"ResourceConfig": map[string]any{
				"InstanceType":   "ml.m5.xlarge",
				"InstanceCount":  1,
				"VolumeSizeInGB": 50,
				"VolumeKmsKeyId": healthy,
			},
			"StoppingCondition": map[string]any{"MaxRuntimeInSeconds": 3600},
		},
	}
	process := map[string]any{
		"Name": "PrepareChurnData",
		"Type": "Processing",
		"Arguments": map[string]any{
			"AppSpecification": map[string]any{
				"ImageUri":            s.image(region, "sagemaker-scikit-learn:1.2-1-cpu-py3"),
				"ContainerEntrypoint": []string{"python3", "/opt/ml/processing/code/prep.py"},
			},
			"RoleArn": s.roleARN(),
			"ProcessingResources": map[string]any{"ClusterConfig": map[string]any{
				"InstanceType":   "ml.m5.xlarge",
				"InstanceCount":  1,
				"VolumeSizeInGB": 30,
			}},
			"ProcessingOutputConfig": map[string]any{
				"Outputs": []any{map[string]any{
					"OutputName": "features",
					"S3Output": map[string]any{
						"S3Uri":        out + "/pipelines/churn-prep/",
						"LocalPath":    "/opt/ml/processing/output",
						"S3UploadMode": "EndOfJob",
					},
				}},
				"KmsKeyId": healthy,
			},
			"StoppingCondition": map[string]any{"MaxRuntimeInSeconds": 3600},
		},
	}

	specs := []struct {
		name   string
		step   map[string]any
		tags   []smtypes.Tag
		state  string
		why    string
		access verdict
	}{
		{"fraud-training-pipeline", train, tags("fraud-team", "cc-1001"), StatusPass,
			"Training step volume and output both use an enabled CMK", accessGranted},
		{"churn-prep-pipeline", process, tags("growth", "cc-4004"), StatusFail,
			"Processing step on EBS-backed ml.m5.xlarge has no VolumeKmsKeyId", verdict{StatusPass,
				"the output's key policy names " + RoleExecution + " (the unkeyed volume needs no key access)",
				[]string{"every execution role may perform every KMS action its 1 role/key pairs need"}}},
	}
	for _, p := range specs {
		def, err := json.Marshal(map[string]any{
			"Version":    "2020-12-01",
			"Metadata":   map[string]any{},
			"Parameters": []any{},
			"Steps":      []any{p.step},
		})
		if err != nil {
			return fmt.Errorf("demo: marshal pipeline %s: %w", p.name, err)
		}
		if _, err := sm.CreatePipeline(ctx, &sagemaker.CreatePipelineInput{
			PipelineName:       aws.String(p.name),
			PipelineDefinition: aws.String(string(def)),
			RoleArn:            aws.String(s.roleARN()),
			Tags:               p.tags,
		}); createdEvenIfRetried(err) != nil {
			return fmt.Errorf("demo: create pipeline %s in %s: %w", p.name, region, err)
		}
		s.m.expect(KindPipeline, region, p.name, p.state, p.why)
		s.m.expectAccess(KindPipeline, region, p.name, p.access)
	}
	return nil
}
