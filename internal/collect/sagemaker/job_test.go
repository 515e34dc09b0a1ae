package sagemaker

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	sm "github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"

	"github.com/sagekey/sagekey/internal/catalog"
	"github.com/sagekey/sagekey/internal/inventory"
)

// jobSlots runs collector name over api (which lists one job "j") and
// returns that job's slots.
func jobSlots(t *testing.T, api JobsAPI, name string) []inventory.Slot {
	t.Helper()
	inv := runJobCollector(t, api, name)
	assertEqual(t, "gaps", inv.Gaps, []inventory.Gap{})
	if len(inv.Resources) != 1 {
		t.Fatalf("got %d resources, want 1", len(inv.Resources))
	}
	r := inv.Resources[0]
	if r.Name != "j" || r.ARN == "" || r.Source == "" || r.CreatedAt.IsZero() {
		t.Errorf("resource not identified: %+v", r)
	}
	return r.Slots
}

func slotTable[O any](t *testing.T, tests []slotCase[O], api func(*testing.T, *O) JobsAPI, collector string) {
	t.Helper()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assertEqual(t, "slots", jobSlots(t, api(t, &tc.out), collector), tc.want)
		})
	}
}

type slotCase[O any] struct {
	name string
	out  O
	want []inventory.Slot
}

const key2 = "alias/other"

func TestProcessingJobSlots(t *testing.T) {
	arn := arnOf("processing-job", "j")
	tests := []slotCase[sm.DescribeProcessingJobOutput]{
		{
			name: "all keys",
			out: sm.DescribeProcessingJobOutput{
				ProcessingResources: &types.ProcessingResources{ClusterConfig: &types.ProcessingClusterConfig{
					InstanceType: types.ProcessingInstanceTypeMlM5Large, VolumeKmsKeyId: aws.String(keyARN),
				}},
				ProcessingOutputConfig: &types.ProcessingOutputConfig{KmsKeyId: aws.String(key2), Outputs: []types.ProcessingOutput{
					{OutputName: aws.String("fs"), FeatureStoreOutput: &types.ProcessingFeatureStoreOutput{FeatureGroupName: aws.String("fg")}},
					{OutputName: aws.String("o"), S3Output: &types.ProcessingS3Output{S3Uri: aws.String("s3://out/")}},
				}},
				ProcessingInputs: []types.ProcessingInput{
					{InputName: aws.String("plain"), S3Input: &types.ProcessingS3Input{S3Uri: aws.String("s3://in/")}},
					{InputName: aws.String("ath"), DatasetDefinition: &types.DatasetDefinition{AthenaDatasetDefinition: &types.AthenaDatasetDefinition{
						KmsKeyId: aws.String("alias/athena"), OutputS3Uri: aws.String("s3://athena/"),
					}}},
					{InputName: aws.String("rs"), DatasetDefinition: &types.DatasetDefinition{RedshiftDatasetDefinition: &types.RedshiftDatasetDefinition{
						OutputS3Uri: aws.String("s3://rs/"),
					}}},
				},
			},
			want: []inventory.Slot{
				{Type: "volume", Name: "volume", Label: "ML storage volume", KeyRef: keyARN, InstanceTypes: []string{"ml.m5.large"}},
				{Type: "output", Name: "output", Label: "processing output in S3", KeyRef: key2, OutputURI: "s3://out/"},
				{Type: "athena-staging", Name: "athena-staging:ath", Label: "input ath: Athena query results staged to S3",
					KeyRef: "alias/athena", OutputURI: "s3://athena/"},
				{Type: "redshift-staging", Name: "redshift-staging:rs", Label: "input rs: Redshift query results staged to S3",
					OutputURI: "s3://rs/"},
			},
		},
		{
			name: "NVMe instance type, no keys, no output config",
			out: sm.DescribeProcessingJobOutput{
				ProcessingResources: &types.ProcessingResources{ClusterConfig: &types.ProcessingClusterConfig{
					InstanceType: types.ProcessingInstanceTypeMlG4dnXlarge,
				}},
			},
			want: []inventory.Slot{{Type: "volume", Name: "volume", Label: "ML storage volume", InstanceTypes: []string{"ml.g4dn.xlarge"}}},
		},
		{
			name: "ProcessingResources not returned",
			out:  sm.DescribeProcessingJobOutput{ProcessingOutputConfig: &types.ProcessingOutputConfig{}},
			want: []inventory.Slot{
				{Type: "volume", Name: "volume", Label: "ML storage volume",
					Unknown: "ProcessingResources not returned by DescribeProcessingJob; the volume key cannot be verified"},
				{Type: "output", Name: "output", Label: "processing output in S3"},
			},
		},
	}
	slotTable(t, tests, func(t *testing.T, out *sm.DescribeProcessingJobOutput) JobsAPI {
		out.ProcessingJobName, out.ProcessingJobArn = aws.String("j"), aws.String(arn)
		return &fakeJobsAPI{t: t, listTags: noTags,
			listProcessingJobs: func(*sm.ListProcessingJobsInput) (*sm.ListProcessingJobsOutput, error) {
				return &sm.ListProcessingJobsOutput{ProcessingJobSummaries: []types.ProcessingJobSummary{{
					ProcessingJobName: aws.String("j"), ProcessingJobArn: aws.String(arn), CreationTime: aws.Time(created)}}}, nil
			},
			describeProcessingJob: func(in *sm.DescribeProcessingJobInput) (*sm.DescribeProcessingJobOutput, error) {
				if aws.ToString(in.ProcessingJobName) != "j" {
					t.Errorf("described %q", aws.ToString(in.ProcessingJobName))
				}
				return out, nil
			},
		}
	}, "sagemaker:processing-jobs")
}

