// Package inventory is the SDK-free model of what a scan found: SageMaker
// resources, the places on each that take a KMS key (slots), and the gaps
// where a source could not look. Every source (the live AWS collectors today,
// IaC adapters later) fills this one model, and evaluation reads only it, so
// rules never depend on where the facts came from.
package inventory

import "time"

// SchemaVersion versions the serialised inventory so stored snapshots can be
// re-read safely by later releases.
const SchemaVersion = 1

// Inventory is everything one scan collected.
type Inventory struct {
	SchemaVersion int        `json:"schema_version"`
	Resources     []Resource `json:"resources"`
	Gaps          []Gap      `json:"gaps"`
	// IAM holds, per account, the execution roles of the resources and
	// their policies; filled only when a key-access check is selected.
	IAM []AccountIAM `json:"iam,omitempty"`
}

// Resource is one SageMaker resource as a source saw it.
type Resource struct {
	Kind    string            `json:"kind"` // catalog kind id, e.g. "notebook-instance"
	ARN     string            `json:"arn"`
	Name    string            `json:"name"`
	Account string            `json:"account"`
	Region  string            `json:"region"`
	Tags    map[string]string `json:"tags,omitempty"`
	// TagsError is why the tags could not be read. Tag checks report ERROR
	// instead of a false FAIL when it is set.
	TagsError string    `json:"tags_error,omitempty"`
	CreatedAt time.Time `json:"created_at,omitzero"`
	// Source is the provenance of the facts: the API call for live scans,
	// file:line for IaC.
	Source string `json:"source"`
	Slots  []Slot `json:"slots"`
	// Attributes are facts a remediation plan names, keyed by the
	// Attr* constants (for an endpoint, the config it serves from).
	Attributes map[string]string `json:"attributes,omitempty"`
	// ExecutionRoles are the IAM role ARNs the resource's workload runs as
	// (the catalog's Kind.RoleField), sorted and distinct; for endpoints and
	// their configs, the execution roles of the models they serve.
	ExecutionRoles []string `json:"execution_roles,omitempty"`
	// RolesUnknown is why the execution roles could not be read (a model
	// that could not be described). Key-access verdicts are ERROR with it.
	RolesUnknown string `json:"roles_unknown,omitempty"`
}

// Attribute keys.
const (
	// AttrEndpointConfig is the endpoint config an endpoint serves from.
	AttrEndpointConfig = "endpoint_config"
)

// Slot is one place on a resource that takes a KMS key, with the facts that
// decide whether a key is possible there. Sources record facts only; the
// evaluation decides what they mean.
type Slot struct {
	// Type is the catalog slot id ("volume", "output", "root-volume", ...).
	Type string `json:"type"`
	// Name is unique within the resource, e.g. "root-volume:controller".
	Name string `json:"name"`
	// Label is the human wording used in messages, e.g.
	// "instance group controller: secondary EBS volume".
	Label string `json:"label"`
	// KeyRef is the key as configured (ID, ARN, alias or alias ARN); empty
	// when none is configured.
	KeyRef string `json:"key_ref,omitempty"`
	// InstanceTypes are the instance types whose storage this slot encrypts;
	// all of them having local NVMe storage makes a volume slot inapplicable.
	InstanceTypes []string `json:"instance_types,omitempty"`
	// Serverless marks a serverless hosting variant: there is no ML volume.
	Serverless bool `json:"serverless,omitempty"`
	// OutputURI is the S3 location an output slot encrypts; S3 Express One
	// Zone buckets cannot use KMS.
	OutputURI string `json:"output_uri,omitempty"`
	// Unsupported is the source's statement that this placement cannot take a
	// customer-managed key (e.g. a restricted HyperPod instance group).
	Unsupported string `json:"unsupported,omitempty"`
	// Unknown is why the key of this slot could not be read (a deleted
	// endpoint config, access denied). It makes the verdict ERROR, never PASS.
	Unknown string `json:"unknown,omitempty"`
	// Role is the execution role that uses this slot's key when it differs
	// from slot to slot (a HyperPod instance group, a pipeline step); empty
	// means every one of the resource's ExecutionRoles.
	Role string `json:"role,omitempty"`
}

// Gap is a part of the estate the scan could not look at. Gaps are part of
// the result: they make the scan incomplete and are reported, never dropped.
type Gap struct {
	Account string `json:"account"`
	Region  string `json:"region"`
	Service string `json:"service"` // e.g. "sagemaker:ListNotebookInstances"
	Reason  string `json:"reason"`
}

// UnreadableSlot stands for every slot of a resource whose configuration
// could not be read at all (for example Describe was denied). It carries the
// reason so the verdict is ERROR with that reason.
func UnreadableSlot(reason string) Slot {
	return Slot{Type: "", Name: "configuration", Label: "key configuration", Unknown: reason}
}
