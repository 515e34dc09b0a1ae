package sagemaker

import (
	"strings"
	"testing"

	"github.com/sagekey/sagekey/internal/inventory"
)

// A definition as the SageMaker Python SDK writes it: parameters, then
// steps whose Arguments are Create* request bodies, expressions included.
const fullDefinition = `{
  "Version": "2020-12-01",
  "Metadata": {},
  "Parameters": [
    {"Name": "VolumeKey", "Type": "String", "DefaultValue": "alias/volumes"},
    {"Name": "OutputKey", "Type": "String"},
    {"Name": "TrainInstance", "Type": "String", "DefaultValue": "ml.m5.xlarge"},
    {"Name": "TransformInstance", "Type": "String"}
  ],
  "PipelineExperimentConfig": {
    "ExperimentName": {"Get": "Execution.PipelineName"},
    "TrialName": {"Get": "Execution.PipelineExecutionId"}
  },
  "Steps": [
    {
      "Name": "Prep",
      "Type": "Processing",
      "Arguments": {
        "ProcessingResources": {"ClusterConfig": {"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 30, "VolumeKmsKeyId": "alias/prep"}},
        "AppSpecification": {"ImageUri": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/prep:1"},
        "RoleArn": "arn:aws:iam::123456789012:role/sagemaker",
        "ProcessingOutputConfig": {
          "Outputs": [{"OutputName": "train", "S3Output": {"S3Uri": "s3://bucket/prep/train", "LocalPath": "/opt/ml/processing/train", "S3UploadMode": "EndOfJob"}}],
          "KmsKeyId": {"Get": "Parameters.OutputKey"}
        }
      }
    },
    {
      "Name": "Train",
      "Type": "Training",
      "Arguments": {
        "AlgorithmSpecification": {"TrainingImage": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/algo:1", "TrainingInputMode": "File"},
        "OutputDataConfig": {"S3OutputPath": "s3://bucket/models", "KmsKeyId": "arn:aws:kms:eu-west-1:123456789012:key/train-out"},
        "ResourceConfig": {"InstanceCount": 1, "InstanceType": {"Get": "Parameters.TrainInstance"}, "VolumeSizeInGB": 30, "VolumeKmsKeyId": {"Get": "Parameters.VolumeKey"}},
        "RoleArn": "arn:aws:iam::123456789012:role/sagemaker",
        "StoppingCondition": {"MaxRuntimeInSeconds": 86400},
        "InputDataConfig": [{"ChannelName": "train", "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix",
          "S3Uri": {"Get": "Steps.Prep.ProcessingOutputConfig.Outputs['train'].S3Output.S3Uri"}}}}]
      }
    },
    {
      "Name": "CheckAccuracy",
      "Type": "Condition",
      "Arguments": {
        "Conditions": [{"Type": "GreaterThanOrEqualTo", "LeftValue": {"Std:JsonGet": {"PropertyFile": {"Get": "Steps.Eval.PropertyFiles.Metrics"}, "Path": "accuracy"}}, "RightValue": 0.8}],
        "IfSteps": [
          {
            "Name": "Score",
            "Type": "Transform",
            "Arguments": {
              "ModelName": "model",
              "TransformInput": {"DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://bucket/in"}}},
              "TransformOutput": {"S3OutputPath": "s3://bucket/scores", "KmsKeyId": {"Std:Join": {"On": "", "Values": ["alias/", {"Get": "Execution.PipelineName"}]}}},
              "TransformResources": {"InstanceCount": 1, "InstanceType": {"Get": "Parameters.TransformInstance"}, "VolumeKmsKeyId": {"Get": "Steps.Prep.ProcessingOutputConfig.KmsKeyId"}}
            }
          },
          {
            "Name": "Nested",
            "Type": "Condition",
            "Arguments": {
              "Conditions": [],
              "IfSteps": [],
              "ElseSteps": [
                {"Name": "Fallback", "Type": "Fail", "Arguments": {"ErrorMessage": "no"}}
              ]
            }
          }
        ],
        "ElseSteps": [
          {
            "Name": "Tune",
            "Type": "Tuning",
            "Arguments": {
              "HyperParameterTuningJobConfig": {"Strategy": "Bayesian", "ResourceLimits": {"MaxNumberOfTrainingJobs": 4, "MaxParallelTrainingJobs": 2}},
              "TrainingJobDefinition": {
                "AlgorithmSpecification": {"TrainingImage": "algo", "TrainingInputMode": "File"},
                "RoleArn": "arn:aws:iam::123456789012:role/sagemaker",
                "OutputDataConfig": {"S3OutputPath": "s3://bucket/tuning", "KmsKeyId": "alias/tuning-out"},
                "ResourceConfig": {"InstanceCount": 1, "InstanceType": "ml.p4d.24xlarge", "VolumeSizeInGB": 30},
                "StoppingCondition": {"MaxRuntimeInSeconds": 3600}
              }
            }
          }
        ]
      }
    },
    {
      "Name": "Auto",
      "Type": "AutoML",
      "Arguments": {
        "AutoMLJobConfig": {"SecurityConfig": {"VolumeKmsKeyId": "alias/automl-vol"}, "Mode": "ENSEMBLING"},
        "InputDataConfig": [{"DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://bucket/automl"}}, "TargetAttributeName": "y"}],
        "OutputDataConfig": {"S3OutputPath": "s3://bucket/automl-out", "KmsKeyId": "alias/automl-out"},
        "RoleArn": "arn:aws:iam::123456789012:role/sagemaker"
      }
    },
    {"Name": "Register", "Type": "RegisterModel", "Arguments": {"ModelPackageGroupName": "g"}},
    {"Name": "Notify", "Type": "Lambda", "FunctionArn": "arn:aws:lambda:eu-west-1:123456789012:function:f", "Arguments": {}}
  ]
}`

