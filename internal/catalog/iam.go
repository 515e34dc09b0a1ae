package catalog

import "strings"

// ConditionKey is one SageMaker IAM condition key and the actions whose
// request context carries it, transcribed from the Service Authorization
// Reference (reference §2a; SAR via iam-floyd @f6afbc34, @50d8b534, and
// @0323fa9d for sagemaker:InstanceTypes).
//
// This table is deliberately independent of the kinds: guardrails derive
// their statements from Kind.CreateActions and SlotSpec.ConditionKeys, and
// the tests check every generated (action, key) pair against this table.
type ConditionKey struct {
	Name string // current name, e.g. sagemaker:VolumeKmsKeyArn
	// Deprecated is the predecessor SAR marks deprecated; it no longer
	// appears in any action's list, but applied to the same actions, and
	// whether IAM still populates it is not documented [U].
	Deprecated string
	// MultiValued keys need ForAllValues:/ForAnyValue: operators.
	MultiValued bool
	Actions     []string
}

// IAMConditionKeys returns the SAR table: the KMS condition keys, plus
// sagemaker:InstanceTypes, which guardrails use to exempt local-NVMe
// instance types.
func IAMConditionKeys() []ConditionKey {
	return []ConditionKey{
		{Name: "sagemaker:VolumeKmsKeyArn", Deprecated: "sagemaker:VolumeKmsKey", Actions: sm(
			"CreateAutoMLJob", "CreateAutoMLJobV2", "CreateDataQualityJobDefinition", "CreateDomain",
			"CreateEndpointConfig", "CreateHyperParameterTuningJob", "CreateLabelingJob",
			"CreateModelBiasJobDefinition", "CreateModelExplainabilityJobDefinition",
			"CreateModelQualityJobDefinition", "CreateMonitoringSchedule", "CreateNotebookInstance",
			"CreateProcessingJob", "CreateTrainingJob", "CreateTransformJob", "UpdateMonitoringSchedule")},
		{Name: "sagemaker:OutputKmsKeyArn", Deprecated: "sagemaker:OutputKmsKey", Actions: sm(
			"CreateAutoMLJob", "CreateAutoMLJobV2", "CreateDataQualityJobDefinition",
			"CreateHyperParameterTuningJob", "CreateJob", "CreateLabelingJob", "CreateModelBiasJobDefinition",
			"CreateModelExplainabilityJobDefinition", "CreateModelQualityJobDefinition",
			"CreateMonitoringSchedule", "CreateProcessingJob", "CreateTrainingJob", "CreateTransformJob",
			"UpdateMonitoringSchedule")},
		{Name: "sagemaker:DomainSharingOutputKmsKeyArn", Deprecated: "sagemaker:DomainSharingOutputKmsKey", Actions: sm(
			"CreateDomain", "CreateUserProfile", "UpdateDomain", "UpdateUserProfile")},
		{Name: "sagemaker:FeatureGroupOnlineStoreKmsKeyArn", Deprecated: "sagemaker:FeatureGroupOnlineStoreKmsKey",
			Actions: sm("CreateFeatureGroup")},
		{Name: "sagemaker:FeatureGroupOfflineStoreKmsKeyArn", Deprecated: "sagemaker:FeatureGroupOfflineStoreKmsKey",
			Actions: sm("CreateFeatureGroup")},
		// sagemaker:HomeEfsFileSystemKmsKey (formerly CreateDomain) was
		// replaced by VolumeKmsKeyArn and has no current name; not used.
		{Name: "sagemaker:InstanceTypes", MultiValued: true, Actions: sm(
			"CreateApp", "CreateCluster", "CreateDataQualityJobDefinition", "CreateDomain", "CreateEndpointConfig",
			"CreateHyperParameterTuningJob", "CreateModelBiasJobDefinition", "CreateModelExplainabilityJobDefinition",
			"CreateModelQualityJobDefinition", "CreateMonitoringSchedule", "CreateNotebookInstance",
			"CreateProcessingJob", "CreateSpace", "CreateTrainingJob", "CreateTransformJob", "CreateUserProfile",
			"UpdateCluster", "UpdateDomain", "UpdateMonitoringSchedule", "UpdateNotebookInstance", "UpdateSpace",
			"UpdateTrainingJob", "UpdateUserProfile")},
	}
}

// ActionsWithoutKMSConditionKey are the create and update actions that set a
// KMS key but whose request carries no KMS condition key (reference §2a), so
// nothing can enforce a CMK on them preventively, and a Null-deny on them
// would deny every request. CreateAlgorithm is not in §2a's list but is in
// no KMS key's action list either.
func ActionsWithoutKMSConditionKey() []string {
	return sm("CreateCluster", "UpdateCluster", "CreateCompilationJob", "CreateEdgePackagingJob",
		"CreateOptimizationJob", "CreateInferenceRecommendationsJob", "CreateInferenceExperiment",
		"CreateModelCard", "CreateModelPackage", "CreateFlowDefinition", "CreatePartnerApp", "CreateDeviceFleet",
		"CreateEndpoint", "UpdateEndpoint", "UpdateNotebookInstance", "CreatePipeline", "CreateSpace",
		"CreateAlgorithm")
}

// ActionSupportsConditionKey reports whether SAR lists key (current or
// deprecated name) for action. Global condition keys (aws:*) apply to
// every action.
func ActionSupportsConditionKey(action, key string) bool {
	if strings.HasPrefix(key, "aws:") {
		return true
	}
	for _, ck := range IAMConditionKeys() {
		if key != ck.Name && key != ck.Deprecated {
			continue
		}
		for _, a := range ck.Actions {
			if a == action {
				return true
			}
		}
	}
	return false
}

func sm(actions ...string) []string {
	out := make([]string, len(actions))
	for i, a := range actions {
		out[i] = "sagemaker:" + a
	}
	return out
}