func TestTransformJobSlots(t *testing.T) {
	arn := arnOf("transform-job", "j")
	tests := []slotCase[sm.DescribeTransformJobOutput]{
		{
			name: "all keys",
			out: sm.DescribeTransformJobOutput{
				TransformResources: &types.TransformResources{InstanceType: types.TransformInstanceTypeMlM5Large, VolumeKmsKeyId: aws.String(keyARN)},
				TransformOutput:    &types.TransformOutput{S3OutputPath: aws.String("s3://out/"), KmsKeyId: aws.String(key2)},
				DataCaptureConfig:  &types.BatchDataCaptureConfig{DestinationS3Uri: aws.String("s3://cap/"), KmsKeyId: aws.String("alias/cap")},
			},
			want: []inventory.Slot{
				{Type: "volume", Name: "volume", Label: "ML storage volume", KeyRef: keyARN, InstanceTypes: []string{"ml.m5.large"}},
				{Type: "output", Name: "output", Label: "transform output in S3", KeyRef: key2, OutputURI: "s3://out/"},
				{Type: "data-capture", Name: "data-capture", Label: "captured batch inference data in S3", KeyRef: "alias/cap", OutputURI: "s3://cap/"},
			},
		},
		{
			name: "NVMe, no keys, empty data capture",
			out: sm.DescribeTransformJobOutput{
				TransformResources: &types.TransformResources{InstanceType: types.TransformInstanceTypeMlP32xlarge},
				TransformOutput:    &types.TransformOutput{S3OutputPath: aws.String("s3://out/")},
				DataCaptureConfig:  &types.BatchDataCaptureConfig{},
			},
			want: []inventory.Slot{
				{Type: "volume", Name: "volume", Label: "ML storage volume", InstanceTypes: []string{"ml.p3.2xlarge"}},
				{Type: "output", Name: "output", Label: "transform output in S3", OutputURI: "s3://out/"},
			},
		},
		{
			name: "nil sub-structs",
			out:  sm.DescribeTransformJobOutput{},
			want: []inventory.Slot{
				{Type: "volume", Name: "volume", Label: "ML storage volume"},
				{Type: "output", Name: "output", Label: "transform output in S3"},
			},
		},
	}
	slotTable(t, tests, func(t *testing.T, out *sm.DescribeTransformJobOutput) JobsAPI {
		out.TransformJobName, out.TransformJobArn, out.CreationTime = aws.String("j"), aws.String(arn), aws.Time(created)
		return &fakeJobsAPI{t: t, listTags: noTags,
			listTransformJobs: func(*sm.ListTransformJobsInput) (*sm.ListTransformJobsOutput, error) {
				return &sm.ListTransformJobsOutput{TransformJobSummaries: []types.TransformJobSummary{{
					TransformJobName: aws.String("j"), TransformJobArn: aws.String(arn)}}}, nil
			},
			describeTransformJob: func(*sm.DescribeTransformJobInput) (*sm.DescribeTransformJobOutput, error) { return out, nil },
		}
	}, "sagemaker:transform-jobs")
}

