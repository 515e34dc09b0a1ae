package catalog

import (
	"slices"
	"sort"
)

// Lifecycle are the SageMaker API operations (names without the
// "sagemaker:" prefix, as CloudTrail's eventName has them) after which an
// event-driven check must describe a kind's record again.
//
// Unlike CreateActions, which guardrails Null-deny and so may only name
// actions whose requests carry a KMS condition key, these name every
// operation that creates or deletes a record, whatever its request carries:
// CreateEndpoint carries no key but creates an endpoint to judge.
//
// Update names the operations that change what a Describe returns and a
// verdict or a finding's life may depend on: updates that can move a key
// slot, the execution role (key-access checks) or the configuration keys
// are read from (UpdateEndpoint's endpoint config, UpdatePipeline's
// definition); the few other record updates the event consumer
// (internal/events) handles; and the Stop of every stoppable job or
// experiment, whose status and artefacts change what a scan sees. Updates
// that change nothing sagekey reads (UpdateFeatureMetadata,
// UpdatePipelineVersion, UpdateImageVersion) are left out: they would only
// make the consumer describe an unchanged record. The consumer's test
// against guardrails.EventNames keeps what it handles within these.
type Lifecycle struct {
	Create, Update, Delete []string
}

// lifecycles is keyed by Kind.ID. A kind without Delete cannot be deleted
// (most jobs); a test holds every name to the SDK's operations.
var lifecycles = map[string]Lifecycle{
	"algorithm":                           {Create: []string{"CreateAlgorithm"}, Delete: []string{"DeleteAlgorithm"}},
	"auto-ml-job":                         {Create: []string{"CreateAutoMLJob", "CreateAutoMLJobV2"}, Update: []string{"StopAutoMLJob"}},
	"cluster":                             {Create: []string{"CreateCluster"}, Update: []string{"UpdateCluster", "UpdateClusterSoftware"}, Delete: []string{"DeleteCluster"}},
	"compilation-job":                     {Create: []string{"CreateCompilationJob"}, Update: []string{"StopCompilationJob"}, Delete: []string{"DeleteCompilationJob"}},
	"data-quality-job-definition":         {Create: []string{"CreateDataQualityJobDefinition"}, Delete: []string{"DeleteDataQualityJobDefinition"}},
	"device-fleet":                        {Create: []string{"CreateDeviceFleet"}, Update: []string{"UpdateDeviceFleet"}, Delete: []string{"DeleteDeviceFleet"}},
	"domain":                              {Create: []string{"CreateDomain"}, Update: []string{"UpdateDomain"}, Delete: []string{"DeleteDomain"}},
	"edge-packaging-job":                  {Create: []string{"CreateEdgePackagingJob"}, Update: []string{"StopEdgePackagingJob"}},
	"endpoint":                            {Create: []string{"CreateEndpoint"}, Update: []string{"UpdateEndpoint", "UpdateEndpointWeightsAndCapacities"}, Delete: []string{"DeleteEndpoint"}},
	"endpoint-config":                     {Create: []string{"CreateEndpointConfig"}, Delete: []string{"DeleteEndpointConfig"}},
	"feature-group":                       {Create: []string{"CreateFeatureGroup"}, Update: []string{"UpdateFeatureGroup"}, Delete: []string{"DeleteFeatureGroup"}},
	"flow-definition":                     {Create: []string{"CreateFlowDefinition"}, Delete: []string{"DeleteFlowDefinition"}},
	"hyper-parameter-tuning-job":          {Create: []string{"CreateHyperParameterTuningJob"}, Update: []string{"StopHyperParameterTuningJob"}, Delete: []string{"DeleteHyperParameterTuningJob"}},
	"inference-experiment":                {Create: []string{"CreateInferenceExperiment"}, Update: []string{"UpdateInferenceExperiment", "StopInferenceExperiment"}, Delete: []string{"DeleteInferenceExperiment"}},
	"inference-recommendations-job":       {Create: []string{"CreateInferenceRecommendationsJob"}, Update: []string{"StopInferenceRecommendationsJob"}},
	"labeling-job":                        {Create: []string{"CreateLabelingJob"}, Update: []string{"StopLabelingJob"}},
	"model-bias-job-definition":           {Create: []string{"CreateModelBiasJobDefinition"}, Delete: []string{"DeleteModelBiasJobDefinition"}},
	"model-card":                          {Create: []string{"CreateModelCard"}, Update: []string{"UpdateModelCard"}, Delete: []string{"DeleteModelCard"}},
	"model-customization-job":             {Create: []string{"CreateJob"}, Update: []string{"StopJob"}, Delete: []string{"DeleteJob"}},
	"model-explainability-job-definition": {Create: []string{"CreateModelExplainabilityJobDefinition"}, Delete: []string{"DeleteModelExplainabilityJobDefinition"}},
	"model-package":                       {Create: []string{"CreateModelPackage"}, Update: []string{"UpdateModelPackage"}, Delete: []string{"DeleteModelPackage"}},
	"model-quality-job-definition":        {Create: []string{"CreateModelQualityJobDefinition"}, Delete: []string{"DeleteModelQualityJobDefinition"}},
	"monitoring-schedule":                 {Create: []string{"CreateMonitoringSchedule"}, Update: []string{"UpdateMonitoringSchedule"}, Delete: []string{"DeleteMonitoringSchedule"}},
	"notebook-instance":                   {Create: []string{"CreateNotebookInstance"}, Update: []string{"UpdateNotebookInstance"}, Delete: []string{"DeleteNotebookInstance"}},
	"optimization-job":                    {Create: []string{"CreateOptimizationJob"}, Update: []string{"StopOptimizationJob"}, Delete: []string{"DeleteOptimizationJob"}},
	"partner-app":                         {Create: []string{"CreatePartnerApp"}, Update: []string{"UpdatePartnerApp"}, Delete: []string{"DeletePartnerApp"}},
	"pipeline":                            {Create: []string{"CreatePipeline"}, Update: []string{"UpdatePipeline"}, Delete: []string{"DeletePipeline"}},
	"processing-job":                      {Create: []string{"CreateProcessingJob"}, Update: []string{"StopProcessingJob"}, Delete: []string{"DeleteProcessingJob"}},
	"training-job":                        {Create: []string{"CreateTrainingJob"}, Update: []string{"StopTrainingJob", "UpdateTrainingJob"}, Delete: []string{"DeleteTrainingJob"}},
	"transform-job":                       {Create: []string{"CreateTransformJob"}, Update: []string{"StopTransformJob"}},
	"user-profile":                        {Create: []string{"CreateUserProfile"}, Update: []string{"UpdateUserProfile"}, Delete: []string{"DeleteUserProfile"}},
}