func TestPipelineSlots(t *testing.T) {
	tests := []struct {
		name       string
		definition string
		want       []inventory.Slot
		wantErr    string
	}{
		{
			name:       "all step types, conditions and expressions",
			definition: fullDefinition,
			want: []inventory.Slot{
				{Type: "processing-volume", Name: "processing-volume:Prep", Label: "step Prep: ML storage volume",
					KeyRef: "alias/prep", InstanceTypes: []string{"ml.m5.large"}},
				{Type: "processing-output", Name: "processing-output:Prep", Label: "step Prep: output in S3",
					Unknown: "key comes from pipeline parameter OutputKey, which has no default: it is chosen per execution"},
				{Type: "training-volume", Name: "training-volume:Train", Label: "step Train: ML storage volume",
					KeyRef: "alias/volumes", InstanceTypes: []string{"ml.m5.xlarge"}},
				{Type: "training-output", Name: "training-output:Train", Label: "step Train: output in S3",
					KeyRef: "arn:aws:kms:eu-west-1:123456789012:key/train-out", OutputURI: "s3://bucket/models"},
				{Type: "transform-volume", Name: "transform-volume:Score", Label: "step Score: ML storage volume",
					Unknown: `key is computed at run time ({"Get":"Steps.Prep.ProcessingOutputConfig.KmsKeyId"})`},
				{Type: "transform-output", Name: "transform-output:Score", Label: "step Score: output in S3",
					Unknown:   `key is computed at run time ({"Std:Join":{"On":"","Values":["alias/",{"Get":"Execution.PipelineName"}]}})`,
					OutputURI: "s3://bucket/scores"},
				{Type: "tuning-volume", Name: "tuning-volume:Tune", Label: "step Tune: ML storage volume",
					InstanceTypes: []string{"ml.p4d.24xlarge"}},
				{Type: "tuning-output", Name: "tuning-output:Tune", Label: "step Tune: output in S3",
					KeyRef: "alias/tuning-out", OutputURI: "s3://bucket/tuning"},
				{Type: "automl-volume", Name: "automl-volume:Auto", Label: "step Auto: ML storage volume", KeyRef: "alias/automl-vol"},
				{Type: "automl-output", Name: "automl-output:Auto", Label: "step Auto: output in S3",
					KeyRef: "alias/automl-out", OutputURI: "s3://bucket/automl-out"},
			},
		},
		{
			name: "processing without outputs, AutoML V2, NVMe training with instance groups",
			definition: `{"Version": "2020-12-01", "Steps": [
				{"Name": "Clean", "Type": "Processing", "Arguments": {"ProcessingResources": {"ClusterConfig": {"InstanceType": "ml.m5d.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 30}}}},
				{"Name": "Fit", "Type": "Training", "Arguments": {
					"ResourceConfig": {"InstanceGroups": [{"InstanceGroupName": "a", "InstanceType": "ml.p4d.24xlarge", "InstanceCount": 1}, {"InstanceGroupName": "b", "InstanceType": "ml.g5.48xlarge", "InstanceCount": 1}], "VolumeSizeInGB": 30},
					"OutputDataConfig": {"S3OutputPath": "s3://bucket--use1-az4--x-s3/out"}}},
				{"Name": "Auto", "Type": "AutoML", "Arguments": {
					"SecurityConfig": {"VolumeKmsKeyId": "alias/v2-vol"},
					"OutputDataConfig": {"S3OutputPath": "s3://b/o"}}}
			]}`,
			want: []inventory.Slot{
				{Type: "processing-volume", Name: "processing-volume:Clean", Label: "step Clean: ML storage volume",
					InstanceTypes: []string{"ml.m5d.xlarge"}},
				{Type: "training-volume", Name: "training-volume:Fit", Label: "step Fit: ML storage volume",
					InstanceTypes: []string{"ml.p4d.24xlarge", "ml.g5.48xlarge"}},
				{Type: "training-output", Name: "training-output:Fit", Label: "step Fit: output in S3",
					OutputURI: "s3://bucket--use1-az4--x-s3/out"},
				{Type: "automl-volume", Name: "automl-volume:Auto", Label: "step Auto: ML storage volume", KeyRef: "alias/v2-vol"},
				{Type: "automl-output", Name: "automl-output:Auto", Label: "step Auto: output in S3", OutputURI: "s3://b/o"},
			},
		},
		{
			name: "tuning with several definitions and a tuning resource config",
			definition: `{"Version": "2020-12-01", "Steps": [
				{"Name": "HPO", "Type": "Tuning", "Arguments": {"TrainingJobDefinitions": [
					{"DefinitionName": "xgb", "HyperParameterTuningResourceConfig": {"InstanceConfigs": [{"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 10}], "VolumeKmsKeyId": "alias/hpo"},
					 "OutputDataConfig": {"S3OutputPath": "s3://b/xgb", "KmsKeyId": "alias/hpo-out"}},
					{"ResourceConfig": {"InstanceType": "ml.c5.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 10, "VolumeKmsKeyId": "alias/other"},
					 "OutputDataConfig": {"S3OutputPath": "s3://b/other"}}
				]}}
			]}`,
			want: []inventory.Slot{
				{Type: "tuning-volume", Name: "tuning-volume:HPO", Label: "step HPO (training definition xgb): ML storage volume",
					KeyRef: "alias/hpo", InstanceTypes: []string{"ml.m5.large"}},
				{Type: "tuning-output", Name: "tuning-output:HPO", Label: "step HPO (training definition xgb): output in S3",
					KeyRef: "alias/hpo-out", OutputURI: "s3://b/xgb"},
				{Type: "tuning-volume", Name: "tuning-volume:HPO#2", Label: "step HPO (training definition 2): ML storage volume",
					KeyRef: "alias/other", InstanceTypes: []string{"ml.c5.xlarge"}},
				{Type: "tuning-output", Name: "tuning-output:HPO#2", Label: "step HPO (training definition 2): output in S3",
					OutputURI: "s3://b/other"},
			},
		},
		{
			name: "parameter without default for the instance type",
			definition: `{"Version": "2020-12-01", "Parameters": [{"Name": "Type", "Type": "String"}, {"Name": "Key", "Type": "String", "DefaultValue": "alias/t"}],
				"Steps": [{"Name": "Batch", "Type": "Transform", "Arguments": {
					"TransformResources": {"InstanceType": {"Get": "Parameters.Type"}, "InstanceCount": 1, "VolumeKmsKeyId": {"Get": "Parameters.Key"}},
					"TransformOutput": {"S3OutputPath": {"Get": "Parameters.Missing"}, "KmsKeyId": "alias/t-out"}}}]}`,
			want: []inventory.Slot{
				{Type: "transform-volume", Name: "transform-volume:Batch", Label: "step Batch: ML storage volume", KeyRef: "alias/t"},
				{Type: "transform-output", Name: "transform-output:Batch", Label: "step Batch: output in S3", KeyRef: "alias/t-out"},
			},
		},
		{
			name:       "no keyed steps",
			definition: `{"Version": "2020-12-01", "Steps": [{"Name": "L", "Type": "Lambda", "Arguments": {}}, {"Name": "F", "Type": "Fail", "Arguments": {"ErrorMessage": "x"}}]}`,
			want:       []inventory.Slot{},
		},
		{name: "invalid JSON", definition: `{"Version": "2020-12-01", "Steps": [`, wantErr: "unexpected EOF"},
		{name: "empty definition", definition: ``, wantErr: "EOF"},
		{name: "not an object", definition: `["Steps"]`, wantErr: "not an object"},
		{name: "steps not an array", definition: `{"Steps": {"Name": "x"}}`, wantErr: "Steps is an object, not an array"},
		{name: "keyed step with bad arguments", definition: `{"Steps": [{"Name": "T", "Type": "Training", "Arguments": "x"}]}`,
			wantErr: "step T: Arguments is a string, not an object"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			def, err := parsePipeline(tc.definition)
			got := def.slots
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want one containing %q (slots %v)", err, tc.wantErr, got)
				}
				return
			}
			if err != nil {
				t.Fatalf("parsePipeline: %v", err)
			}
			assertEqual(t, "slots", got, tc.want)
		})
	}
}