func TestTuningJobSlots(t *testing.T) {
	arn := arnOf("hyper-parameter-tuning-job", "j")
	tests := []slotCase[sm.DescribeHyperParameterTuningJobOutput]{
		{
			name: "single definition",
			out: sm.DescribeHyperParameterTuningJobOutput{TrainingJobDefinition: &types.HyperParameterTrainingJobDefinition{
				ResourceConfig:   &types.ResourceConfig{InstanceType: types.TrainingInstanceTypeMlM5Large, VolumeKmsKeyId: aws.String(keyARN)},
				OutputDataConfig: &types.OutputDataConfig{S3OutputPath: aws.String("s3://models/"), KmsKeyId: aws.String(key2)},
			}},
			want: []inventory.Slot{
				{Type: "volume", Name: "volume", Label: "ML storage volume", KeyRef: keyARN, InstanceTypes: []string{"ml.m5.large"}},
				{Type: "output", Name: "output", Label: "model output in S3", KeyRef: key2, OutputURI: "s3://models/"},
			},
		},
		{
			name: "several definitions, tuning resource config, NVMe",
			out: sm.DescribeHyperParameterTuningJobOutput{TrainingJobDefinitions: []types.HyperParameterTrainingJobDefinition{
				{
					DefinitionName: aws.String("a"),
					ResourceConfig: &types.ResourceConfig{InstanceGroups: []types.InstanceGroup{
						{InstanceGroupName: aws.String("g1"), InstanceType: types.TrainingInstanceTypeMlP4d24xlarge},
						{InstanceGroupName: aws.String("g2"), InstanceType: types.TrainingInstanceTypeMlC5Xlarge},
					}},
					OutputDataConfig: &types.OutputDataConfig{S3OutputPath: aws.String("s3://a/")},
				},
				{
					DefinitionName: aws.String("b"),
					HyperParameterTuningResourceConfig: &types.HyperParameterTuningResourceConfig{
						VolumeKmsKeyId: aws.String(keyARN),
						InstanceConfigs: []types.HyperParameterTuningInstanceConfig{
							{InstanceType: types.TrainingInstanceTypeMlG4dnXlarge}, {InstanceType: types.TrainingInstanceTypeMlG5Xlarge},
						},
					},
				},
			}},
			want: []inventory.Slot{
				{Type: "volume", Name: "volume:a", Label: "training definition a: ML storage volume", InstanceTypes: []string{"ml.p4d.24xlarge", "ml.c5.xlarge"}},
				{Type: "output", Name: "output:a", Label: "training definition a: model output in S3", OutputURI: "s3://a/"},
				{Type: "volume", Name: "volume:b", Label: "training definition b: ML storage volume", KeyRef: keyARN, InstanceTypes: []string{"ml.g4dn.xlarge", "ml.g5.xlarge"}},
				{Type: "output", Name: "output:b", Label: "training definition b: model output in S3"},
			},
		},
		{
			name: "no definition returned",
			out:  sm.DescribeHyperParameterTuningJobOutput{},
			want: []inventory.Slot{{Type: "volume", Name: "volume", Label: "ML storage volume",
				Unknown: "no training job definition returned by DescribeHyperParameterTuningJob; the keys cannot be verified"}},
		},
	}
	slotTable(t, tests, func(t *testing.T, out *sm.DescribeHyperParameterTuningJobOutput) JobsAPI {
		out.HyperParameterTuningJobName, out.HyperParameterTuningJobArn, out.CreationTime = aws.String("j"), aws.String(arn), aws.Time(created)
		return &fakeJobsAPI{t: t, listTags: noTags,
			listHyperParameterTuningJobs: func(*sm.ListHyperParameterTuningJobsInput) (*sm.ListHyperParameterTuningJobsOutput, error) {
				return &sm.ListHyperParameterTuningJobsOutput{HyperParameterTuningJobSummaries: []types.HyperParameterTuningJobSummary{{
					HyperParameterTuningJobName: aws.String("j"), HyperParameterTuningJobArn: aws.String(arn)}}}, nil
			},
			describeHyperParameterTuningJob: func(*sm.DescribeHyperParameterTuningJobInput) (*sm.DescribeHyperParameterTuningJobOutput, error) {
				return out, nil
			},
		}
	}, "sagemaker:hyper-parameter-tuning-jobs")
}

func TestAutoMLJobSlots(t *testing.T) {
	arn := arnOf("automl-job", "j")
	tests := []slotCase[sm.DescribeAutoMLJobV2Output]{
		{
			name: "keys",
			out: sm.DescribeAutoMLJobV2Output{
				SecurityConfig:   &types.AutoMLSecurityConfig{VolumeKmsKeyId: aws.String(keyARN)},
				OutputDataConfig: &types.AutoMLOutputDataConfig{S3OutputPath: aws.String("s3://automl/"), KmsKeyId: aws.String(key2)},
			},
			want: []inventory.Slot{
				{Type: "volume", Name: "volume", Label: "ML storage volume", KeyRef: keyARN},
				{Type: "output", Name: "output", Label: "AutoML output in S3", KeyRef: key2, OutputURI: "s3://automl/"},
			},
		},
		{
			name: "nil sub-structs",
			want: []inventory.Slot{
				{Type: "volume", Name: "volume", Label: "ML storage volume"},
				{Type: "output", Name: "output", Label: "AutoML output in S3"},
			},
		},
	}
	slotTable(t, tests, func(t *testing.T, out *sm.DescribeAutoMLJobV2Output) JobsAPI {
		out.AutoMLJobName, out.AutoMLJobArn, out.CreationTime = aws.String("j"), aws.String(arn), aws.Time(created)
		return &fakeJobsAPI{t: t, listTags: noTags,
			listAutoMLJobs: func(*sm.ListAutoMLJobsInput) (*sm.ListAutoMLJobsOutput, error) {
				return &sm.ListAutoMLJobsOutput{AutoMLJobSummaries: []types.AutoMLJobSummary{{AutoMLJobName: aws.String("j"), AutoMLJobArn: aws.String(arn)}}}, nil
			},
			describeAutoMLJobV2: func(*sm.DescribeAutoMLJobV2Input) (*sm.DescribeAutoMLJobV2Output, error) { return out, nil },
		}
	}, "sagemaker:auto-ml-jobs")
}

