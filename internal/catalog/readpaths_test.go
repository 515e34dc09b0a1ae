package catalog

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	smsdk "github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
)

// TestReadPaths checks the tagging and Search facts of every kind: each has
// a decision with a reason when the answer is no, filters are SageMaker's,
// and every Search resource is one the SDK knows.
func TestReadPaths(t *testing.T) {
	searchable := types.ResourceType("").Values()
	kinds := Kinds()
	ids := map[string]bool{}
	for _, k := range kinds {
		ids[k.ID] = true
		t.Run(k.ID, func(t *testing.T) {
			if _, ok := readPaths[k.ID]; !ok {
				t.Fatalf("no row in readPaths: decide its tagging and Search read paths")
			}
			switch {
			case k.TaggingType == "" && k.TaggingWhyNot == "":
				t.Errorf("no GetResources decision: set TaggingType or TaggingWhyNot")
			case k.TaggingType != "" && k.TaggingWhyNot != "":
				t.Errorf("TaggingType %q and TaggingWhyNot %q both set", k.TaggingType, k.TaggingWhyNot)
			case k.TaggingType != "":
				rest, ok := strings.CutPrefix(k.TaggingType, "sagemaker:")
				if !ok || rest == "" || strings.ContainsAny(rest, ":/ ") {
					t.Errorf("TaggingType %q is not sagemaker:<ARN resource type>", k.TaggingType)
				}
			}
			switch {
			case k.SearchResource == "" && k.SearchWhyNot == "":
				t.Errorf("no Search decision: set SearchResource or SearchWhyNot")
			case k.SearchResource != "" && k.SearchWhyNot != "":
				t.Errorf("SearchResource %q and SearchWhyNot %q both set", k.SearchResource, k.SearchWhyNot)
			case k.SearchResource != "" && !slices.Contains(searchable, types.ResourceType(k.SearchResource)):
				t.Errorf("SearchResource %q is not a types.ResourceType value %v", k.SearchResource, searchable)
			}
		})
	}
	for id := range readPaths {
		if !ids[id] {
			t.Errorf("readPaths has a row for %q, which is no kind", id)
		}
	}
}

// TestReadPathsTaggingFiltersAreDistinct: two kinds under one filter would
// read each other's tags.
func TestReadPathsTaggingFiltersAreDistinct(t *testing.T) {
	seen := map[string]string{}
	for _, k := range Kinds() {
		if k.TaggingType == "" {
			continue
		}
		if other, dup := seen[k.TaggingType]; dup {
			t.Errorf("%s and %s share TaggingType %q", other, k.ID, k.TaggingType)
		}
		seen[k.TaggingType] = k.ID
	}
}

// TestReadPathsSearchKeepsTrainingJobs pins the one kind already read by
// Search (collect/sagemaker/training.go).
func TestReadPathsSearchKeepsTrainingJobs(t *testing.T) {
	if got := MustLookup("training-job").SearchResource; got != string(types.ResourceTypeTrainingJob) {
		t.Errorf("training-job SearchResource = %q, want %q", got, types.ResourceTypeTrainingJob)
	}
}

// searchFields are, per kind read by Search, the SearchRecord member and the
// fields of it the kind's Describe is read for in collect/sagemaker (key
// fields, instance types, execution role, creation time) plus Tags. The
// test walks each path through the SDK types, so a Search decision cannot
// outlive a record that stops carrying a field.
var searchFields = map[string]struct {
	record string
	fields []string
}{
	"training-job": {"TrainingJob", []string{"TrainingJobArn", "TrainingJobName", "CreationTime", "RoleArn", "Tags",
		"ResourceConfig.VolumeKmsKeyId", "ResourceConfig.InstanceType", "ResourceConfig.InstanceGroups.InstanceType",
		"OutputDataConfig.KmsKeyId", "OutputDataConfig.S3OutputPath"}},
	"hyper-parameter-tuning-job": {"HyperParameterTuningJob", []string{"HyperParameterTuningJobArn",
		"HyperParameterTuningJobName", "CreationTime", "Tags",
		"TrainingJobDefinition.RoleArn", "TrainingJobDefinitions.RoleArn", "TrainingJobDefinitions.DefinitionName",
		"TrainingJobDefinition.ResourceConfig.VolumeKmsKeyId", "TrainingJobDefinition.ResourceConfig.InstanceType",
		"TrainingJobDefinition.ResourceConfig.InstanceGroups.InstanceType",
		"TrainingJobDefinition.HyperParameterTuningResourceConfig.VolumeKmsKeyId",
		"TrainingJobDefinition.HyperParameterTuningResourceConfig.InstanceType",
		"TrainingJobDefinition.HyperParameterTuningResourceConfig.InstanceConfigs.InstanceType",
		"TrainingJobDefinition.OutputDataConfig.KmsKeyId", "TrainingJobDefinition.OutputDataConfig.S3OutputPath"}},
	"feature-group": {"FeatureGroup", []string{"FeatureGroupArn", "FeatureGroupName", "CreationTime", "RoleArn", "Tags",
		"OnlineStoreConfig.EnableOnlineStore", "OnlineStoreConfig.StorageType", "OnlineStoreConfig.SecurityConfig.KmsKeyId",
		"OfflineStoreConfig.S3StorageConfig.KmsKeyId", "OfflineStoreConfig.S3StorageConfig.S3Uri"}},
	// Endpoints: the slots and roles are the config's, read by name from
	// EndpointConfigName; the status says when Describe is still needed
	// (TestReadPathsEndpointDescribesPendingDeployments).
	"endpoint": {"Endpoint", []string{"EndpointArn", "EndpointName", "CreationTime", "LastModifiedTime", "EndpointStatus",
		"EndpointConfigName", "Tags"}},
	"model-card": {"ModelCard", []string{"ModelCardArn", "ModelCardName", "CreationTime", "Tags", "SecurityConfig.KmsKeyId"}},
	"model-customization-job": {"Job", []string{"JobArn", "JobName", "JobCategory", "CreationTime", "RoleArn", "Tags",
		"JobConfigDocument", "JobConfigSchemaVersion"}},
}

