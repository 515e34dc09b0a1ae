// Package catalog describes, as data, every SageMaker resource kind sagekey
// knows and every key slot on it. It is the single source for the scan
// (which slots collectors fill), the checks and their docs, guardrails (the
// IAM condition keys), remediation (mutability) and IaC mapping (Terraform
// and CloudFormation names). A fact written in two places drifts; write it
// here once.
package catalog

import (
	"fmt"
	"sort"
)

// Kind is one SageMaker resource kind.
type Kind struct {
	ID           string // "notebook-instance"; also the check-id prefix
	Title        string // "Notebook instance"
	ResourceType string // CloudFormation-style type, e.g. AWS::SageMaker::NotebookInstance
	ListAPI      string
	DescribeAPI  string
	// KeysMutable says whether the key fields can be changed in place; when
	// false, fixing a finding means recreating or cutting over.
	KeysMutable bool
	// JobHistory marks a job kind: its records are immutable and accumulate
	// for ever (SageMaker cannot delete a training job), so a scan may limit
	// them to a --since window, and a record outside the window is out of
	// scope, not deleted.
	JobHistory bool
	// Immutable marks a record that never changes once created (every job
	// kind, endpoint configs, monitoring job definitions). A scan reuses
	// the description an earlier scan stored, keyed by ARN and creation
	// time, instead of describing the record again; its tags, which can
	// change, are still read on every scan where a List call found it.
	Immutable bool
	Slots     []SlotSpec
	// CreateActions are the IAM actions that create this kind and carry its
	// slots' condition keys (reference §2a). Guardrails Null-deny exactly
	// these actions, so an action whose request carries no KMS condition key
	// (CreateEndpoint, CreateCluster, UpdateNotebookInstance) must never be
	// listed: the key would always be absent and every request denied.
	CreateActions []string
	// KeyUpdateActions are update actions whose requests may carry the
	// condition keys of the slots marked UpdateCarriesKey. They are only ever
	// pinned to approved keys: an update need not restate a key, so a
	// Null-deny would block legitimate updates.
	KeyUpdateActions []string
	// ConfigRules are the AWS Config managed rules that check this kind's
	// keys (reference §5); empty when only a scheduled sagekey scan detects
	// a missing key after the fact.
	ConfigRules []ConfigRule
	// Remediation is how a non-compliant resource of this kind is fixed,
	// respecting its mutability.
	Remediation string
	// RoleField is the Describe output field naming the IAM role the
	// workload runs as (RoleArn, DefaultUserSettings.ExecutionRole, ...),
	// "" when the kind runs as no role of the customer's. Key-access checks
	// exist only for kinds with one. Paths where the role may be are
	// separated by " | "; a path ends at its first space, after which words
	// qualify it; "→ DescribeModel.ExecutionRoleArn" follows the model names
	// a path leads to (RoleFromModels). A test walks every path through the
	// SDK's Describe output.
	RoleField string
	// RoleFromModels: the workload runs as the execution roles of the models
	// it serves (endpoints, endpoint configs, transform jobs), read with
	// DescribeModel once per model per scan.
	RoleFromModels bool

	// How the kind's records and tags may be read in pages, and why not
	// when AWS does not document a way; one table holds these facts and
	// their sources (readpaths.go, docs/tagging-and-search.md).
	//
	// TaggingType is the ResourceTypeFilters value ("sagemaker:<ARN
	// resource type>") under which tag:GetResources returns this kind's
	// tags; "" when AWS does not document that it does, and the kind's tags
	// are read with ListTags per resource. TaggingWhyNot says why it is "".
	TaggingType   string
	TaggingWhyNot string
	// SearchResource is the sagemaker:Search resource type whose records
	// carry everything the kind's Describe is read for (key fields,
	// instance types, execution role, creation time) and its tags; "" when
	// the kind is read with Describe. SearchWhyNot says why it is "".
	SearchResource string
	SearchWhyNot   string
	// SearchNote, with SearchResource, says what the collector still reads
	// besides the record, and why (endpoints: Describe while a deployment
	// may be pending; a listing of recent changes for the index's lag).
	SearchNote string
}