func TestLabelingJobSlots(t *testing.T) {
	arn := arnOf("labeling-job", "j")
	tests := []slotCase[sm.DescribeLabelingJobOutput]{
		{
			name: "automated labeling with keys",
			out: sm.DescribeLabelingJobOutput{
				OutputConfig: &types.LabelingJobOutputConfig{S3OutputPath: aws.String("s3://labels/"), KmsKeyId: aws.String(key2)},
				LabelingJobAlgorithmsConfig: &types.LabelingJobAlgorithmsConfig{
					LabelingJobResourceConfig: &types.LabelingJobResourceConfig{VolumeKmsKeyId: aws.String(keyARN)},
				},
			},
			want: []inventory.Slot{
				{Type: "output", Name: "output", Label: "labeling output in S3", KeyRef: key2, OutputURI: "s3://labels/"},
				{Type: "volume", Name: "volume", Label: "automated labeling ML storage volume", KeyRef: keyARN},
			},
		},
		{
			name: "automated labeling without resource config",
			out: sm.DescribeLabelingJobOutput{
				OutputConfig:                &types.LabelingJobOutputConfig{S3OutputPath: aws.String("s3://labels/")},
				LabelingJobAlgorithmsConfig: &types.LabelingJobAlgorithmsConfig{},
			},
			want: []inventory.Slot{
				{Type: "output", Name: "output", Label: "labeling output in S3", OutputURI: "s3://labels/"},
				{Type: "volume", Name: "volume", Label: "automated labeling ML storage volume"},
			},
		},
		{
			name: "human labeling only",
			out:  sm.DescribeLabelingJobOutput{OutputConfig: &types.LabelingJobOutputConfig{S3OutputPath: aws.String("s3://labels/")}},
			want: []inventory.Slot{{Type: "output", Name: "output", Label: "labeling output in S3", OutputURI: "s3://labels/"}},
		},
	}
	slotTable(t, tests, func(t *testing.T, out *sm.DescribeLabelingJobOutput) JobsAPI {
		out.LabelingJobName, out.LabelingJobArn, out.CreationTime = aws.String("j"), aws.String(arn), aws.Time(created)
		return &fakeJobsAPI{t: t, listTags: noTags,
			listLabelingJobs: func(*sm.ListLabelingJobsInput) (*sm.ListLabelingJobsOutput, error) {
				return &sm.ListLabelingJobsOutput{LabelingJobSummaryList: []types.LabelingJobSummary{{LabelingJobName: aws.String("j"), LabelingJobArn: aws.String(arn)}}}, nil
			},
			describeLabelingJob: func(*sm.DescribeLabelingJobInput) (*sm.DescribeLabelingJobOutput, error) { return out, nil },
		}
	}, "sagemaker:labeling-jobs")
}

func TestCompilationJobSlots(t *testing.T) {
	arn := arnOf("compilation-job", "j")
	tests := []slotCase[sm.DescribeCompilationJobOutput]{
		{
			name: "key",
			out:  sm.DescribeCompilationJobOutput{OutputConfig: &types.OutputConfig{S3OutputLocation: aws.String("s3://neo/"), KmsKeyId: aws.String(keyARN)}},
			want: []inventory.Slot{{Type: "output", Name: "output", Label: "compiled model output in S3", KeyRef: keyARN, OutputURI: "s3://neo/"}},
		},
		{
			name: "nil output config",
			want: []inventory.Slot{{Type: "output", Name: "output", Label: "compiled model output in S3"}},
		},
	}
	slotTable(t, tests, func(t *testing.T, out *sm.DescribeCompilationJobOutput) JobsAPI {
		out.CompilationJobName, out.CompilationJobArn, out.CreationTime = aws.String("j"), aws.String(arn), aws.Time(created)
		return &fakeJobsAPI{t: t, listTags: noTags,
			listCompilationJobs: func(*sm.ListCompilationJobsInput) (*sm.ListCompilationJobsOutput, error) {
				return &sm.ListCompilationJobsOutput{CompilationJobSummaries: []types.CompilationJobSummary{{CompilationJobName: aws.String("j"), CompilationJobArn: aws.String(arn)}}}, nil
			},
			describeCompilationJob: func(*sm.DescribeCompilationJobInput) (*sm.DescribeCompilationJobOutput, error) { return out, nil },
		}
	}, "sagemaker:compilation-jobs")
}

func TestEdgePackagingJobSlots(t *testing.T) {
	arn := arnOf("edge-packaging-job", "j")
	tests := []slotCase[sm.DescribeEdgePackagingJobOutput]{
		{
			name: "keys",
			out: sm.DescribeEdgePackagingJobOutput{
				OutputConfig: &types.EdgeOutputConfig{S3OutputLocation: aws.String("s3://edge/"), KmsKeyId: aws.String(key2)},
				ResourceKey:  aws.String(keyARN),
			},
			want: []inventory.Slot{
				{Type: "output", Name: "output", Label: "packaged model output in S3", KeyRef: key2, OutputURI: "s3://edge/"},
				{Type: "volume", Name: "volume", Label: "EBS volume the packaging job runs on (ResourceKey)", KeyRef: keyARN},
			},
		},
		{
			name: "nothing configured",
			want: []inventory.Slot{
				{Type: "output", Name: "output", Label: "packaged model output in S3"},
				{Type: "volume", Name: "volume", Label: "EBS volume the packaging job runs on (ResourceKey)"},
			},
		},
	}
	slotTable(t, tests, func(t *testing.T, out *sm.DescribeEdgePackagingJobOutput) JobsAPI {
		out.EdgePackagingJobName, out.EdgePackagingJobArn, out.CreationTime = aws.String("j"), aws.String(arn), aws.Time(created)
		return &fakeJobsAPI{t: t, listTags: noTags,
			listEdgePackagingJobs: func(*sm.ListEdgePackagingJobsInput) (*sm.ListEdgePackagingJobsOutput, error) {
				return &sm.ListEdgePackagingJobsOutput{EdgePackagingJobSummaries: []types.EdgePackagingJobSummary{{EdgePackagingJobName: aws.String("j"), EdgePackagingJobArn: aws.String(arn)}}}, nil
			},
			describeEdgePackagingJob: func(*sm.DescribeEdgePackagingJobInput) (*sm.DescribeEdgePackagingJobOutput, error) { return out, nil },
		}
	}, "sagemaker:edge-packaging-jobs")
}

