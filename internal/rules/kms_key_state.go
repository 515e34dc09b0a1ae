package rules

import (
	"fmt"

	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/keys"
)

// KeyState checks that each key protecting SageMaker data exists and is
// Enabled.
func KeyState() Rule {
	rule := Rule{
		ID: "kms-key.state", Kind: KeyKind,
		Title:    "KMS key protecting SageMaker data exists and is Enabled",
		Severity: finding.High,
		Rationale: "A Disabled key makes the data it protects unreadable; a key pending deletion makes it " +
			"unrecoverable once the waiting period ends; a missing key means that has already happened.",
		Remediation: "Disabled: re-enable the key (EnableKey) after finding out who disabled it and why. Pending " +
			"deletion: cancel the deletion first (CancelKeyDeletion), then re-enable; every resource listed loses " +
			"its data otherwise. Missing: the data is lost; recreate the resources with a healthy key.",
		Examples: []Example{
			keyExample("Enabled key", finding.Pass, keys.Key{State: keys.StateEnabled}),
			keyExample("key pending deletion", finding.Fail, keys.Key{State: "PendingDeletion"}),
			keyExample("Disabled key", finding.Fail, keys.Key{State: "Disabled"}),
		},
	}
	meta := rule
	rule.CheckKey = func(_ *Context, u KeyUse) finding.Finding {
		f := meta.keyFinding(u)
		k := u.Key
		n := len(u.Protected)
		switch {
		case k.NotFound:
			f.Status, f.Severity = finding.Fail, finding.Critical
			f.Message = fmt.Sprintf("key does not exist: the data of %s encrypted with it may be unrecoverable", resources(n))
		case k.Error != "":
			f.Status, f.Message = finding.Error, "key could not be described: "+k.Error
		case k.State == "":
			f.Status, f.Message = finding.Error, "KMS did not report the key state"
		case k.State == keys.StateEnabled:
			f.Status, f.Message = finding.Pass, "key is Enabled"
		case k.State == "PendingDeletion" || k.State == "PendingReplicaDeletion":
			f.Status, f.Severity = finding.Fail, finding.Critical
			f.Message = fmt.Sprintf("key is pending deletion%s: the data of %s becomes unrecoverable when it is deleted",
				deletionDate(k), resources(n))
		default:
			f.Status = finding.Fail
			f.Message = fmt.Sprintf("key is %s: the data of %s cannot be read", k.State, resources(n))
		}
		return f
	}
	return rule
}

func deletionDate(k *keys.Key) string {
	if k.DeletionDate.IsZero() {
		return ""
	}
	return " (deletion date " + k.DeletionDate.UTC().Format("2006-01-02") + ")"
}

// resources counts protected resources in words.
func resources(n int) string {
	if n == 1 {
		return "1 resource"
	}
	return fmt.Sprintf("%d resources", n)
}
