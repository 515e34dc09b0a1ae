// Package trail turns AWS CloudTrail records into the facts a scan cannot
// see: KMS access denials on keys that protect SageMaker data, SageMaker
// create calls that a guardrail (an SCP or an identity-based deny) refused,
// who created each resource and with what tool, who changed a key's life
// (disabled it, scheduled its deletion), and how many KMS requests SageMaker
// made per key.
//
// It is SDK-free and pure: readers (S3 objects, LookupEvents pages, local
// files, Athena result rows) hand it Events, an Aggregator folds them into
// Aggregates, and the store keeps the Aggregates with the accounts, regions
// and days they cover. Raw events are never kept.
package trail

import (
	"encoding/json"
	"time"
)

// Schema is the version of the trail JSON contract documented in docs/.
const Schema = "sagekey.trail/v1"

// Event is the part of a CloudTrail record sagekey reads. Field names are
// CloudTrail's (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html).
type Event struct {
	EventVersion       string       `json:"eventVersion"`
	EventID            string       `json:"eventID"`
	EventTime          time.Time    `json:"eventTime"`
	EventSource        string       `json:"eventSource"`
	EventName          string       `json:"eventName"`
	AWSRegion          string       `json:"awsRegion"`
	SourceIPAddress    string       `json:"sourceIPAddress"`
	UserAgent          string       `json:"userAgent"`
	ErrorCode          string       `json:"errorCode"`
	ErrorMessage       string       `json:"errorMessage"`
	RecipientAccountID string       `json:"recipientAccountId"`
	UserIdentity       UserIdentity `json:"userIdentity"`
	// SharedEventID is set on a call that crossed accounts: CloudTrail
	// delivers one copy to each account, with the same SharedEventID.
	SharedEventID     string          `json:"sharedEventID"`
	RequestParameters json.RawMessage `json:"requestParameters"`
	ResponseElements  json.RawMessage `json:"responseElements"`
	Resources         []EventResource `json:"resources"`

	// Weight is how many identical events this one stands for: 0 or 1 for
	// a record read from a log, the group's count for a row Athena already
	// aggregated. Samples are that group's sample event IDs.
	Weight  int64    `json:"-"`
	Samples []string `json:"-"`
}

// UserIdentity is who made a call.
type UserIdentity struct {
	Type           string         `json:"type"`
	PrincipalID    string         `json:"principalId"`
	ARN            string         `json:"arn"`
	AccountID      string         `json:"accountId"`
	InvokedBy      string         `json:"invokedBy"`
	SessionContext SessionContext `json:"sessionContext"`
}

// SessionContext carries the role behind an assumed-role session.
type SessionContext struct {
	SessionIssuer SessionIssuer `json:"sessionIssuer"`
}

// SessionIssuer is the role (or user) a temporary session came from.
type SessionIssuer struct {
	Type string `json:"type"`
	ARN  string `json:"arn"`
}

// EventResource is one entry of a record's resources list.
type EventResource struct {
	ARN       string `json:"ARN"`
	AccountID string `json:"accountId"`
	Type      string `json:"type"`
}

// Event sources sagekey reads; everything else is noise.
const (
	SourceKMS       = "kms.amazonaws.com"
	SourceSageMaker = "sagemaker.amazonaws.com"
)

// Unit is one piece of trail read as a whole, and marked read in the same
// transaction as its aggregates: an S3 object, a local file, or one day of
// one account and region from LookupEvents or Athena. A unit whose ETag is
// unchanged is never read twice; one whose ETag changed (a partial day read
// again) has its aggregates replaced.
type Unit struct {
	// Source names where the trail came from: "s3://bucket/prefix",
	// "lookup-events", "athena:<workgroup>/<database>.<table>", or
	// "file:<dir>".
	Source string `json:"source"`
	// Key identifies the unit within its source (object key, file path,
	// "<account>/<region>/<day>").
	Key  string `json:"key"`
	ETag string `json:"etag"`
	// Account, Region and Day are the partition the unit belongs to, when
	// known (S3 keys and day units carry them; a loose file does not).
	Account string    `json:"account,omitempty"`
	Region  string    `json:"region,omitempty"`
	Day     time.Time `json:"day,omitzero"`
	Size    int64     `json:"size,omitempty"`
}

// UnitResult is what reading one unit produced.
type UnitResult struct {
	Unit Unit
	// Aggregates are this unit's own; the store keeps them per unit so a
	// unit read again replaces, never adds to, what it gave before.
	Aggregates *Aggregates
	// Err is why the unit could not be read as a whole (corrupt gzip, not
	// JSON, access denied). Such a unit contributes nothing and is not
	// marked read, so the next run tries it again.
	Err error
}

// Coverage says that the trail of one account and region was read for one
// UTC day from one source. A KPI counts only covered days, so a day nobody
// read is unknown, never zero.
type Coverage struct {
	Source  string    `json:"source"`
	Account string    `json:"account"`
	Region  string    `json:"region"`
	Day     time.Time `json:"day"`
}

// Problem is one part of the input that could not be used.
type Problem struct {
	// Unit is the object key or file the problem is in.
	Unit string `json:"unit"`
	// Kind is "unreadable" (the whole unit), "bad-record", "oversized" or
	// "unknown-version".
	Kind   string `json:"kind"`
	Reason string `json:"reason"`
	Count  int64  `json:"count"`
}

// Problem kinds.
const (
	ProblemUnreadable     = "unreadable"
	ProblemBadRecord      = "bad-record"
	ProblemOversized      = "oversized"
	ProblemUnknownVersion = "unknown-version"
)

// Filter selects stored aggregates.
type Filter struct {
	From, To time.Time
	// Accounts and Regions limit the result; empty means all.
	Accounts, Regions []string
}

// Day returns the UTC day t falls in.
func Day(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
