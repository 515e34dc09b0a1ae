package catalog

import (
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
)

// describeOutputs maps each kind with a RoleField to the SDK output its
// role is read from. The SDK is imported here, in a test, only: the catalog
// itself stays SDK-free.
var describeOutputs = map[string]any{
	"algorithm":                           sagemaker.DescribeAlgorithmOutput{},
	"auto-ml-job":                         sagemaker.DescribeAutoMLJobV2Output{},
	"cluster":                             sagemaker.DescribeClusterOutput{},
	"compilation-job":                     sagemaker.DescribeCompilationJobOutput{},
	"data-quality-job-definition":         sagemaker.DescribeDataQualityJobDefinitionOutput{},
	"device-fleet":                        sagemaker.DescribeDeviceFleetOutput{},
	"domain":                              sagemaker.DescribeDomainOutput{},
	"edge-packaging-job":                  sagemaker.DescribeEdgePackagingJobOutput{},
	"endpoint-config":                     sagemaker.DescribeEndpointConfigOutput{},
	"endpoint":                            sagemaker.DescribeEndpointConfigOutput{}, // judged through its configuration
	"feature-group":                       sagemaker.DescribeFeatureGroupOutput{},
	"flow-definition":                     sagemaker.DescribeFlowDefinitionOutput{},
	"hyper-parameter-tuning-job":          sagemaker.DescribeHyperParameterTuningJobOutput{},
	"inference-experiment":                sagemaker.DescribeInferenceExperimentOutput{},
	"inference-recommendations-job":       sagemaker.DescribeInferenceRecommendationsJobOutput{},
	"labeling-job":                        sagemaker.DescribeLabelingJobOutput{},
	"model-bias-job-definition":           sagemaker.DescribeModelBiasJobDefinitionOutput{},
	"model-customization-job":             sagemaker.DescribeJobOutput{},
	"model-explainability-job-definition": sagemaker.DescribeModelExplainabilityJobDefinitionOutput{},
	"model-quality-job-definition":        sagemaker.DescribeModelQualityJobDefinitionOutput{},
	"monitoring-schedule":                 sagemaker.DescribeMonitoringScheduleOutput{},
	"notebook-instance":                   sagemaker.DescribeNotebookInstanceOutput{},
	"optimization-job":                    sagemaker.DescribeOptimizationJobOutput{},
	"partner-app":                         sagemaker.DescribePartnerAppOutput{},
	"pipeline":                            sagemaker.DescribePipelineOutput{},
	"processing-job":                      sagemaker.DescribeProcessingJobOutput{},
	"training-job":                        sagemaker.DescribeTrainingJobOutput{},
	"transform-job":                       sagemaker.DescribeTransformJobOutput{},
	"user-profile":                        sagemaker.DescribeUserProfileOutput{},
}

// TestRoleFieldsNameSDKFields walks every RoleField through the SDK's
// Describe output: each alternative (" | ") must be a path of exported
// fields ending in a string, and a role read from models must end in
// DescribeModel's ExecutionRoleArn. A path stops at its first space, after
// which the field says in words what the path cannot (a JSON document, a
// fallback).
func TestRoleFieldsNameSDKFields(t *testing.T) {
	t.Parallel()
	for _, k := range Kinds() {
		if k.RoleField == "" {
			continue
		}
		out, ok := describeOutputs[k.ID]
		if !ok {
			t.Errorf("%s: add its Describe output to describeOutputs", k.ID)
			continue
		}
		paths, model, viaModels := strings.Cut(k.RoleField, " → ")
		if viaModels != k.RoleFromModels {
			t.Errorf("%s: RoleField %q and RoleFromModels=%v disagree", k.ID, k.RoleField, k.RoleFromModels)
		}
		if viaModels {
			field, ok := strings.CutPrefix(model, "DescribeModel.")
			if !ok {
				t.Errorf("%s: %q does not name a DescribeModel field", k.ID, model)
			} else if err := walkStringField(reflect.TypeOf(sagemaker.DescribeModelOutput{}), field); err != "" {
				t.Errorf("%s: DescribeModel.%s: %s", k.ID, field, err)
			}
		}
		for _, alt := range strings.Split(paths, " | ") {
			path, _, _ := strings.Cut(alt, " ")
			if err := walkStringField(reflect.TypeOf(out), path); err != "" {
				t.Errorf("%s: RoleField %q: %s", k.ID, path, err)
			}
		}
	}
}

// walkStringField follows path ("InstanceGroups[].ExecutionRole") through
// struct fields, pointers and slices, and says what is wrong with it, ""
// when it names a string.
func walkStringField(t reflect.Type, path string) string {
	for _, seg := range strings.Split(path, ".") {
		name, slice := strings.CutSuffix(seg, "[]")
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct {
			return "cannot select " + name + " from " + t.String()
		}
		f, ok := t.FieldByName(name)
		if !ok || !f.IsExported() {
			return t.Name() + " has no field " + name
		}
		t = f.Type
		if slice {
			if t.Kind() != reflect.Slice {
				return name + " is not a list"
			}
			t = t.Elem()
		}
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.String {
		return "ends in " + t.String() + ", not a string"
	}
	return ""
}