func TestRecommendationsJobSlots(t *testing.T) {
	arn := arnOf("inference-recommendations-job", "j")
	output := inventory.Slot{Type: "output", Name: "output", Label: "recommendation output in S3", Unknown: recommendationOutputUnknown}
	tests := []slotCase[sm.DescribeInferenceRecommendationsJobOutput]{
		{
			name: "volume key, NVMe and serverless endpoint configurations",
			out: sm.DescribeInferenceRecommendationsJobOutput{InputConfig: &types.RecommendationJobInputConfig{
				VolumeKmsKeyId: aws.String(keyARN),
				EndpointConfigurations: []types.EndpointInputConfiguration{
					{InstanceType: types.ProductionVariantInstanceTypeMlG4dnXlarge},
					{ServerlessConfig: &types.ProductionVariantServerlessConfig{MemorySizeInMB: aws.Int32(2048)}},
					{InstanceType: types.ProductionVariantInstanceTypeMlM5Large},
				},
			}},
			want: []inventory.Slot{
				{Type: "volume", Name: "volume", Label: "ML storage volume of the benchmark endpoints", KeyRef: keyARN,
					InstanceTypes: []string{"ml.g4dn.xlarge", "ml.m5.large"}},
				output,
			},
		},
		{
			name: "nil input config: output still unknown",
			want: []inventory.Slot{{Type: "volume", Name: "volume", Label: "ML storage volume of the benchmark endpoints"}, output},
		},
	}
	slotTable(t, tests, func(t *testing.T, out *sm.DescribeInferenceRecommendationsJobOutput) JobsAPI {
		out.JobName, out.JobArn, out.CreationTime = aws.String("j"), aws.String(arn), aws.Time(created)
		return &fakeJobsAPI{t: t, listTags: noTags,
			listInferenceRecommendationsJobs: func(*sm.ListInferenceRecommendationsJobsInput) (*sm.ListInferenceRecommendationsJobsOutput, error) {
				return &sm.ListInferenceRecommendationsJobsOutput{InferenceRecommendationsJobs: []types.InferenceRecommendationsJob{{JobName: aws.String("j"), JobArn: aws.String(arn)}}}, nil
			},
			describeInferenceRecommendationsJob: func(in *sm.DescribeInferenceRecommendationsJobInput) (*sm.DescribeInferenceRecommendationsJobOutput, error) {
				if aws.ToString(in.JobName) != "j" {
					t.Errorf("described %q", aws.ToString(in.JobName))
				}
				return out, nil
			},
		}
	}, "sagemaker:inference-recommendations-jobs")
}

func TestOptimizationJobSlots(t *testing.T) {
	arn := arnOf("optimization-job", "j")
	tests := []slotCase[sm.DescribeOptimizationJobOutput]{
		{
			name: "key",
			out:  sm.DescribeOptimizationJobOutput{OutputConfig: &types.OptimizationJobOutputConfig{S3OutputLocation: aws.String("s3://opt/"), KmsKeyId: aws.String(keyARN)}},
			want: []inventory.Slot{{Type: "output", Name: "output", Label: "optimized model output in S3", KeyRef: keyARN, OutputURI: "s3://opt/"}},
		},
		{
			name: "nil output config",
			want: []inventory.Slot{{Type: "output", Name: "output", Label: "optimized model output in S3"}},
		},
	}
	slotTable(t, tests, func(t *testing.T, out *sm.DescribeOptimizationJobOutput) JobsAPI {
		out.OptimizationJobName, out.OptimizationJobArn, out.CreationTime = aws.String("j"), aws.String(arn), aws.Time(created)
		return &fakeJobsAPI{t: t, listTags: noTags,
			listOptimizationJobs: func(*sm.ListOptimizationJobsInput) (*sm.ListOptimizationJobsOutput, error) {
				return &sm.ListOptimizationJobsOutput{OptimizationJobSummaries: []types.OptimizationJobSummary{{OptimizationJobName: aws.String("j"), OptimizationJobArn: aws.String(arn)}}}, nil
			},
			describeOptimizationJob: func(*sm.DescribeOptimizationJobInput) (*sm.DescribeOptimizationJobOutput, error) { return out, nil },
		}
	}, "sagemaker:optimization-jobs")
}

