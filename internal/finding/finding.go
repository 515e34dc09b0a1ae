// Package finding holds the value types shared by evaluation, reports and
// (later) the store: statuses, severities and the Finding itself. It has no
// behaviour beyond ordering and parsing so every stage can depend on it.
package finding

import (
	"fmt"
	"strings"
	"time"
)

// Status is the verdict of one check on one resource.
type Status string

// Statuses. ERROR means the tool could not verify, never "probably fine".
const (
	Pass          Status = "PASS"
	Fail          Status = "FAIL"
	NotApplicable Status = "NOT_APPLICABLE"
	Muted         Status = "MUTED"
	Error         Status = "ERROR"
)

// Rank orders statuses by how much they need a reader's attention: FAIL,
// then ERROR (not verified), MUTED, PASS and NOT_APPLICABLE.
func (s Status) Rank() int {
	switch s {
	case Fail:
		return 0
	case Error:
		return 1
	case Muted:
		return 2
	case Pass:
		return 3
	}
	return 4
}

// Severity orders findings for --fail-on and for reading.
type Severity int

// Severities, lowest first so that comparisons read naturally.
const (
	Info Severity = iota
	Low
	Medium
	High
	Critical
)

var severityNames = []string{"info", "low", "medium", "high", "critical"}

func (s Severity) String() string {
	if s < Info || s > Critical {
		return fmt.Sprintf("severity(%d)", int(s))
	}
	return severityNames[s]
}

// ParseSeverity accepts the lower-case names (case-insensitive).
func ParseSeverity(name string) (Severity, error) {
	for i, n := range severityNames {
		if strings.EqualFold(name, n) {
			return Severity(i), nil
		}
	}
	return Info, fmt.Errorf("unknown severity %q (want one of %s)", name, strings.Join(severityNames, ", "))
}

// MarshalText writes the name, so JSON and YAML carry "high", not 3.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText parses the name.
func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	*s = v
	return err
}

// Resource identifies what a finding is about.
type Resource struct {
	ARN     string            `json:"arn"`
	Kind    string            `json:"kind"`
	Name    string            `json:"name"`
	Account string            `json:"account"`
	Region  string            `json:"region"`
	Tags    map[string]string `json:"tags"`
}

// Slot is the verdict on one key slot of a resource.
type Slot struct {
	Name       string `json:"name"`
	KeyRef     string `json:"key_ref"`
	KeyARN     string `json:"key_arn"`
	KeyManager string `json:"key_manager"`
	KeyState   string `json:"key_state"`
	Status     Status `json:"status"`
	Reason     string `json:"reason"`
}

// Suppression records why a finding is MUTED (or that a suppression expired).
type Suppression struct {
	Reason  string    `json:"reason"`
	Expires time.Time `json:"expires,omitzero"`
	Expired bool      `json:"expired,omitempty"`
}

// Finding is one check's verdict on one resource or key.
type Finding struct {
	CheckID     string       `json:"check_id"`
	Status      Status       `json:"status"`
	Severity    Severity     `json:"severity"`
	Message     string       `json:"message"`
	Resource    Resource     `json:"resource"`
	Slots       []Slot       `json:"slots"`
	Remediation string       `json:"remediation"`
	Protects    []Resource   `json:"protects,omitempty"` // key findings: the blast radius
	Suppression *Suppression `json:"suppression,omitempty"`
	// Access is set by key-access checks: one entry per (role, key) pair.
	Access []Access `json:"access,omitempty"`
	// Principals is set by kms-key.least-privilege: who may use the key
	// beyond the workloads it protects.
	Principals []KeyPrincipal `json:"principals,omitempty"`
	// Location is where the subject is declared in infrastructure as code;
	// nil for findings from a live scan.
	Location *Location `json:"location,omitempty"`
	// Fix is the source change that would make the finding pass, when the
	// configuration defines a suitable key.
	Fix *Fix `json:"fix,omitempty"`
}
