package catalog

// Cheaper ways to read a kind than List + Describe + ListTags per resource,
// and whether AWS documents them for the kind. This table is the one source
// for them: Kinds() copies each row onto its kind (TaggingType,
// TaggingWhyNot, SearchResource, SearchWhyNot) and docs/tagging-and-search.md
// is generated from it.
//
// Resource Groups Tagging API (tag:GetResources), per its API reference
// (https://docs.aws.amazon.com/resourcegroupstagging/latest/APIReference/API_GetResources.html):
// a ResourceTypeFilters entry is "service[:resourceType]", and "the string
// for each service name and resource type is the same as that embedded in a
// resource's ARN". Which SageMaker types are served is listed only in the
// Resource Groups user guide's table of supported resources
// (https://docs.aws.amazon.com/ARG/latest/userguide/supported-resources.html,
// section Amazon SageMaker, column "Tag-based Groups"): Endpoint,
// EndpointConfig, HyperParameterTuningJob, LabelingJob, Model,
// NotebookInstance, TrainingJob, TransformJob, Workteam. That table is about
// tag-based groups; the Tagging API's own "supported services" page states
// that "the GetResources, GetTagKeys, and GetTagValues operations support
// all resource types", so every kind names its ARN resource type as its
// filter. Nothing rests on it for correctness: GetResources returns only
// resources that are or were tagged, so a resource it does not return,
// whatever the reason, is read with ListTags (collect/sagemaker/tagindex.go),
// and a kind AWS did not serve would cost its ListTags calls, as before.
//
// SageMaker Search (sagemaker:Search): the SDK's types.ResourceType lists
// what it can return, and types.SearchRecord the record of each. A kind
// reads by Search only when its record carries every field the collector's
// Describe reads (key fields, instance types, execution role, creation time)
// and its tags; catalog/readpaths_test.go checks the names against the SDK.
const (
	// DocGetResources is the tag:GetResources API reference.
	DocGetResources = "https://docs.aws.amazon.com/resourcegroupstagging/latest/APIReference/API_GetResources.html"
	// DocTaggingServices is the Tagging API's "Services that support the
	// Resource Groups Tagging API" page.
	DocTaggingServices = "https://docs.aws.amazon.com/resourcegroupstagging/latest/APIReference/supported-services.html"
	// DocARGSupported is the Resource Groups table of supported resource
	// types, the only page that names SageMaker types for tag-based reads.
	DocARGSupported = "https://docs.aws.amazon.com/ARG/latest/userguide/supported-resources.html"
	// DocSearch is the SageMaker Search API reference.
	DocSearch = "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_Search.html"
)

// readPath is one kind's row.
type readPath struct {
	tagging, taggingWhyNot           string
	search, searchWhyNot, searchNote string
}

// notSearchable is why a kind is not read by Search: the SDK's ResourceType
// enum has no value for it.
const notSearchable = "Search has no resource type for this kind (types.ResourceType); keep List + Describe"

