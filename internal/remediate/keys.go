package remediate

import (
	"cmp"
	"fmt"
	"strings"

	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/keys"
	"github.com/sagekey/sagekey/internal/trail"
)

// keyItem fixes a kms-key.* finding.
func (b *builder) keyItem(it *Item, f finding.Finding) {
	k, known := b.keys[f.Resource.ARN]
	if !known {
		k = keys.Key{ARN: f.Resource.ARN, Account: f.Resource.Account, Region: f.Resource.Region}
	}
	switch f.CheckID {
	case "kms-key.state":
		b.keyStateItem(it, f, k)
	case "kms-key.rotation":
		keyRotationItem(it, f, k)
	case "kms-key.policy":
		b.keyPolicyItem(it, f, k)
	case "kms-key.least-privilege":
		b.leastPrivilegeItem(it, f, k)
	case "kms-key.shared":
		keySharedItem(it, f, k)
	case "kms-key.tags":
		tagItemFor(it, f, fmt.Sprintf("aws kms tag-resource --region %s --key-id %s --tags",
			q(f.Resource.Region), q(f.Resource.ARN)), "TagKey=%s,TagValue=<value>")
	default:
		manualItem(it, f)
	}
}

// trailLookup finds who made the named KMS calls on the key (CloudTrail
// keeps 90 days of management events per region).
func trailLookup(k keys.Key, events ...string) Command {
	conds := make([]string, len(events))
	for i, e := range events {
		conds[i] = "EventName==`" + e + "`"
	}
	return sh(fmt.Sprintf("aws cloudtrail lookup-events --region %s --lookup-attributes %s \\\n  --query %s --output table",
		q(k.Region), q("AttributeKey=ResourceName,AttributeValue="+k.ARN),
		q("Events[?"+strings.Join(conds, " || ")+"].[EventTime,EventName,Username,EventId]")))
}

// blastRadius lists what loses its data, so nobody re-enables or lets go
// of a key without knowing.
func blastRadius(f finding.Finding) string {
	if len(f.Protects) == 0 {
		return "No scanned resource uses this key; data elsewhere (S3 objects, snapshots) may still depend on it."
	}
	names := make([]string, len(f.Protects))
	for i, p := range f.Protects {
		names[i] = p.Kind + " " + p.Name + " (" + p.ARN + ")"
	}
	return fmt.Sprintf("%d resource(s) depend on this key: %s.", len(names), strings.Join(names, "; "))
}

func (b *builder) keyStateItem(it *Item, f finding.Finding, k keys.Key) {
	rg, key := q(k.Region), q(k.ARN)
	state := k.State
	switch {
	case k.NotFound || strings.HasPrefix(f.Message, "key does not exist"):
		it.Strategy, it.Priority = "key-lost", finding.Critical
		it.Summary = "The key no longer exists: data encrypted only under it cannot be decrypted. Recreate the " +
			"resources with a healthy key and restore their data from sources that do not depend on it."
		it.Warnings = append(it.Warnings, blastRadius(f))
		it.Steps = append(it.Steps, Step{Title: "Recreate each dependent resource with a healthy key",
			Why: "Follow the <kind>.cmk item of each resource listed in the warnings; KMS cannot bring a deleted key back."})
		return
	case state == "PendingDeletion" || state == "PendingReplicaDeletion" || strings.Contains(f.Message, "pending deletion"):
		// Priority is critical whatever the configured severity: when the
		// waiting period ends the data is gone for good.
		it.Strategy, it.Priority = "key-cancel-deletion", finding.Critical
		it.Summary = "Cancel the scheduled deletion now, then re-enable the key once you know why it was scheduled."
		when := ""
		if !k.DeletionDate.IsZero() {
			when = " on " + k.DeletionDate.UTC().Format("2006-01-02")
		}
		it.Warnings = append(it.Warnings, "Every resource below loses its data for good when the key is deleted"+when+
			": "+blastRadius(f))
		ask := Step{
			Title:    "Find out who scheduled the deletion and why",
			Why:      "Someone decided to delete this key; ask them before it is used again (the key may have been retired on purpose).",
			Commands: []Command{trailLookup(k, "ScheduleKeyDeletion", "DisableKey")},
		}
		if e, ok := b.trail.keyEvent(k.ARN, "kms:ScheduleKeyDeletion"); ok {
			// The trail already answers the lookup: name the person.
			it.Summary = "Cancel the scheduled deletion now; re-enable the key only once " + trail.Who(e.Principal, e.Identity) +
				", who scheduled it, has said why."
			ask = Step{
				Title: "Ask " + trail.Who(e.Principal, e.Identity) + " why they scheduled the deletion",
				Why: "CloudTrail shows " + eventText(e, "scheduled the deletion") + ". Ask them before the key is " +
					"used again: it may have been retired on purpose.",
			}
		}
		it.Steps = append(it.Steps, Step{
			Title:    "Cancel the key deletion",
			Why:      "Cancelling is safe and reversible; it leaves the key Disabled, so nothing can use it yet.",
			Commands: []Command{sh(fmt.Sprintf("aws kms cancel-key-deletion --region %s --key-id %s", rg, key))},
		}, ask, enableStep(rg, key, k.ARN))
	case state == "Disabled" || strings.Contains(f.Message, "is Disabled"):
		it.Strategy = "key-enable"
		if e, ok := b.trail.keyEvent(k.ARN, "kms:DisableKey"); ok {
			// The trail already answers the lookup: name the person.
			by := trail.Who(e.Principal, e.Identity)
			it.Summary = "Ask " + by + " why they disabled the key, then re-enable it."
			it.Warnings = append(it.Warnings, "Someone disabled this key deliberately (possibly to contain an incident "+
				"or to crypto-shred data): "+by+" disabled it"+onDate(e.Time)+"; ask them why before re-enabling it. "+blastRadius(f))
			it.Steps = append(it.Steps, Step{
				Title: "Ask " + by + " why they disabled the key",
				Why:   "CloudTrail shows " + eventText(e, "disabled the key") + ".",
			}, enableStep(rg, key, k.ARN))
			return
		}
		it.Summary = "Find out who disabled the key and why, then re-enable it."
		it.Warnings = append(it.Warnings, "Someone disabled this key deliberately (possibly to contain an incident "+
			"or to crypto-shred data): find out who and why in CloudTrail before re-enabling it. "+blastRadius(f))
		it.Steps = append(it.Steps, Step{
			Title:    "Find out who disabled the key",
			Why:      "Look for DisableKey events on the key; CloudTrail lookup covers the last 90 days in the key's region.",
			Commands: []Command{trailLookup(k, "DisableKey")},
		}, enableStep(rg, key, k.ARN))
	default:
		it.Strategy = "key-state-investigate"
		it.Summary = "The key is " + cmp.Or(state, "in an unusable state") + ": find out why before anything else."
		it.Warnings = append(it.Warnings, blastRadius(f))
		it.Steps = append(it.Steps, Step{
			Title: "Inspect the key",
			Why: "PendingImport needs key material imported again; Unavailable means its custom key store is " +
				"disconnected; Creating/Updating resolve themselves.",
			Commands: []Command{sh(fmt.Sprintf("aws kms describe-key --region %s --key-id %s", rg, key))},
		})
	}
}