// A denied List is a gap and no resources; a denied Describe still reports
// the job, unreadable, with a gap; tags are read per job.
func TestJobCollectorErrors(t *testing.T) {
	t.Run("list denied", func(t *testing.T) {
		api := &fakeJobsAPI{t: t,
			listCompilationJobs: func(*sm.ListCompilationJobsInput) (*sm.ListCompilationJobsOutput, error) { return nil, errDenied },
		}
		inv := runJobCollector(t, api, "sagemaker:compilation-jobs")
		assertEqual(t, "resources", inv.Resources, []inventory.Resource{})
		assertEqual(t, "gaps", inv.Gaps, []inventory.Gap{{
			Account: target.Account, Region: target.Region, Service: "sagemaker:ListCompilationJobs",
			Reason: "sagemaker:ListCompilationJobs: access denied (AccessDeniedException)",
		}})
	})
	t.Run("describe denied, tags read", func(t *testing.T) {
		arn := arnOf("transform-job", "j")
		api := &fakeJobsAPI{t: t,
			listTransformJobs: func(*sm.ListTransformJobsInput) (*sm.ListTransformJobsOutput, error) {
				return &sm.ListTransformJobsOutput{TransformJobSummaries: []types.TransformJobSummary{{
					TransformJobName: aws.String("j"), TransformJobArn: aws.String(arn), CreationTime: aws.Time(created)}}}, nil
			},
			describeTransformJob: func(*sm.DescribeTransformJobInput) (*sm.DescribeTransformJobOutput, error) { return nil, errDenied },
			listTags:             tagsOf(map[string][]types.Tag{arn: {tag("owner", "ml")}}),
		}
		inv := runJobCollector(t, api, "sagemaker:transform-jobs")
		assertEqual(t, "resources", inv.Resources, []inventory.Resource{{
			Kind: "transform-job", ARN: arn, Name: "j", Account: target.Account, Region: target.Region,
			Tags: map[string]string{"owner": "ml"}, CreatedAt: created, Source: "sagemaker:ListTransformJobs",
			Slots:        []inventory.Slot{inventory.UnreadableSlot("sagemaker:DescribeTransformJob: access denied (AccessDeniedException)")},
			RolesUnknown: "sagemaker:DescribeTransformJob: access denied (AccessDeniedException)",
		}})
		assertEqual(t, "gaps", inv.Gaps, []inventory.Gap{{
			Account: target.Account, Region: target.Region, Service: "sagemaker:DescribeTransformJob",
			Reason: "j: sagemaker:DescribeTransformJob: access denied (AccessDeniedException)",
		}})
	})
	t.Run("describe gone", func(t *testing.T) {
		api := &fakeJobsAPI{t: t,
			listOptimizationJobs: func(*sm.ListOptimizationJobsInput) (*sm.ListOptimizationJobsOutput, error) {
				return &sm.ListOptimizationJobsOutput{OptimizationJobSummaries: []types.OptimizationJobSummary{{OptimizationJobName: aws.String("j")}}}, nil
			},
			describeOptimizationJob: func(*sm.DescribeOptimizationJobInput) (*sm.DescribeOptimizationJobOutput, error) {
				return nil, errGone("optimization job j")
			},
		}
		inv := runJobCollector(t, api, "sagemaker:optimization-jobs")
		assertEqual(t, "resources", inv.Resources, []inventory.Resource{})
		assertEqual(t, "gaps", inv.Gaps, []inventory.Gap{})
	})
}

// Every job kind of the catalog has exactly one collector.
func TestJobCollectorKinds(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range JobCollectors(&fakeJobsAPI{t: t}) {
		for _, k := range c.Kinds() {
			if _, ok := catalog.Lookup(k); !ok {
				t.Errorf("%s: kind %q not in the catalog", c.Name(), k)
			}
			if seen[k] {
				t.Errorf("kind %q collected twice", k)
			}
			seen[k] = true
		}
	}
	if len(seen) != 10 {
		t.Errorf("got %d job kinds, want 10", len(seen))
	}
}

