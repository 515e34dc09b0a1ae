package guardrails

import (
	"fmt"
	"slices"
	"strings"
)

// Names of the deployed event pieces. Fixed, so the serve role's policy, the
// forwarding rules and docs/events.md can name them without a parameter.
const (
	EventsQueueName      = "sagekey-events"
	EventsDeadLetterName = "sagekey-events-dlq"
	EventsBusName        = "sagekey-events"
)

// Queue settings. A message is received up to MaxReceiveCount times before
// it moves to the dead-letter queue: a poison event stops costing receives
// but stays for a person to read. The dead-letter queue keeps messages for
// the SQS maximum, so a long weekend does not lose them.
const (
	EventsMaxReceiveCount          = 5
	EventsRetentionSeconds         = 4 * 24 * 3600  // 4 days: serve outages shorter than this lose nothing
	EventsDeadLetterRetention      = 14 * 24 * 3600 // the SQS maximum
	EventsVisibilityTimeoutSeconds = 120            // one event's describes and key resolutions, with margin
	EventsReceiveWaitSeconds       = 20             // long polling: fewer empty receives
)

// QueueSpec is one SQS queue's settings.
type QueueSpec struct {
	Name                     string `json:"name"`
	RetentionSeconds         int    `json:"message_retention_seconds"`
	VisibilityTimeoutSeconds int    `json:"visibility_timeout_seconds,omitempty"`
	ReceiveWaitSeconds       int    `json:"receive_wait_time_seconds,omitempty"`
	MaxReceiveCount          int    `json:"max_receive_count,omitempty"` // before a message moves to the DLQ
}

// EventSettings are the choices of sagekey guardrails --events. The
// organization ID, the central bus's account and region and the queue's KMS
// key are IaC parameters, not settings: one template serves every account.
type EventSettings struct {
	// ScanActions are the read-only actions a scan may call, for the serve
	// role. The command passes checkdoc.Permissions (which imports this
	// package, so it cannot be called from here).
	ScanActions []string
	Partition   string // default "aws"
}

// Events is everything BuildEvents generates.
type Events struct {
	Settings   EventSettings
	Patterns   []EventPattern
	Queue      QueueSpec
	DeadLetter QueueSpec
	// ServeScanPolicies hold ScanActions, packed under IAMMaxChars.
	ServeScanPolicies []Policy
}

// BuildEvents generates the event-driven check infrastructure. It is pure
// and deterministic.
func BuildEvents(s EventSettings) (*Events, error) {
	if s.Partition == "" {
		s.Partition = "aws"
	}
	if !partitionPattern.MatchString(s.Partition) {
		return nil, fmt.Errorf("partition %q is not an AWS partition (aws, aws-cn, aws-us-gov)", s.Partition)
	}
	actions := slices.Clone(s.ScanActions)
	slices.Sort(actions)
	s.ScanActions = slices.Compact(actions)
	for _, a := range s.ScanActions {
		if svc, op, ok := strings.Cut(a, ":"); !ok || svc == "" || op == "" {
			return nil, fmt.Errorf("scan action %q is not service:Action", a)
		}
	}
	e := &Events{Settings: s, Patterns: EventPatterns(),
		Queue: QueueSpec{Name: EventsQueueName, RetentionSeconds: EventsRetentionSeconds,
			VisibilityTimeoutSeconds: EventsVisibilityTimeoutSeconds, ReceiveWaitSeconds: EventsReceiveWaitSeconds,
			MaxReceiveCount: EventsMaxReceiveCount},
		DeadLetter: QueueSpec{Name: EventsDeadLetterName, RetentionSeconds: EventsDeadLetterRetention},
	}
	var err error
	if len(s.ScanActions) > 0 {
		if e.ServeScanPolicies, err = pack(scanStatements(s.ScanActions), IAMMaxChars, "sagekey-serve-scan"); err != nil {
			return nil, err
		}
	}
	return e, nil
}

// EventNames returns every event name the patterns select, per event
// source, for a consumer to check what it handles against.
func EventNames() map[string][]string {
	out := map[string][]string{}
	for _, p := range EventPatterns() {
		out[p.EventSource] = append(out[p.EventSource], p.EventNames...)
	}
	return out
}

// consumeRule and forwardRule name the rules of pattern p: consume rules
// target the queue, forward rules the central bus.
func consumeRule(p EventPattern) string { return "sagekey-events-" + p.Name }
func forwardRule(p EventPattern) string { return "sagekey-forward-" + p.Name }
