// Package history is the pure model of findings across scans: what one scan
// observed (Observation), what a scan could see (Scope), and how a finding's
// life advances from one scan to the next (Advance): first and last seen,
// violations opened, resolved (the check passed, the finding was muted or
// the resource was deleted) and reopened. The store persists these values
// and the KPIs are computed from them; neither decides what a scan means.
package history

import (
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/sagekey/sagekey/internal/finding"
)

// Subject is what a finding is about: one check on one resource (and slot,
// for checks that judge slots separately).
type Subject struct {
	CheckID     string `json:"check_id"`
	ResourceARN string `json:"resource_arn"`
	Slot        string `json:"slot,omitempty"`
	Kind        string `json:"kind"`
	Account     string `json:"account"`
	Region      string `json:"region"`
	// ResourceCreated is when the resource was created, if known; it decides
	// whether a job falls inside a --since window.
	ResourceCreated time.Time `json:"resource_created,omitzero"`
}

// Fingerprint identifies the subject across scans: check id, resource ARN
// and slot. Names, messages and severities may change; the fingerprint
// does not.
func (s Subject) Fingerprint() string {
	h := sha256.New()
	for _, part := range []string{s.CheckID, s.ResourceARN, s.Slot} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// Observation is one finding as one scan saw it.
type Observation struct {
	Subject
	Status   finding.Status    `json:"status"`
	Severity finding.Severity  `json:"severity"`
	Message  string            `json:"message"`
	Tags     map[string]string `json:"tags,omitempty"`
	// Owner is the value of the owner tag (the settings' owner_tag) on the
	// resource or key, "" when untagged: the dashboard filters by it.
	// Neither it nor Detail is part of the observation's JSON; the store
	// keeps both with the finding's current state only.
	Owner string `json:"-"`
	// Detail is what a finding's page shows beyond the subject; nil when
	// the observation was not made from a finding.
	Detail *Detail `json:"-"`
}

// Detail is what a page about one finding needs that the subject does not
// say: the resource's name, each slot's verdict, the fix, the blast radius
// of a key and why a finding is muted. The store keeps it with the
// finding's current state, so the page reads one row instead of
// decompressing the scan's whole snapshot.
type Detail struct {
	Name        string               `json:"name,omitempty"`
	Slots       []finding.Slot       `json:"slots,omitempty"`
	Remediation string               `json:"remediation,omitempty"`
	Protects    []finding.Resource   `json:"protects,omitempty"`
	Suppression *finding.Suppression `json:"suppression,omitempty"`
}

// Observe turns a scan's findings into observations. created maps resource
// ARNs to creation times (from the inventory).
func Observe(findings []finding.Finding, created map[string]time.Time) []Observation {
	out := make([]Observation, 0, len(findings))
	for i := range findings {
		out = append(out, ObserveOne(&findings[i], created[findings[i].Resource.ARN]))
	}
	return out
}

// ObserveOne turns one finding into its observation; created is when its
// resource was created (zero when unknown).
func ObserveOne(f *finding.Finding, created time.Time) Observation {
	return Observation{
		Subject: Subject{
			CheckID: f.CheckID, ResourceARN: f.Resource.ARN, Kind: f.Resource.Kind,
			Account: f.Resource.Account, Region: f.Resource.Region,
			ResourceCreated: created,
		},
		Status: f.Status, Severity: f.Severity, Message: f.Message, Tags: f.Resource.Tags,
		Detail: &Detail{Name: f.Resource.Name, Slots: f.Slots, Remediation: f.Remediation,
			Protects: f.Protects, Suppression: f.Suppression},
	}
}
