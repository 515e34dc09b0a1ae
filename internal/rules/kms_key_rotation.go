package rules

import (
	"fmt"

	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/keys"
)

// KeyRotation checks automatic rotation of customer-managed keys.
func KeyRotation() Rule {
	rule := Rule{
		ID: "kms-key.rotation", Kind: KeyKind,
		Title:    "Customer-managed KMS key has automatic rotation enabled",
		Severity: finding.Medium,
		Rationale: "HIPAA, PCI-DSS and SOC 2 controls expect key material to be rotated; automatic rotation " +
			"does it without re-encrypting or recreating SageMaker resources.",
		Remediation: "Enable automatic rotation: aws kms enable-key-rotation --key-id <key ARN> " +
			"(optionally --rotation-period-in-days). Imported key material must be rotated manually.",
		Examples: []Example{
			keyExample("rotation enabled", finding.Pass, keys.Key{State: keys.StateEnabled, Rotation: keys.Rotation{Enabled: true, PeriodDays: 365}}),
			keyExample("rotation disabled", finding.Fail, keys.Key{State: keys.StateEnabled}),
		},
	}
	meta := rule
	rule.CheckKey = func(_ *Context, u KeyUse) finding.Finding {
		f := meta.keyFinding(u)
		if f, done := unknownKey(f, u.Key); done {
			return f
		}
		rot := u.Key.Rotation
		switch {
		case rot.NotApplicable != "":
			f.Status, f.Message = finding.NotApplicable, rot.NotApplicable
		case rot.Error != "":
			f.Status, f.Message = finding.Error, "rotation status could not be read: "+rot.Error
		case rot.Enabled:
			f.Status, f.Message = finding.Pass, "automatic rotation enabled"
			if rot.PeriodDays > 0 {
				f.Message += fmt.Sprintf(" (every %d days)", rot.PeriodDays)
			}
		default:
			f.Status, f.Message = finding.Fail, "automatic rotation is disabled"
		}
		return f
	}
	return rule
}
