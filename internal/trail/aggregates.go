package trail

import (
	"time"
)

// MaxSamples is how many sample event IDs a group keeps, so a reader can
// find the raw events in CloudTrail without sagekey storing them.
const MaxSamples = 3

// Aggregates is everything sagekey keeps from a trail: counts per day and
// group, creators, key lifecycle events. It is the same whichever reader
// produced it (S3, LookupEvents, files or Athena).
type Aggregates struct {
	Denials   []Denial       `json:"kms_access_denials"`
	Blocked   []Blocked      `json:"violations_blocked"`
	Creators  []Creator      `json:"creators"`
	KeyEvents []KeyEvent     `json:"key_events"`
	Requests  []RequestCount `json:"kms_requests"`
	// Events is how many records were read, Matched how many of them were
	// of interest (counted in one of the lists above).
	Events  int64 `json:"events"`
	Matched int64 `json:"matched"`
	// Problems are records that could not be used.
	Problems []Problem `json:"problems,omitempty"`
}

// Relations between a principal refused a key and that key's policy.
const (
	// PolicyNamed: an Allow statement of the key policy names the
	// principal (its role, user or "*").
	PolicyNamed = "named"
	// PolicyDelegated: the policy delegates to the principal's account
	// root, so the principal's own IAM policies decide.
	PolicyDelegated = "delegated"
	// PolicyUnnamed: the policy names neither the principal nor its
	// account: an unauthorized attempt.
	PolicyUnnamed = "unnamed"
	// PolicyUnknown: the key policy was not read (no stored scan has it),
	// or the caller is no IAM identity it could name (an AWS service).
	PolicyUnknown = "unknown"
)

// Ways a KMS call reached the key.
const (
	ViaDirect    = "direct"
	ViaSageMaker = "sagemaker"
)

// Denial counts KMS requests refused on one key, per day and group.
type Denial struct {
	Day     time.Time `json:"day"`
	Account string    `json:"account"`
	Region  string    `json:"region"`
	// KeyARN is the key refused, or the reference the request named when
	// the key is not one sagekey has resolved.
	KeyARN string `json:"key_arn"`
	// Principal is the caller: the role behind an assumed-role session,
	// the user, or the service.
	Principal string `json:"principal"`
	// Operation is "kms:Decrypt" and so on.
	Operation string `json:"operation"`
	Via       string `json:"via"`
	ErrorCode string `json:"error_code"`
	// Policy is the principal's relation to the key policy (Policy*).
	Policy  string   `json:"policy"`
	Count   int64    `json:"count"`
	Samples []string `json:"sample_event_ids"`
}

// Policy types that can refuse a request explicitly, as the access denied
// message names them ("with an explicit deny in a service control policy",
// "... in a permissions boundary"; see
// https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html).
// PolicyOther is a message that names no type (older messages end at "with
// an explicit deny") or one sagekey does not know.
const (
	PolicySCP         = "scp"
	PolicyIdentity    = "identity"
	PolicyRCP         = "rcp"
	PolicyBoundary    = "permissions-boundary"
	PolicySession     = "session"
	PolicyResource    = "resource-based"
	PolicyVPCEndpoint = "vpc-endpoint"
	PolicyOther       = "unknown"
)

// Guardrail attribution of a blocked request.
const (
	GuardrailYes     = "guardrail"
	GuardrailNo      = "other"
	GuardrailUnknown = "unattributed"
)

// Blocked counts SageMaker create or update requests an explicit deny
// refused, per day and group.
type Blocked struct {
	Day     time.Time `json:"day"`
	Account string    `json:"account"`
	Region  string    `json:"region"`
	// Action is "sagemaker:CreateNotebookInstance".
	Action string `json:"action"`
	// PolicyType is the kind of policy that denied (PolicySCP ... PolicyOther).
	PolicyType string `json:"policy_type"`
	// PolicyARN is the policy the error message names, when it names one.
	PolicyARN string `json:"policy_arn"`
	// Guardrail says whether the denying policy is one of sagekey's
	// guardrails (guardrail), another policy (other), or cannot be told
	// (unattributed: the message names no policy, or no guardrail policy
	// was given with --guardrail-policy).
	Guardrail string   `json:"guardrail"`
	Principal string   `json:"principal"`
	Count     int64    `json:"count"`
	Samples   []string `json:"sample_event_ids"`
}

// Creator is the create event of one SageMaker resource.
type Creator struct {
	ResourceARN string    `json:"resource_arn"`
	Account     string    `json:"account"`
	Region      string    `json:"region"`
	Action      string    `json:"action"`
	EventID     string    `json:"event_id"`
	Time        time.Time `json:"time"`
	// Principal is the session issuer for an assumed role, else the
	// caller's ARN; Identity is the caller's own ARN (the session).
	Principal string `json:"principal"`
	Identity  string `json:"identity"`
	SourceIP  string `json:"source_ip"`
	UserAgent string `json:"user_agent"`
	// Tool is what made the call, read from the user agent (Tool*).
	Tool string `json:"tool"`
}

// KeyEvent is one change to the life of a key that protects SageMaker
// data: disabled, scheduled for deletion, policy replaced, and so on.
type KeyEvent struct {
	EventID   string    `json:"event_id"`
	Time      time.Time `json:"time"`
	Account   string    `json:"account"`
	Region    string    `json:"region"`
	KeyARN    string    `json:"key_arn"`
	Action    string    `json:"action"`
	Principal string    `json:"principal"`
	Identity  string    `json:"identity"`
	SourceIP  string    `json:"source_ip"`
	UserAgent string    `json:"user_agent"`
	Tool      string    `json:"tool"`
	// Detail is what the request asked for, when it matters: the
	// deletion's pending window ("pending window 7 days", or "(default)"
	// when the request named none), the alias name, and for UpdateAlias
	// the key it now points to ("alias/x -> <key>").
	Detail string `json:"detail"`
}

// MakesDataUnreadable reports whether the event leaves the key unusable,
// so that the resources it protects lose their data until it is undone:
// a disabled key, a key pending deletion, key material deleted.
func (e KeyEvent) MakesDataUnreadable() bool {
	switch e.Action {
	case "kms:DisableKey", "kms:ScheduleKeyDeletion", "kms:DeleteImportedKeyMaterial":
		return true
	}
	return false
}

// RequestCount counts the KMS requests SageMaker made on one key per day
// and operation: the traffic behind the key's request charges.
type RequestCount struct {
	Day       time.Time `json:"day"`
	Account   string    `json:"account"`
	Region    string    `json:"region"`
	KeyARN    string    `json:"key_arn"`
	Operation string    `json:"operation"`
	Count     int64     `json:"count"`
}