// KindLifecycle returns the lifecycle operations of the kind with the given
// id (fresh slices, so no caller can change the table).
func KindLifecycle(id string) (Lifecycle, bool) {
	l, ok := lifecycles[id]
	return Lifecycle{Create: slices.Clone(l.Create), Update: slices.Clone(l.Update), Delete: slices.Clone(l.Delete)}, ok
}

// SageMakerTagEvents are the tagging operations of every kind: the
// <kind>.tags checks read tags, so adding or removing one changes a verdict.
func SageMakerTagEvents() []string { return []string{"AddTags", "DeleteTags"} }

// KMSKeyEvents are the KMS operations after which an event-driven check must
// resolve a key again, sorted. They are trail.KeyLifecycleActions (state,
// rotation, policy, key material, aliases, revoked grants; a test keeps them
// included) plus:
//   - CreateAlias: a resource may name an alias before it exists, and what
//     the alias resolves to decides the verdict;
//   - TagResource and UntagResource: kms-key.tags reads a key's tags.
//
// CreateGrant and RetireGrant are left out on purpose: SageMaker, EC2 and
// EBS call them for every job, endpoint and volume, so they would flood the
// queue with events that change no verdict; a scheduled scan still reads
// grants for the key-access checks. CreateKey is left out too: a new key
// matters only once a resource names it, which arrives as a SageMaker event.
func KMSKeyEvents() []string {
	names := []string{
		"CancelKeyDeletion", "CreateAlias", "DeleteAlias", "DeleteImportedKeyMaterial", "DisableKey", "DisableKeyRotation",
		"EnableKey", "EnableKeyRotation", "ImportKeyMaterial", "PutKeyPolicy", "RevokeGrant", "ScheduleKeyDeletion",
		"TagResource", "UntagResource", "UpdateAlias",
	}
	sort.Strings(names)
	return names
}

// SageMakerEvents returns every SageMaker event name an event-driven check
// handles: each kind's lifecycle operations and the tag operations,
// deduplicated and sorted.
func SageMakerEvents() []string {
	names := SageMakerTagEvents()
	for _, k := range Kinds() {
		l, _ := KindLifecycle(k.ID)
		names = append(append(append(names, l.Create...), l.Update...), l.Delete...)
	}
	sort.Strings(names)
	return slices.Compact(names)
}
