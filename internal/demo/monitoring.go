package demo

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
)

// primaryMonitoring creates data quality job definitions (model monitor)
// covering the cluster volume and monitoring output slots. It runs after
// primaryHosting, whose endpoints they monitor.
func (s *seeder) primaryMonitoring(ctx context.Context, region string) error {
	sm := s.sagemaker(region)
	healthy := s.m.key(KeyHealthy)
	out := s.bucket(region)
	specs := []struct {
		name, endpoint, volumeKey, outputKey string
		tags                                 []smtypes.Tag
		status, why                          string
		access                               verdict
	}{
		{"fraud-detector-data-quality", "fraud-detector", healthy, AliasSageMakerData, tags("fraud-team", "cc-1001"), StatusPass,
			"monitoring volume and output both use an enabled CMK", accessGranted},
		{"legacy-batch-scoring-data-quality", "legacy-batch-scoring", "", "", tags("ml-platform", "cc-1001"), StatusFail,
			"neither the monitoring volume nor the output has a KmsKeyId", accessNoCMK},
	}
	for _, d := range specs {
		cc := &smtypes.MonitoringClusterConfig{
			InstanceCount:  aws.Int32(1),
			InstanceType:   smtypes.ProcessingInstanceTypeMlM5Xlarge,
			VolumeSizeInGB: aws.Int32(20),
		}
		if d.volumeKey != "" {
			cc.VolumeKmsKeyId = aws.String(d.volumeKey)
		}
		oc := &smtypes.MonitoringOutputConfig{MonitoringOutputs: []smtypes.MonitoringOutput{{
			S3Output: &smtypes.MonitoringS3Output{
				LocalPath:    aws.String("/opt/ml/processing/output"),
				S3Uri:        aws.String(out + "/monitoring/" + d.name + "/"),
				S3UploadMode: smtypes.ProcessingS3UploadModeEndOfJob,
			},
		}}}
		if d.outputKey != "" {
			oc.KmsKeyId = aws.String(d.outputKey)
		}
		_, err := sm.CreateDataQualityJobDefinition(ctx, &sagemaker.CreateDataQualityJobDefinitionInput{
			JobDefinitionName: aws.String(d.name),
			DataQualityAppSpecification: &smtypes.DataQualityAppSpecification{
				ImageUri: aws.String("156813124566.dkr.ecr." + region + ".amazonaws.com/sagemaker-model-monitor-analyzer"),
			},
			DataQualityJobInput: &smtypes.DataQualityJobInput{EndpointInput: &smtypes.EndpointInput{
				EndpointName: aws.String(d.endpoint),
				LocalPath:    aws.String("/opt/ml/processing/input/endpoint"),
			}},
			DataQualityJobOutputConfig: oc,
			JobResources:               &smtypes.MonitoringResources{ClusterConfig: cc},
			RoleArn:                    aws.String(s.roleARN()),
			StoppingCondition:          &smtypes.MonitoringStoppingCondition{MaxRuntimeInSeconds: aws.Int32(1800)},
			Tags:                       d.tags,
		})
		if createdEvenIfRetried(err) != nil {
			return fmt.Errorf("demo: create data quality job definition %s in %s: %w", d.name, region, err)
		}
		s.m.expect(KindDataQualityJobDefinition, region, d.name, d.status, d.why)
		s.m.expectAccess(KindDataQualityJobDefinition, region, d.name, d.access)
	}
	return nil
}