// Every job kind records the role its job runs as, read from its Describe
// output; a transform job, from its model's. A job kind whose Create call
// requires a role and whose Describe shows none is unknown, not "no role".
func TestJobRoles(t *testing.T) {
	list := func(kind string) (string, *string) { return "j", aws.String(arnOf(kind, "j")) }
	tests := []struct {
		collector string
		api       func(role *string) *fakeJobsAPI
		field     string // named in the reason when the role is missing
		want      []string
	}{
		{"sagemaker:processing-jobs", func(role *string) *fakeJobsAPI {
			return &fakeJobsAPI{
				listProcessingJobs: func(*sm.ListProcessingJobsInput) (*sm.ListProcessingJobsOutput, error) {
					n, a := list("processing-job")
					return &sm.ListProcessingJobsOutput{ProcessingJobSummaries: []types.ProcessingJobSummary{{ProcessingJobName: &n, ProcessingJobArn: a}}}, nil
				},
				describeProcessingJob: func(*sm.DescribeProcessingJobInput) (*sm.DescribeProcessingJobOutput, error) {
					return &sm.DescribeProcessingJobOutput{ProcessingJobName: aws.String("j"), RoleArn: role}, nil
				},
			}
		}, "RoleArn", []string{roleARN}},
		{"sagemaker:hyper-parameter-tuning-jobs", func(role *string) *fakeJobsAPI {
			return &fakeJobsAPI{
				listHyperParameterTuningJobs: func(*sm.ListHyperParameterTuningJobsInput) (*sm.ListHyperParameterTuningJobsOutput, error) {
					n, a := list("hyper-parameter-tuning-job")
					return &sm.ListHyperParameterTuningJobsOutput{HyperParameterTuningJobSummaries: []types.HyperParameterTuningJobSummary{{HyperParameterTuningJobName: &n, HyperParameterTuningJobArn: a}}}, nil
				},
				describeHyperParameterTuningJob: func(*sm.DescribeHyperParameterTuningJobInput) (*sm.DescribeHyperParameterTuningJobOutput, error) {
					out := &sm.DescribeHyperParameterTuningJobOutput{HyperParameterTuningJobName: aws.String("j"),
						TrainingJobDefinition: &types.HyperParameterTrainingJobDefinition{RoleArn: role}}
					if role != nil { // several definitions, each with its role
						out.TrainingJobDefinitions = []types.HyperParameterTrainingJobDefinition{{RoleArn: aws.String(roleARN2)}, {RoleArn: role}}
					}
					return out, nil
				},
			}
		}, "TrainingJobDefinition(s).RoleArn", []string{roleARN2, roleARN}},
		{"sagemaker:auto-ml-jobs", func(role *string) *fakeJobsAPI {
			return &fakeJobsAPI{
				listAutoMLJobs: func(*sm.ListAutoMLJobsInput) (*sm.ListAutoMLJobsOutput, error) {
					n, a := list("automl-job")
					return &sm.ListAutoMLJobsOutput{AutoMLJobSummaries: []types.AutoMLJobSummary{{AutoMLJobName: &n, AutoMLJobArn: a}}}, nil
				},
				describeAutoMLJobV2: func(*sm.DescribeAutoMLJobV2Input) (*sm.DescribeAutoMLJobV2Output, error) {
					return &sm.DescribeAutoMLJobV2Output{AutoMLJobName: aws.String("j"), RoleArn: role}, nil
				},
			}
		}, "RoleArn", []string{roleARN}},
		{"sagemaker:labeling-jobs", func(role *string) *fakeJobsAPI {
			return &fakeJobsAPI{
				listLabelingJobs: func(*sm.ListLabelingJobsInput) (*sm.ListLabelingJobsOutput, error) {
					n, a := list("labeling-job")
					return &sm.ListLabelingJobsOutput{LabelingJobSummaryList: []types.LabelingJobSummary{{LabelingJobName: &n, LabelingJobArn: a}}}, nil
				},
				describeLabelingJob: func(*sm.DescribeLabelingJobInput) (*sm.DescribeLabelingJobOutput, error) {
					return &sm.DescribeLabelingJobOutput{LabelingJobName: aws.String("j"), RoleArn: role}, nil
				},
			}
		}, "RoleArn", []string{roleARN}},
		{"sagemaker:compilation-jobs", func(role *string) *fakeJobsAPI {
			return &fakeJobsAPI{
				listCompilationJobs: func(*sm.ListCompilationJobsInput) (*sm.ListCompilationJobsOutput, error) {
					n, a := list("compilation-job")
					return &sm.ListCompilationJobsOutput{CompilationJobSummaries: []types.CompilationJobSummary{{CompilationJobName: &n, CompilationJobArn: a}}}, nil
				},
				describeCompilationJob: func(*sm.DescribeCompilationJobInput) (*sm.DescribeCompilationJobOutput, error) {
					return &sm.DescribeCompilationJobOutput{CompilationJobName: aws.String("j"), RoleArn: role}, nil
				},
			}
		}, "RoleArn", []string{roleARN}},
		{"sagemaker:edge-packaging-jobs", func(role *string) *fakeJobsAPI {
			return &fakeJobsAPI{
				listEdgePackagingJobs: func(*sm.ListEdgePackagingJobsInput) (*sm.ListEdgePackagingJobsOutput, error) {
					n, a := list("edge-packaging-job")
					return &sm.ListEdgePackagingJobsOutput{EdgePackagingJobSummaries: []types.EdgePackagingJobSummary{{EdgePackagingJobName: &n, EdgePackagingJobArn: a}}}, nil
				},
				describeEdgePackagingJob: func(*sm.DescribeEdgePackagingJobInput) (*sm.DescribeEdgePackagingJobOutput, error) {
					return &sm.DescribeEdgePackagingJobOutput{EdgePackagingJobName: aws.String("j"), RoleArn: role}, nil
				},
			}
		}, "RoleArn", []string{roleARN}},
		{"sagemaker:inference-recommendations-jobs", func(role *string) *fakeJobsAPI {
			return &fakeJobsAPI{
				listInferenceRecommendationsJobs: func(*sm.ListInferenceRecommendationsJobsInput) (*sm.ListInferenceRecommendationsJobsOutput, error) {
					n, a := list("inference-recommendations-job")
					return &sm.ListInferenceRecommendationsJobsOutput{InferenceRecommendationsJobs: []types.InferenceRecommendationsJob{{JobName: &n, JobArn: a}}}, nil
				},
				describeInferenceRecommendationsJob: func(*sm.DescribeInferenceRecommendationsJobInput) (*sm.DescribeInferenceRecommendationsJobOutput, error) {
					return &sm.DescribeInferenceRecommendationsJobOutput{JobName: aws.String("j"), RoleArn: role}, nil
				},
			}
		}, "RoleArn", []string{roleARN}},
		{"sagemaker:optimization-jobs", func(role *string) *fakeJobsAPI {
			return &fakeJobsAPI{
				listOptimizationJobs: func(*sm.ListOptimizationJobsInput) (*sm.ListOptimizationJobsOutput, error) {
					n, a := list("optimization-job")
					return &sm.ListOptimizationJobsOutput{OptimizationJobSummaries: []types.OptimizationJobSummary{{OptimizationJobName: &n, OptimizationJobArn: a}}}, nil
				},
				describeOptimizationJob: func(*sm.DescribeOptimizationJobInput) (*sm.DescribeOptimizationJobOutput, error) {
					return &sm.DescribeOptimizationJobOutput{OptimizationJobName: aws.String("j"), RoleArn: role}, nil
				},
			}
		}, "RoleArn", []string{roleARN}},
		{"sagemaker:model-customization-jobs", func(role *string) *fakeJobsAPI {
			return &fakeJobsAPI{
				listJobs: func(in *sm.ListJobsInput) (*sm.ListJobsOutput, error) {
					if in.JobCategory != types.JobCategoryAgentRftEvaluation {
						return &sm.ListJobsOutput{}, nil
					}
					n, a := list("job")
					return &sm.ListJobsOutput{JobSummaries: []types.JobSummary{{JobName: &n, JobArn: a}}}, nil
				},
				describeJob: func(*sm.DescribeJobInput) (*sm.DescribeJobOutput, error) {
					return &sm.DescribeJobOutput{JobName: aws.String("j"), RoleArn: role}, nil
				},
			}
		}, "RoleArn", []string{roleARN}},
	}
	for _, tc := range tests {
		t.Run(tc.collector, func(t *testing.T) {
			api := tc.api(aws.String(roleARN))
			api.t, api.listTags = t, noTags
			r := oneJob(t, api, tc.collector)
			assertEqual(t, "roles", r.ExecutionRoles, tc.want)
			assertEqual(t, "roles unknown", r.RolesUnknown, "")

			api = tc.api(nil)
			api.t, api.listTags = t, noTags
			r = oneJob(t, api, tc.collector)
			assertEqual(t, "no role", []any{r.ExecutionRoles, r.RolesUnknown}, []any{[]string(nil), "returned no " + tc.field})
		})
	}
}