// The roles a pipeline's jobs run as come from its steps: RoleArn, a
// tuning step's per definition, and a transform step's model, named (read
// later with DescribeModel) or created by a Model step, wherever in the
// pipeline that step is. The pipeline's own RoleArn is not among them.
func TestPipelineRoles(t *testing.T) {
	tests := []struct {
		name         string
		definition   string
		roles        []string
		models       []string
		rolesUnknown []string
	}{
		{
			name:       "all step types",
			definition: fullDefinition,
			roles:      []string{"arn:aws:iam::123456789012:role/sagemaker"},
			models:     []string{"model"},
		},
		{
			name: "model steps, parameters and what cannot be told",
			definition: `{"Version": "2020-12-01",
				"Parameters": [{"Name": "Role", "Type": "String", "DefaultValue": "arn:aws:iam::1:role/param"}, {"Name": "Free", "Type": "String"}],
				"Steps": [
					{"Name": "Batch", "Type": "Transform", "Arguments": {"ModelName": {"Get": "Steps.Make.ModelName"}}},
					{"Name": "Make", "Type": "Model", "Arguments": {"ExecutionRoleArn": {"Get": "Parameters.Role"}, "PrimaryContainer": {"Image": "i"}}},
					{"Name": "Free", "Type": "Training", "Arguments": {"RoleArn": {"Get": "Parameters.Free"}}},
					{"Name": "HPO", "Type": "Tuning", "Arguments": {"TrainingJobDefinitions": [
						{"RoleArn": "arn:aws:iam::1:role/a"}, {"RoleArn": "arn:aws:iam::1:role/b"}]}},
					{"Name": "Bare", "Type": "Processing", "Arguments": {}},
					{"Name": "Orphan", "Type": "Transform", "Arguments": {"ModelName": {"Get": "Steps.Nope.ModelName"}}},
					{"Name": "Joined", "Type": "Transform", "Arguments": {"ModelName": {"Std:Join": {"On": "-", "Values": ["m", "1"]}}}}
				]}`,
			roles: []string{"arn:aws:iam::1:role/a", "arn:aws:iam::1:role/b", "arn:aws:iam::1:role/param"},
			rolesUnknown: []string{
				"step Free: role comes from pipeline parameter Free, which has no default: it is chosen per execution",
				"step Bare: it names no RoleArn",
				`step Joined: model is computed at run time ({"Std:Join":{"On":"-","Values":["m","1"]}})`,
				"step Orphan: it runs the model of step Nope, which is not a Model step of this pipeline",
			},
		},
		{
			name:       "no keyed steps",
			definition: `{"Version": "2020-12-01", "Steps": [{"Name": "L", "Type": "Lambda", "Arguments": {}}]}`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			def, err := parsePipeline(tc.definition)
			if err != nil {
				t.Fatalf("parsePipeline: %v", err)
			}
			assertEqual(t, "roles", executionRoles(def.roles...), tc.roles)
			assertEqual(t, "models", def.models, tc.models)
			assertEqual(t, "roles unknown", def.rolesUnknown, tc.rolesUnknown)
		})
	}
}