func TestReadPathsSearchRecordsCarryDescribeFields(t *testing.T) {
	record := reflect.TypeOf(types.SearchRecord{})
	for _, k := range Kinds() {
		want, listed := searchFields[k.ID]
		if k.SearchResource == "" {
			if listed {
				t.Errorf("%s: searchFields lists a kind not read by Search", k.ID)
			}
			continue
		}
		if !listed {
			t.Errorf("%s: read by Search but its fields are not pinned in searchFields", k.ID)
			continue
		}
		f, ok := record.FieldByName(want.record)
		if !ok {
			t.Errorf("%s: types.SearchRecord has no %s", k.ID, want.record)
			continue
		}
		for _, path := range want.fields {
			if !hasPath(f.Type, path) {
				t.Errorf("%s: types.SearchRecord.%s has no %s", k.ID, want.record, path)
			}
		}
	}
}

// hasPath follows a dotted field path through pointers and slices.
func hasPath(t reflect.Type, path string) bool {
	for _, name := range strings.Split(path, ".") {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct {
			return false
		}
		f, ok := t.FieldByName(name)
		if !ok {
			return false
		}
		t = f.Type
	}
	return true
}

// TestReadPathsSearchWhyNotStillHolds pins the missing fields the
// SearchWhyNot of a searchable kind names: when the SDK's record gains one,
// the decision is due for review.
func TestReadPathsSearchWhyNotStillHolds(t *testing.T) {
	record := reflect.TypeOf(types.SearchRecord{})
	for _, c := range []struct{ kind, record, missing string }{
		{"pipeline", "Pipeline", "PipelineDefinition"},
	} {
		k := MustLookup(c.kind)
		if k.SearchResource != "" || !strings.Contains(k.SearchWhyNot, c.missing) {
			t.Errorf("%s: SearchWhyNot %q does not name %s", c.kind, k.SearchWhyNot, c.missing)
		}
		f, ok := record.FieldByName(c.record)
		if !ok {
			t.Fatalf("types.SearchRecord has no %s", c.record)
		}
		if hasPath(f.Type, c.missing) {
			t.Errorf("%s: types.SearchRecord.%s now has %s; review SearchWhyNot", c.kind, c.record, c.missing)
		}
		if !hasPath(f.Type, "Tags") {
			t.Errorf("hasPath cannot see %s.Tags", c.record)
		}
	}
}

// TestReadPathsEndpointDescribesPendingDeployments pins the one field
// DescribeEndpoint is read for that the endpoint's Search record lacks:
// the collector describes endpoints whose status allows a pending
// deployment, and the catalog says so. When the record gains it, the
// exception is due for review.
func TestReadPathsEndpointDescribesPendingDeployments(t *testing.T) {
	k := MustLookup("endpoint")
	if k.SearchResource != string(types.ResourceTypeEndpoint) {
		t.Fatalf("endpoint SearchResource = %q, want %q", k.SearchResource, types.ResourceTypeEndpoint)
	}
	for _, s := range []string{"PendingDeploymentSummary", "DescribeEndpoint", "ListEndpoints"} {
		if !strings.Contains(k.SearchNote, s) {
			t.Errorf("endpoint SearchNote %q does not name %s", k.SearchNote, s)
		}
	}
	f, _ := reflect.TypeOf(types.SearchRecord{}).FieldByName("Endpoint")
	if hasPath(f.Type, "PendingDeploymentSummary") {
		t.Errorf("types.SearchRecord.Endpoint now has PendingDeploymentSummary; review the Describe exception")
	}
	if !hasPath(reflect.TypeOf(smsdk.DescribeEndpointOutput{}), "PendingDeploymentSummary.EndpointConfigName") {
		t.Errorf("DescribeEndpointOutput no longer has PendingDeploymentSummary.EndpointConfigName")
	}
}

// TestReadPathsSearchNoteOnlyWithSearch: a note qualifies a Search decision.
func TestReadPathsSearchNoteOnlyWithSearch(t *testing.T) {
	for _, k := range Kinds() {
		if k.SearchNote != "" && k.SearchResource == "" {
			t.Errorf("%s: SearchNote set without SearchResource", k.ID)
		}
	}
}
