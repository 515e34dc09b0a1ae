// Package guardrails generates preventive and detective controls that keep
// SageMaker data encrypted with customer-managed KMS keys: SCPs and
// identity-based deny policies that refuse creates without a key (or with a
// key outside the approved list), AWS Config managed rules and an
// organization conformance pack, and a least-privilege KMS key.
//
// Every statement is derived from internal/catalog (create actions, condition
// keys, local-NVMe instance tables); this package keeps no list of actions of
// its own. What cannot be enforced preventively is listed with the detective
// control that covers it. Build is pure; the writers only write to an
// io.Writer or return file contents, and their output is deterministic.
package guardrails

import (
	"github.com/sagekey/sagekey/internal/iampolicy"
	"github.com/sagekey/sagekey/internal/keypolicy"
)

// Policy size quotas, counted on the minified document.
const (
	SCPMaxChars = 5120 // AWS Organizations service control policy
	IAMMaxChars = 6144 // IAM customer managed policy
)

// DefaultAlias is the alias of the generated key when Settings.Alias is empty.
const DefaultAlias = "alias/sagemaker-cmk"

// Settings are the organization's choices.
type Settings struct {
	// ApprovedKeys are key ARN patterns (arn:aws:kms:*:111122223333:key/*);
	// when set, creates and key updates naming any other key are denied.
	ApprovedKeys []string
	// ExemptPrincipals are break-glass role ARNs no statement applies to.
	ExemptPrincipals []string
	// KeyAdmins and KeyUsers (SageMaker execution roles) of the generated
	// key; with neither, no key is generated.
	KeyAdmins, KeyUsers []string
	Owner, CostCenter   string // key tags "owner" and "cost-center"
	Alias               string // default DefaultAlias
	Partition           string // default "aws"
}

// Policy is one generated policy document.
type Policy struct {
	Name     string             `json:"name"`
	Document iampolicy.Document `json:"document"`
}

// ConfigRule is one AWS Config managed rule to deploy.
type ConfigRule struct {
	Kind            string            `json:"kind"`
	Name            string            `json:"name"`
	Identifier      string            `json:"identifier"`
	Trigger         string            `json:"trigger"`
	InputParameters map[string]string `json:"input_parameters,omitempty"`
	Caveat          string            `json:"caveat,omitempty"`
}

// Key is the generated KMS key: its policy (with the literal account root;
// the IaC writers substitute an expression) and settings.
type Key struct {
	Alias             string             `json:"alias"`
	EnableKeyRotation bool               `json:"enable_key_rotation"`
	Tags              map[string]string  `json:"tags,omitempty"`
	Params            keypolicy.Params   `json:"-"`
	Policy            iampolicy.Document `json:"-"`
}

// Gap is a kind's key slot that the SCPs cannot (fully) enforce, and the
// detective controls that cover it.
type Gap struct {
	Kind      string   `json:"kind"`
	Slot      string   `json:"slot"`
	Reason    string   `json:"reason"`
	Detective []string `json:"detective"`
}

// Bundle is everything Build generates.
type Bundle struct {
	Settings Settings
	// Statements is the unsplit set of deny statements; SCPs and
	// IAMPolicies each hold all of them, packed against their quota.
	Statements      []iampolicy.Statement
	SCPs            []Policy
	IAMPolicies     []Policy
	ConfigRules     []ConfigRule
	ConformancePack []byte
	Key             *Key // nil when no key admins or users were given
	NotEnforceable  []Gap
	Notes           []string
}

// Build generates the bundle. It fails on invalid settings and when a single
// statement cannot fit in a policy (it never truncates).
func Build(s Settings) (*Bundle, error) {
	s, account, err := normalize(s)
	if err != nil {
		return nil, err
	}
	b := &Bundle{Settings: s, Statements: Statements(s)}
	if b.SCPs, err = pack(b.Statements, SCPMaxChars, "sagekey-sagemaker-cmk-scp"); err != nil {
		return nil, err
	}
	if b.IAMPolicies, err = pack(b.Statements, IAMMaxChars, "sagekey-sagemaker-cmk-deny"); err != nil {
		return nil, err
	}
	b.ConfigRules, b.Notes = configRules(s)
	if b.ConformancePack, err = conformancePack(b.ConfigRules); err != nil {
		return nil, err
	}
	b.Key, b.Notes = key(s, account, b.Notes)
	b.NotEnforceable = NotEnforceable(s)
	b.Notes = append(b.Notes, notes(b)...)
	return b, nil
}