// SlotSpec describes one kind of key slot.
type SlotSpec struct {
	ID             string // "volume", "output", "data-capture", ...
	Title          string
	APIField       string // field path in the Describe output
	Terraform      string // attribute path, "" when Terraform has none
	CloudFormation string // property path, "" when CloudFormation has none
	// ConditionKeys are the IAM condition keys that carry this key at
	// creation (current and legacy name); empty when nothing can enforce
	// it preventively.
	ConditionKeys []string
	// OptionalAtCreate, when not empty, says why a legitimate create request
	// may omit this key. Such a slot is only pinned to approved keys
	// (ArnNotLikeIfExists), never Null-denied, which would break those
	// requests; it is listed as not enforceable preventively.
	OptionalAtCreate string
	// UpdateCarriesKey: the kind's KeyUpdateActions carry this slot's
	// condition keys (UpdateDomain carries the sharing key but not the
	// storage key, which is fixed at creation).
	UpdateCarriesKey bool
	// LocalStorage is the instance-type table whose local NVMe storage makes
	// this slot inapplicable; TableNone when instance types do not matter.
	LocalStorage Table
	// ServerlessExempt: a serverless variant has no ML volume.
	ServerlessExempt bool
	// S3Output: the slot encrypts an S3 output; S3 Express One Zone outputs
	// cannot take a KMS key.
	S3Output bool
	// EmptyMeans says what protects the data when no key is configured, so a
	// finding can tell the reader what they actually have.
	EmptyMeans string
	// Access is what the workload's execution role must be allowed to do
	// with this slot's key.
	Access KeyAccess
}

// KeyAccess is what an execution role must be allowed to do with a slot's
// key for the workload to run, per AWS documentation.
type KeyAccess struct {
	// Actions are the KMS actions the role needs, e.g. "kms:CreateGrant".
	Actions []string
	// ViaService is the service that calls KMS with the role's
	// credentials ("sagemaker", "s3"); its requests carry kms:ViaService =
	// <service>.<region>.amazonaws.com, and its kms:CreateGrant requests
	// kms:GrantIsForAWSResource = true.
	ViaService string
	// Source is the AWS documentation page the actions come from.
	Source string
	// Unconfirmed, when set, says what AWS documentation does not state, so
	// docs and findings can say the row is sagekey's reading.
	Unconfirmed string
}

// What an empty key field means, per AWS documentation (reference §3).
const (
	emptyVolume   = "no key: SageMaker uses a transient key it discards, not a key you control"
	emptyS3       = "no key: S3 uses the AWS-managed aws/s3 key, not a key you control"
	emptyNotebook = "no key: the volume uses a system-managed key, not a key you control"
	emptyHyperPod = "no key: the volume keeps the default AWS-owned key"
)

var (
	volumeConditionKeys = []string{"sagemaker:VolumeKmsKeyArn", "sagemaker:VolumeKmsKey"}
	outputConditionKeys = []string{"sagemaker:OutputKmsKeyArn", "sagemaker:OutputKmsKey"}
)

// Kinds returns every kind, sorted by id. It builds a fresh slice each call so
// no caller can mutate shared state.
func Kinds() []Kind {
	kinds := []Kind{
		notebookInstance(), endpointConfig(), endpoint(), trainingJob(), cluster(),
		processingJob(), transformJob(), hyperParameterTuningJob(), autoMLJob(), labelingJob(),
		compilationJob(), edgePackagingJob(), inferenceRecommendationsJob(), optimizationJob(),
		domain(), userProfile(), featureGroup(),
		modelCard(), modelPackage(), algorithm(),
		inferenceExperiment(), deviceFleet(), flowDefinition(), partnerApp(), pipeline(), modelCustomizationJob(),
	}
	kinds = append(kinds, monitoringKinds()...)
	for i := range kinds {
		kinds[i] = withReadPath(kinds[i])
	}
	sort.Slice(kinds, func(i, j int) bool { return kinds[i].ID < kinds[j].ID })
	return kinds
}

// Lookup returns the kind with the given id.
func Lookup(id string) (Kind, bool) {
	for _, k := range Kinds() {
		if k.ID == id {
			return k, true
		}
	}
	return Kind{}, false
}

// MustLookup is Lookup for ids that are compile-time constants of this
// program; an unknown id is a programming error.
func MustLookup(id string) Kind {
	k, ok := Lookup(id)
	if !ok {
		panic(fmt.Sprintf("catalog: unknown kind %q", id))
	}
	return k
}

// Slot returns the spec of the slot type with the given id.
func (k Kind) Slot(id string) (SlotSpec, bool) {
	for _, s := range k.Slots {
		if s.ID == id {
			return s, true
		}
	}
	return SlotSpec{}, false
}