// readPaths is keyed by kind id; every kind has a row (a test checks).
var readPaths = map[string]readPath{
	// Tagged-group types of the Resource Groups table; the filter is the
	// ARN's resource type (arn:aws:sagemaker:<region>:<account>:<type>/<name>).
	"notebook-instance": {tagging: "sagemaker:notebook-instance", searchWhyNot: notSearchable},
	"endpoint-config":   {tagging: "sagemaker:endpoint-config", searchWhyNot: notSearchable},
	"endpoint": {tagging: "sagemaker:endpoint",
		// types.Endpoint: EndpointArn/Name, CreationTime, LastModifiedTime,
		// EndpointStatus, EndpointConfigName, Tags. The keys and execution
		// roles are the config's (DescribeEndpointConfig, once per config,
		// immutable, often a stored record) whichever way the endpoint is
		// read, so the record carries all DescribeEndpoint is read for except
		// PendingDeploymentSummary, which AWS returns "only when the endpoint
		// is creating or updating": collect/sagemaker/endpoint_search.go
		// describes an endpoint whose status is not settled.
		search: "Endpoint",
		searchNote: "DescribeEndpoint still reads each endpoint whose status is not InService, OutOfService or Failed " +
			"(the record has no PendingDeploymentSummary, the config it is moving to), and each one a ListEndpoints page " +
			"of the changes within --search-lag (an hour by default) shows missing from Search or with another LastModifiedTime (the index lags); " +
			"the keys are read from DescribeEndpointConfig either way"},
	"training-job": {tagging: "sagemaker:training-job",
		// types.TrainingJob: TrainingJobArn/Name, CreationTime, RoleArn,
		// ResourceConfig (VolumeKmsKeyId, InstanceType, InstanceGroups),
		// OutputDataConfig (KmsKeyId, S3OutputPath), Tags. Used by
		// collect/sagemaker/training.go.
		search: "TrainingJob"},
	"transform-job": {tagging: "sagemaker:transform-job", searchWhyNot: notSearchable},
	"hyper-parameter-tuning-job": {tagging: "sagemaker:hyper-parameter-tuning-job",
		// types.HyperParameterTuningJobSearchEntity: Arn/Name, CreationTime,
		// TrainingJobDefinition(s) (RoleArn, ResourceConfig,
		// HyperParameterTuningResourceConfig, OutputDataConfig), Tags. Used by
		// collect/sagemaker/search_kinds.go, newest first down to the
		// stored window, as training jobs.
		search: "HyperParameterTuningJob"},
	"labeling-job": {tagging: "sagemaker:labeling-job", searchWhyNot: notSearchable},

	"cluster":                       {tagging: "sagemaker:cluster", searchWhyNot: notSearchable},
	"processing-job":                {tagging: "sagemaker:processing-job", searchWhyNot: notSearchable},
	"auto-ml-job":                   {tagging: "sagemaker:automl-job", searchWhyNot: notSearchable},
	"compilation-job":               {tagging: "sagemaker:compilation-job", searchWhyNot: notSearchable},
	"edge-packaging-job":            {tagging: "sagemaker:edge-packaging-job", searchWhyNot: notSearchable},
	"inference-recommendations-job": {tagging: "sagemaker:inference-recommendations-job", searchWhyNot: notSearchable},
	"optimization-job":              {tagging: "sagemaker:optimization-job", searchWhyNot: notSearchable},
	"domain":                        {tagging: "sagemaker:domain", searchWhyNot: notSearchable},
	"user-profile":                  {tagging: "sagemaker:user-profile", searchWhyNot: notSearchable},
	"feature-group": {tagging: "sagemaker:feature-group",
		// types.FeatureGroup: Arn/Name, CreationTime, RoleArn,
		// OnlineStoreConfig (EnableOnlineStore, StorageType,
		// SecurityConfig.KmsKeyId), OfflineStoreConfig (S3StorageConfig
		// KmsKeyId, S3Uri), Tags. Used by collect/sagemaker/search_kinds.go.
		// Neither key nor role can change after creation, so a stale record
		// has the right slots; the index lag can hide a new group.
		search: "FeatureGroup",
		searchNote: "DescribeFeatureGroup still reads each group whose record has no ARN or the status Deleting, " +
			"and each one a ListFeatureGroups page of the creations within --search-lag (an hour by default) shows missing from Search (the index lags)"},
	"model-card": {tagging: "sagemaker:model-card",
		// types.ModelCard: Arn/Name, CreationTime, SecurityConfig.KmsKeyId,
		// Tags. It also carries Content (as DescribeModelCard does) and
		// ModelCardVersion: a reader keeps one record per ARN. Used by
		// collect/sagemaker/search_kinds.go; the key is fixed at creation.
		search: "ModelCard",
		searchNote: "one record per card, its latest version (as DescribeModelCard without a version); DescribeModelCard " +
			"still reads each card a ListModelCards page of the creations within --search-lag (an hour by default) shows missing from Search (the index lags)"},
	"model-package": {tagging: "sagemaker:model-package",
		// types.ModelPackage has SecurityConfig, ValidationSpecification,
		// CreationTime and Tags, but Search has no IncludedData option.
		searchWhyNot: "keep Describe: Search has no IncludedData=MetadataOnly, and AWS does not document whether " +
			"Search needs kms:Decrypt on a package's content key or returns unversioned packages"},
	"algorithm":            {tagging: "sagemaker:algorithm", searchWhyNot: notSearchable},
	"inference-experiment": {tagging: "sagemaker:inference-experiment", searchWhyNot: notSearchable},
	"device-fleet":         {tagging: "sagemaker:device-fleet", searchWhyNot: notSearchable},
	"flow-definition":      {tagging: "sagemaker:flow-definition", searchWhyNot: notSearchable},
	"partner-app":          {tagging: "sagemaker:partner-app", searchWhyNot: notSearchable},
	"pipeline": {tagging: "sagemaker:pipeline",
		searchWhyNot: "keep Describe: the Search record (types.Pipeline) has no PipelineDefinition, where the " +
			"steps' keys are"},
	"model-customization-job": {tagging: "sagemaker:job",
		// types.Job: JobArn/Name, JobCategory, CreationTime, RoleArn,
		// JobConfigDocument, JobConfigSchemaVersion, Tags: all DescribeJob
		// gives, without listing per JobCategory. Used by
		// collect/sagemaker/search_kinds.go, newest first down to the
		// stored window, as training jobs.
		search: "Job"},

	"data-quality-job-definition":         {tagging: "sagemaker:data-quality-job-definition", searchWhyNot: notSearchable},
	"model-quality-job-definition":        {tagging: "sagemaker:model-quality-job-definition", searchWhyNot: notSearchable},
	"model-bias-job-definition":           {tagging: "sagemaker:model-bias-job-definition", searchWhyNot: notSearchable},
	"model-explainability-job-definition": {tagging: "sagemaker:model-explainability-job-definition", searchWhyNot: notSearchable},
	"monitoring-schedule":                 {tagging: "sagemaker:monitoring-schedule", searchWhyNot: notSearchable},
}

// withReadPath copies the kind's row of readPaths onto it.
func withReadPath(k Kind) Kind {
	p := readPaths[k.ID]
	k.TaggingType, k.TaggingWhyNot = p.tagging, p.taggingWhyNot
	k.SearchResource, k.SearchWhyNot, k.SearchNote = p.search, p.searchWhyNot, p.searchNote
	return k
}