func enableStep(rg, key, arn string) Step {
	return Step{
		Title: "Re-enable the key",
		Why:   "Only once the people who disabled or scheduled it agree: enabling makes every dependent resource readable again.",
		Commands: []Command{{Lang: LangShell, Confirm: true, Prompt: "Re-enable KMS key " + arn + " (you know who disabled it and why)?",
			Text: fmt.Sprintf("aws kms enable-key --region %s --key-id %s", rg, key)}},
	}
}

func keyRotationItem(it *Item, f finding.Finding, k keys.Key) {
	rg, key := q(k.Region), q(k.ARN)
	if k.Origin == "EXTERNAL" || (k.KeySpec != "" && k.KeySpec != "SYMMETRIC_DEFAULT") {
		it.Strategy = "key-rotation-manual"
		it.Summary = "KMS cannot rotate this key automatically (imported key material or an asymmetric/HMAC key): rotate it by hand."
		it.Steps = append(it.Steps, Step{
			Title: "Rotate manually",
			Why: "Create a new key, point the alias that applications use at it, and move resources to it as they " +
				"are recreated; keep the old key Enabled while any data still depends on it.",
			Commands: []Command{{Lang: LangShell, Manual: true, Text: fmt.Sprintf(
				"aws kms create-key --region %s --description 'rotation of %s'\naws kms update-alias --region %s --alias-name alias/<name> --target-key-id <new key id>",
				rg, k.ARN, rg)}},
		})
		return
	}
	it.Strategy = "key-rotation"
	it.Summary = "Turn on automatic rotation: KMS adds new key material yearly (or at the period you set) and keeps " +
		"the old material to decrypt existing data, so nothing is re-encrypted or recreated."
	it.Warnings = append(it.Warnings, "Keys with imported key material (Origin EXTERNAL) and asymmetric or HMAC keys "+
		"cannot rotate automatically; the command fails for them.")
	it.Steps = append(it.Steps, Step{
		Title:    "Enable automatic rotation",
		Why:      "Compliance frameworks expect rotated key material; rotation is invisible to SageMaker.",
		Commands: []Command{sh(fmt.Sprintf("aws kms enable-key-rotation --region %s --key-id %s\naws kms get-key-rotation-status --region %s --key-id %s", rg, key, rg, key))},
	})
}

func keySharedItem(it *Item, f finding.Finding, k keys.Key) {
	it.Strategy = "key-split"
	it.Summary = "Give each owning team its own key; resources move to it when they are next recreated."
	it.Steps = append(it.Steps, Step{
		Title: "Create one key per owner",
		Why:   f.Message + ". A key per owner can be disabled or deleted without touching another team's data.",
		Commands: []Command{{Lang: LangShell, Manual: true, Text: fmt.Sprintf(
			"aws kms create-key --region %s --description 'SageMaker data of <team>' --tags TagKey=owner,TagValue=<team>",
			q(k.Region))}},
	}, Step{
		Title: "Move each team's resources to its key",
		Why:   "Use the <kind>.cmk strategies with --key set to the team's key: " + blastRadius(f),
	})
}

// tagItem fixes <kind>.tags with add-tags on the resource.
func (b *builder) tagItem(it *Item, f finding.Finding) {
	tagItemFor(it, f, fmt.Sprintf("aws sagemaker add-tags --region %s --resource-arn %s --tags",
		q(f.Resource.Region), q(f.Resource.ARN)), "Key=%s,Value=<value>")
}

func tagItemFor(it *Item, f finding.Finding, cmd, pair string) {
	it.Strategy = "tag"
	it.Summary = "Add the missing tags in place."
	missing := []string{"<tag>"}
	if rest, ok := strings.CutPrefix(f.Message, "missing required tags: "); ok {
		missing = strings.Split(rest, ", ")
	}
	for _, m := range missing {
		cmd += " " + q(fmt.Sprintf(pair, m))
	}
	it.Steps = append(it.Steps, Step{
		Title:    "Tag it",
		Why:      "Fill in each <value>: who owns the resource and who pays for it are facts only you know.",
		Commands: []Command{{Lang: LangShell, Manual: true, Text: cmd}},
	})
}
