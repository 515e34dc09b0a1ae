package remediate

import (
	"cmp"
	"slices"

	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/inventory"
	"github.com/sagekey/sagekey/internal/keys"
)

// Input is what a plan is built from; nothing else is read.
type Input struct {
	// Findings come from a fresh scan or are re-evaluated from a stored run.
	Findings []finding.Finding
	// Inventory gives the facts a finding does not carry: slot types,
	// instance types, output URIs, an endpoint's config.
	Inventory inventory.Inventory
	// Keys are the resolved keys (state, manager, rotation, policy, ...).
	Keys []keys.Key
	// Trail is what CloudTrail says about the estate, when it was read:
	// items name whom to ask, key plans who disabled or scheduled a key.
	Trail Trail
}

// Options steer the plan.
type Options struct {
	// TargetKeys maps region -> customer-managed key ARN to put on resources
	// in that region (see ParseTargetKeys). A region without a key gets a
	// variable the user must set (KMS_KEY_ARN_US_EAST_1).
	TargetKeys map[string]string
	// KeyAdmins and KeyUsers, when given, replace the principals read from
	// the current key policy in a proposed least-privilege policy.
	KeyAdmins, KeyUsers []string
}

// Plan is the ordered remediation of one set of findings.
type Plan struct {
	// Variables are the values the commands read from the environment:
	// target key ARNs per region (set from --key, or to be filled in) and
	// the backup location of notebooks.
	Variables []Variable `json:"variables"`
	// Items are the fixes, one per FAIL finding, most urgent first.
	Items []Item `json:"items"`
	// VerifyFirst are ERROR findings: sagekey could not verify them, so no
	// fix is proposed until someone looks.
	VerifyFirst []Unverified `json:"verify_first"`
}

// Variable is one environment variable the commands use.
type Variable struct {
	Name        string `json:"name"`
	Region      string `json:"region,omitempty"`
	Value       string `json:"value,omitempty"` // empty: the user must set it
	Description string `json:"description"`
}

// Item is the fix of one finding.
type Item struct {
	Number int `json:"number"` // 1-based position in the plan
	// Priority orders the plan; it is the finding's severity, raised to
	// critical where waiting loses data (a key pending deletion).
	Priority      finding.Severity `json:"priority"`
	Finding       Subject          `json:"finding"`
	Strategy      string           `json:"strategy"`
	Summary       string           `json:"summary"`
	Automatable   bool             `json:"automatable"` // sagekey remediate --apply can do it
	Preconditions []string         `json:"preconditions"`
	Steps         []Step           `json:"steps"`
	Warnings      []string         `json:"warnings"`
	// PolicyDiff is the proposed policy change as a unified diff against
	// the policies the scan read: the key policy (kms-key.policy,
	// kms-key.least-privilege, key-access), or a role's inline policy
	// (key-access through IAM); one file per policy.
	PolicyDiff string `json:"policy_diff,omitempty"`
	// CreatedBy is who created the resource, when CloudTrail says: the
	// person to ask before recreating or changing it.
	CreatedBy *Creator `json:"created_by,omitempty"`
}

// Subject is the part of a finding a plan names.
type Subject struct {
	CheckID  string             `json:"check_id"`
	Status   finding.Status     `json:"status"`
	Severity finding.Severity   `json:"severity"`
	Message  string             `json:"message"`
	Resource finding.Resource   `json:"resource"`
	Failing  []finding.Slot     `json:"failing_slots,omitempty"`
	Protects []finding.Resource `json:"protects,omitempty"`
}

// Step is one numbered step of an item.
type Step struct {
	Title    string    `json:"title"`
	Why      string    `json:"why"`
	Commands []Command `json:"commands,omitempty"`
}

// Command languages.
const (
	LangShell  = "sh"     // bash; the shell writer runs it
	LangPython = "python" // a standalone boto3 equivalent, shown but not run by the script
)

// Command is one command or snippet. Its Text already quotes every
// AWS-derived value, so it is safe to paste.
type Command struct {
	Lang string `json:"lang"`
	Text string `json:"text"`
	// Confirm marks a destructive or deliberate command (delete, stop,
	// re-enable a key someone disabled): the script runs it only after the
	// user types "yes" to Prompt.
	Confirm bool   `json:"confirm,omitempty"`
	Prompt  string `json:"prompt,omitempty"`
	// Manual marks a command a person runs elsewhere (the notebook's
	// terminal) or adapts first (placeholders); the script prints it and
	// waits for confirmation that it was done.
	Manual bool `json:"manual,omitempty"`
}

// Unverified is an ERROR finding listed as "verify first".
type Unverified struct {
	Finding Subject `json:"finding"`
	Reason  string  `json:"reason"`
}

// Build makes the plan for in. It is pure and deterministic.
func Build(in Input, o Options) Plan {
	b := newBuilder(in, o)
	p := Plan{Items: []Item{}, VerifyFirst: []Unverified{}}
	for _, f := range in.Findings {
		switch f.Status {
		case finding.Fail:
			p.Items = append(p.Items, b.item(f))
		case finding.Error:
			p.VerifyFirst = append(p.VerifyFirst, Unverified{Finding: subject(f), Reason: f.Message})
		}
	}
	slices.SortStableFunc(p.Items, func(a, c Item) int {
		return order(a.Priority, c.Priority, a.Finding, c.Finding)
	})
	for i := range p.Items {
		p.Items[i].Number = i + 1
	}
	slices.SortStableFunc(p.VerifyFirst, func(a, c Unverified) int {
		return order(a.Finding.Severity, c.Finding.Severity, a.Finding, c.Finding)
	})
	p.Variables = b.variables()
	return p
}

// order sorts by priority (critical first), then check id, then resource ARN.
func order(pa, pc finding.Severity, a, c Subject) int {
	return cmp.Or(cmp.Compare(pc, pa), cmp.Compare(a.CheckID, c.CheckID),
		cmp.Compare(a.Resource.ARN, c.Resource.ARN))
}

// subject copies what a plan names from f; only failing slots are kept.
func subject(f finding.Finding) Subject {
	s := Subject{CheckID: f.CheckID, Status: f.Status, Severity: f.Severity, Message: f.Message,
		Resource: f.Resource, Protects: f.Protects}
	for _, sl := range f.Slots {
		if sl.Status == finding.Fail {
			s.Failing = append(s.Failing, sl)
		}
	}
	return s
}
