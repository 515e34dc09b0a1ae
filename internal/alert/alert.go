package alert

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/sagekey/sagekey/internal/finding"
)

// Schema names the document version. Within v1 fields are only ever added.
const Schema = "sagekey.alert/v1"

// Kind is what changed. Alerts fire on transitions, never on every scan.
type Kind string

// The kinds of alert.
const (
	ViolationOpened   Kind = "violation_opened"    // a finding at or above the alert severity failed for the first time
	ViolationReopened Kind = "violation_reopened"  // a resolved finding failed again
	KeyStateChanged   Kind = "key_state_changed"   // a key became Disabled or PendingDeletion
	ComplianceDropped Kind = "compliance_dropped"  // percent compliant fell below the threshold
	ScanFailed        Kind = "scan_failed"         // a scheduled scan did not complete
	NewGaps           Kind = "new_gaps"            // a scan could not read something the previous one could
	KMSDenialSpike    Kind = "kms_denial_spike"    // CloudTrail shows unusually many KMS access denials
	KeyLifecycleEvent Kind = "key_lifecycle_event" // CloudTrail shows a key disabled, scheduled for deletion, ...
)

// Kinds lists every kind, in documentation order.
func Kinds() []Kind {
	return []Kind{ViolationOpened, ViolationReopened, KeyStateChanged, ComplianceDropped,
		ScanFailed, NewGaps, KMSDenialSpike, KeyLifecycleEvent}
}

// Valid reports whether k is one of Kinds.
func (k Kind) Valid() bool {
	for _, v := range Kinds() {
		if k == v {
			return true
		}
	}
	return false
}

// Alert is one `sagekey.alert/v1` document. Every field is documented in
// docs/alert.md; the JSON tags are the contract.
type Alert struct {
	Schema   string           `json:"schema"`
	ID       string           `json:"id"`
	Kind     Kind             `json:"kind"`
	Severity finding.Severity `json:"severity"`
	Time     time.Time        `json:"time"`
	RunID    string           `json:"run_id"`
	Account  string           `json:"account"`
	Region   string           `json:"region"`
	// Resource is set when the alert is about one SageMaker resource, Key
	// when it is about one KMS key; at most one of them is non-nil.
	Resource    *Resource         `json:"resource"`
	Key         *Key              `json:"key"`
	CheckID     string            `json:"check_id"`
	Title       string            `json:"title"`
	Message     string            `json:"message"`
	Remediation string            `json:"remediation"`
	Links       []Link            `json:"links"`
	Details     map[string]string `json:"details"`
}

// Resource names a SageMaker resource.
type Resource struct {
	ARN  string `json:"arn"`
	Kind string `json:"kind"`
	Name string `json:"name"`
}

// Key is a KMS key and what depends on it.
type Key struct {
	ARN         string      `json:"arn"`
	State       string      `json:"state"`
	BlastRadius BlastRadius `json:"blast_radius"`
}

// BlastRadius counts the resources a key protects and lists the first few,
// so one key protecting thousands of resources still makes a small alert.
type BlastRadius struct {
	Count     int        `json:"count"`
	Resources []Resource `json:"resources"`
}

// MaxBlastResources is how many resources NewBlastRadius lists.
const MaxBlastResources = 20

// NewBlastRadius counts all of rs and keeps the first MaxBlastResources.
func NewBlastRadius(rs []Resource) BlastRadius {
	n := min(len(rs), MaxBlastResources)
	return BlastRadius{Count: len(rs), Resources: append([]Resource{}, rs[:n]...)}
}

// Link points to more information (a check's page, the dashboard).
type Link struct {
	Title string `json:"title"`
	URL   string `json:"url"`
}

// Keys of Alert.Details, as docs/alert.md lists them. Values are strings so
// that a new detail never changes a type.
const (
	DetailFingerprint              = "fingerprint"
	DetailOwner                    = "owner"
	DetailPercentCompliant         = "percent_compliant"
	DetailPreviousPercentCompliant = "previous_percent_compliant"
	DetailThreshold                = "threshold"
	DetailError                    = "error"
	DetailGaps                     = "gaps"
	DetailDenials                  = "denials"
	DetailBaseline                 = "baseline"
	DetailEvent                    = "event"
	DetailPrincipal                = "principal"
)

// NewID is the idempotency key of an alert: the same kind, subject (a
// resource or key ARN, a finding fingerprint, an account and region) and
// transition (the run id or the time the change was seen) always give the
// same id, so an alert re-created after a crash is recognised as a
// duplicate. The parts are length-prefixed so that no two different
// triples can collide by concatenation.
func NewID(kind Kind, subject, transition string) string {
	h := sha256.New()
	for _, p := range []string{string(kind), subject, transition} {
		fmt.Fprintf(h, "%d:%s;", len(p), p)
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// New starts an alert with its schema, id, kind and time set; the caller
// fills in the rest.
func New(kind Kind, subject, transition string, at time.Time) Alert {
	return Alert{Schema: Schema, ID: NewID(kind, subject, transition), Kind: kind, Time: at}
}

// Validate reports what makes a an alert no receiver should get. Sending an
// invalid alert fails permanently: retrying would not fix it.
func (a Alert) Validate() error {
	var errs []error
	if a.Schema != Schema {
		errs = append(errs, fmt.Errorf("schema is %q, want %q", a.Schema, Schema))
	}
	if a.ID == "" {
		errs = append(errs, errors.New("id is empty"))
	}
	if !a.Kind.Valid() {
		errs = append(errs, fmt.Errorf("unknown kind %q", a.Kind))
	}
	if a.Severity < finding.Info || a.Severity > finding.Critical {
		errs = append(errs, fmt.Errorf("invalid severity %d", int(a.Severity)))
	}
	if a.Time.IsZero() {
		errs = append(errs, errors.New("time is zero"))
	}
	if a.Resource != nil && a.Key != nil {
		errs = append(errs, errors.New("both resource and key are set"))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("invalid alert: %w", err)
	}
	return nil
}

// JSON is the document every sink sends: times in UTC at second precision
// and lists and maps never null, so receivers need no special cases.
func (a Alert) JSON() ([]byte, error) {
	a.Time = a.Time.UTC().Truncate(time.Second)
	if a.Links == nil {
		a.Links = []Link{}
	}
	if a.Details == nil {
		a.Details = map[string]string{}
	}
	if a.Key != nil && a.Key.BlastRadius.Resources == nil {
		k := *a.Key
		k.BlastRadius.Resources = []Resource{}
		a.Key = &k
	}
	return json.Marshal(a)
}
