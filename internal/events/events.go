// Package events turns the EventBridge events CloudTrail emits for
// SageMaker and KMS calls ("AWS API Call via CloudTrail") into Targets:
// which resource or key changed, so `sagekey serve` can check it within
// seconds instead of waiting for the next scheduled scan.
//
// It is SDK-free and pure. The catalog says which kinds exist and which
// calls create, change or delete each of them (the lists the EventBridge
// rule is generated from); the table in actions.go adds how each kind's
// events name the resource. Package events/consumer reads the events from
// an SQS queue.
package events

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/sagekey/sagekey/internal/trail"
)

// KindKMSKey is Target.Kind for a KMS key event.
const KindKMSKey = "kms-key"

// DetailType is the detail-type of the events Parse reads.
const DetailType = "AWS API Call via CloudTrail"

// ErrNotRecognised is wrapped by Parse for a message that is not an event
// of a call it maps: the wrapping error says why.
var ErrNotRecognised = errors.New("not a recognised SageMaker or KMS event")

// ErrNotChecked is wrapped by Parse for a recognised event about something
// sagekey does not check (tags added to a SageMaker model, which is no
// catalog kind): the EventBridge rule cannot tell such tag calls apart, and
// there is nothing to do with them.
var ErrNotChecked = errors.New("an event about nothing sagekey checks")

// Target is what one event asks the service to check again.
type Target struct {
	// Kind is the catalog kind id ("notebook-instance"), or KindKMSKey.
	Kind    string
	Account string
	Region  string
	// Name identifies the resource the way its Describe call does (a
	// notebook instance's name, a domain's ID, a partner app's or a
	// versioned model package's ARN resource ID). A tag call names the
	// resource by ARN only, so its Name is the ARN's resource ID (for a
	// cluster, its ID rather than its name). For a KMS alias event it is
	// the alias name.
	Name string
	// Parent is the scope Name is unique in: the domain of a user profile,
	// the category of a model-customization job; "" for most kinds.
	Parent string
	// ARN is the resource's ARN when the event carries it (a create's
	// response, a call by ARN). For a KMS event it is the key: its ARN when
	// the event names it, else the reference the request used (key ID,
	// alias).
	ARN string
	// Delete marks a call that deletes the resource (or schedules a key's
	// deletion, deletes an alias): its findings resolve as deleted once
	// the service confirms it.
	Delete bool
	// Action is IAM-style: "sagemaker:CreateNotebookInstance".
	Action string
	// EventID is CloudTrail's eventID, the idempotency key.
	EventID string
	// EventIDs are every event a coalesced target stands for (Coalesce
	// fills it); nil for a target straight from Parse.
	EventIDs []string
	Time     time.Time
	// Failed marks a call that returned an error: nothing changed, so
	// there is nothing to check.
	Failed bool
}

// envelope is an EventBridge event; its detail is a CloudTrail record.
type envelope struct {
	ID         string      `json:"id"`
	DetailType string      `json:"detail-type"`
	Source     string      `json:"source"`
	Account    string      `json:"account"`
	Time       time.Time   `json:"time"`
	Region     string      `json:"region"`
	Detail     trail.Event `json:"detail"`
}

// EventBridge sources of the two services' CloudTrail events.
const (
	sourceSageMaker = "aws.sagemaker"
	sourceKMS       = "aws.kms"
)

// Parse reads one EventBridge event. A call that failed is still a
// Target, with Failed set, so a consumer can drop it knowingly. A tag call
// on a resource of no catalog kind wraps ErrNotChecked; anything else it
// cannot map wraps ErrNotRecognised.
func Parse(body []byte) (Target, error) {
	var env envelope
	if err := json.Unmarshal(body, &env); err != nil {
		return Target{}, notRecognised("not an EventBridge event: %v", err)
	}
	if env.DetailType != DetailType {
		return Target{}, notRecognised("detail-type %q", env.DetailType)
	}
	ev := &env.Detail
	if ev.EventID == "" || ev.EventName == "" {
		return Target{}, notRecognised("detail is not a CloudTrail record (no eventID or eventName)")
	}
	t := Target{
		Account: trail.AccountOf(ev), Region: ev.AWSRegion, EventID: ev.EventID,
		Time: ev.EventTime.UTC(), Failed: ev.ErrorCode != "",
	}
	if t.Account == "" {
		t.Account = env.Account
	}
	if t.Region == "" {
		t.Region = env.Region
	}
	if t.Time.IsZero() {
		t.Time = env.Time.UTC()
	}
	switch {
	case env.Source == sourceSageMaker && ev.EventSource == trail.SourceSageMaker:
		return sageMakerTarget(t, ev)
	case env.Source == sourceKMS && ev.EventSource == trail.SourceKMS:
		return kmsTarget(t, ev)
	}
	return Target{}, notRecognised("source %q with event source %q", env.Source, ev.EventSource)
}

func notRecognised(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrNotRecognised}, args...)...)
}

func notChecked(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrNotChecked}, args...)...)
}

// members decodes a request or response into its top-level members; a
// missing or malformed one has none.
func members(raw json.RawMessage) map[string]json.RawMessage {
	var m map[string]json.RawMessage
	if len(raw) > 0 {
		_ = json.Unmarshal(raw, &m) // null, or not an object: no members
	}
	return m
}

// str is member name of m as a string, "" when absent or not a string.
func str(m map[string]json.RawMessage, name string) string {
	var s string
	if raw, ok := m[name]; ok {
		_ = json.Unmarshal(raw, &s) // a non-string member names nothing
	}
	return s
}
