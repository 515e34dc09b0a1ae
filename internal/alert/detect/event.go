package detect

import (
	"time"

	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/history"
	"github.com/sagekey/sagekey/internal/inventory"
)

// Kind is what changed.
type Kind string

// Kinds of event. The strings are stable: they go into idempotency keys.
const (
	ViolationOpened   Kind = "violation-opened"
	ViolationReopened Kind = "violation-reopened"
	KeyStateChanged   Kind = "key-state-changed"
	ComplianceDropped Kind = "compliance-dropped"
	ScanFailed        Kind = "scan-failed"
	NewGaps           Kind = "new-gaps"
	// From CloudTrail (DetectTrail), not from comparing scans.
	KMSDenialSpike    Kind = "kms-denial-spike"
	KeyLifecycleEvent Kind = "key-lifecycle-event"
)

// Severities of the events that have no finding of their own. A failed
// scan means nothing is being watched, and a compliance drop is a breach
// of the policy across the estate, so both outrank a gap, which hides
// only part of it.
const (
	ScanFailedSeverity        = finding.High
	ComplianceDroppedSeverity = finding.High
	NewGapsSeverity           = finding.Medium
)

// Event is one alert-worthy change. Fields that do not apply to a kind are
// zero.
type Event struct {
	Kind     Kind
	Severity finding.Severity
	// At is when the scan that saw the change started; RunID is that
	// scan (0 for a failed scan, which is never stored).
	At    time.Time
	RunID int64
	// Account and Region locate the subject for routing; empty when the
	// event spans several (compliance, gaps in several places).
	Account string
	Region  string
	// Resource is the violating resource or the key (kinds
	// Violation*, KeyStateChanged).
	Resource finding.Resource
	CheckID  string
	// Fingerprint is the history fingerprint of a violation.
	Fingerprint string
	Message     string
	// BlastRadius is what a key that changed state protects.
	BlastRadius []finding.Resource
	// FromState and ToState are the key's KMS states (KeyStateChanged).
	FromState string
	ToState   string
	// Before and After are percent compliant (ComplianceDropped).
	Before float64
	After  float64
	// Gaps are the new gaps, one per account, region and service
	// (NewGaps).
	Gaps []inventory.Gap
	// Denials is a day's KMS access denials on the key and Baseline the
	// key's mean daily denials over the days before it (KMSDenialSpike).
	Denials  int64
	Baseline float64
	// Principal is who made the call (KeyLifecycleEvent) or who was
	// refused most often (KMSDenialSpike).
	Principal string
	// Action is the CloudTrail call ("kms:DisableKey", KeyLifecycleEvent;
	// the most refused operation, KMSDenialSpike), EventID the CloudTrail
	// event and Detail what the request asked for (trail.KeyEvent.Detail).
	Action  string
	EventID string
	Detail  string
	// Key is the idempotency key: the same kind, subject and run always
	// give the same key.
	Key string
}

// Input is what one scan says, as the store keeps it. A stored scan fills
// it from store.Run (ID, Started), store.Snapshot (Inventory.Gaps, and
// Keys for KeyStates), its findings (the scan's own, or re-evaluated as
// `sagekey report` does) and store.Episodes.
type Input struct {
	RunID int64
	At    time.Time // store.Run.Started
	// Failed is a scan that did not complete (so was not stored); Error
	// says why. A failed scan raises ScanFailed and nothing else.
	Failed bool
	Error  string
	Gaps   []inventory.Gap
	// Findings are the scan's findings; they give violations their
	// resource and message, percent compliant and keys their blast
	// radius.
	Findings []finding.Finding
	// KeyStates maps key ARN to its KMS state (keys.Key.State) for every
	// key the scan resolved. A key absent or with an empty state is
	// unknown, never "changed".
	KeyStates map[string]string
	// Episodes are violations from history; only those opened by this run
	// (OpenedRun == RunID) count, so passing store.Episodes() whole is
	// fine.
	Episodes []history.Episode
}

// Options tune what is worth an alert.
type Options struct {
	// MinSeverity is the lowest severity of a new or reopened violation
	// that raises an event (the zero value, Info, means all).
	MinSeverity finding.Severity
	// ComplianceThreshold is in percent; 0 disables the check, since no
	// percent is below it.
	ComplianceThreshold float64
}