// oneJob runs a job collector that lists one job and returns it, with the
// Describe operation cut from RolesUnknown so cases compare field names.
func oneJob(t *testing.T, api JobsAPI, collector string) inventory.Resource {
	t.Helper()
	inv := runJobCollector(t, api, collector)
	if len(inv.Resources) != 1 {
		t.Fatalf("got %d resources, want 1", len(inv.Resources))
	}
	r := inv.Resources[0]
	if _, after, ok := strings.Cut(r.RolesUnknown, " returned no "); ok {
		r.RolesUnknown = "returned no " + after
	}
	return r
}

// A transform job runs as its model's role; a model that is gone or whose
// Describe is denied leaves the role unknown with the reason, and the job
// is still reported with its slots and no gap.
func TestTransformJobRoles(t *testing.T) {
	tests := []struct {
		name, model  string
		modelErr     error
		roles        []string
		rolesUnknown string
	}{
		{name: "model read", model: "m1", roles: []string{roleARN}},
		{name: "model gone", model: "m1", modelErr: errGone("model m1"), rolesUnknown: "model m1 no longer exists"},
		{name: "model denied", model: "m1", modelErr: errDenied,
			rolesUnknown: "model m1 could not be described: sagemaker:DescribeModel: access denied (AccessDeniedException)"},
		{name: "no model", rolesUnknown: "sagemaker:DescribeTransformJob returned no ModelName"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			arn := arnOf("transform-job", "j")
			var described []string
			api := &fakeJobsAPI{t: t, listTags: noTags,
				listTransformJobs: func(*sm.ListTransformJobsInput) (*sm.ListTransformJobsOutput, error) {
					return &sm.ListTransformJobsOutput{TransformJobSummaries: []types.TransformJobSummary{{TransformJobName: aws.String("j"), TransformJobArn: aws.String(arn)}}}, nil
				},
				describeTransformJob: func(*sm.DescribeTransformJobInput) (*sm.DescribeTransformJobOutput, error) {
					out := &sm.DescribeTransformJobOutput{TransformJobName: aws.String("j"), TransformJobArn: aws.String(arn),
						TransformOutput: &types.TransformOutput{S3OutputPath: aws.String("s3://out/"), KmsKeyId: aws.String(keyARN)}}
					if tc.model != "" {
						out.ModelName = aws.String(tc.model)
					}
					return out, nil
				},
				describeModel: func(in *sm.DescribeModelInput) (*sm.DescribeModelOutput, error) {
					described = append(described, aws.ToString(in.ModelName))
					if tc.modelErr != nil {
						return nil, tc.modelErr
					}
					return &sm.DescribeModelOutput{ModelName: in.ModelName, ExecutionRoleArn: aws.String(roleARN)}, nil
				},
			}
			inv := runJobCollector(t, api, "sagemaker:transform-jobs")
			if len(inv.Resources) != 1 {
				t.Fatalf("got %d resources, want the job", len(inv.Resources))
			}
			r := inv.Resources[0]
			assertEqual(t, "roles", r.ExecutionRoles, tc.roles)
			assertEqual(t, "roles unknown", r.RolesUnknown, tc.rolesUnknown)
			if len(r.Slots) != 2 || r.Slots[1].KeyRef != keyARN {
				t.Errorf("slots = %+v, want the output keyed with keyARN", r.Slots)
			}
			assertEqual(t, "gaps", inv.Gaps, []inventory.Gap{})
			if tc.model != "" {
				assertEqual(t, "DescribeModel calls", described, []string{tc.model})
			}
		})
	}
}
