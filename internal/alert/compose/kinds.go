package compose

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/sagekey/sagekey/internal/alert"
	"github.com/sagekey/sagekey/internal/alert/detect"
	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/report"
)

// keyStateCheck is the check behind a key_state_changed alert, as in
// package detect (which mirrors internal/rules).
const keyStateCheck = "kms-key.state"

func violation(a *alert.Alert, e detect.Event, opts Options) {
	verb := "New violation"
	if e.Kind == detect.ViolationReopened {
		verb = "Violation reopened"
	}
	if e.Resource.ARN != "" {
		a.Resource = &alert.Resource{ARN: e.Resource.ARN, Kind: e.Resource.Kind, Name: e.Resource.Name}
	}
	switch {
	case e.CheckID != "" && e.Resource.ARN != "":
		a.Title = fmt.Sprintf("%s: %s %s fails %s", verb, e.Resource.Kind, nameOf(e.Resource), e.CheckID)
	case e.CheckID != "":
		a.Title = verb + ": " + e.CheckID
	default:
		// The findings given to detect did not include it: all that is
		// known is its fingerprint.
		a.Title = verb + " " + e.Fingerprint
	}
	if rule, ok := report.CheckInfo(e.CheckID); ok {
		a.Remediation = rule.Remediation
		a.Message += "\nExpected: " + rule.Title + "."
		a.Links = append(a.Links, alert.Link{Title: e.CheckID, URL: report.DocsURL(e.CheckID)})
	}
	setDetail(a, alert.DetailFingerprint, e.Fingerprint)
	setDetail(a, alert.DetailOwner, e.Resource.Tags[opts.ownerTag()])
	if e.Fingerprint != "" {
		addLink(a, opts, "Finding on the dashboard", "findings", e.Fingerprint)
	}
}

func keyState(a *alert.Alert, e detect.Event, opts Options) {
	a.Key = keyOf(e)
	if a.CheckID == "" {
		a.CheckID = keyStateCheck
	}
	a.Title = fmt.Sprintf("Key %s went from %s to %s", shortKey(e.Resource.ARN), e.FromState, e.ToState)
	switch e.ToState {
	case "PendingDeletion", "PendingReplicaDeletion":
		a.Remediation = fmt.Sprintf("If the deletion is not intended, cancel it before the waiting period ends, then enable the key: "+
			"aws kms cancel-key-deletion --key-id %s && aws kms enable-key --key-id %s", e.Resource.ARN, e.Resource.ARN)
	case "Disabled":
		a.Remediation = "If disabling the key is not intended, enable it: aws kms enable-key --key-id " + e.Resource.ARN
	}
	if rule, ok := report.CheckInfo(a.CheckID); ok {
		if a.Remediation == "" {
			a.Remediation = rule.Remediation
		}
		a.Links = append(a.Links, alert.Link{Title: a.CheckID, URL: report.DocsURL(a.CheckID)})
	}
	setDetail(a, alert.DetailOwner, e.Resource.Tags[opts.ownerTag()])
	addLink(a, opts, "Key on the dashboard", "keys", e.Resource.ARN)
}

func complianceDropped(a *alert.Alert, e detect.Event, opts Options) {
	a.Title = fmt.Sprintf("Percent compliant fell to %.2f%%", e.After)
	a.Remediation = "Open the new violations of this scan and fix the resources that no longer use a healthy customer-managed key."
	setDetail(a, alert.DetailPercentCompliant, percent(e.After))
	setDetail(a, alert.DetailPreviousPercentCompliant, percent(e.Before))
	if opts.ComplianceThreshold > 0 {
		setDetail(a, alert.DetailThreshold, percent(opts.ComplianceThreshold))
	}
	addLink(a, opts, "Runs on the dashboard", "runs", "")
}

func scanFailed(a *alert.Alert, e detect.Event, opts Options) {
	a.Title = "Scan failed"
	if place := where(e.Account, e.Region); place != "" {
		a.Title += " in " + place
	}
	a.Remediation = "Check sagekey serve's log for the cause; the scan is retried with backoff."
	// detect puts the error after this prefix; the event has no field of
	// its own for it.
	if msg, ok := strings.CutPrefix(e.Message, "scan failed: "); ok {
		setDetail(a, alert.DetailError, msg)
	}
	addLink(a, opts, "Runs on the dashboard", "runs", "")
}

func newGaps(a *alert.Alert, e detect.Event, opts Options) {
	a.Title = fmt.Sprintf("The scan could not read %d thing(s) it could read before", len(e.Gaps))
	if place := where(e.Account, e.Region); place != "" {
		a.Title += " in " + place
	}
	a.Remediation = "Check the scanning role's permissions (and service control policies) for the listed accounts, regions and services."
	setDetail(a, alert.DetailGaps, strconv.Itoa(len(e.Gaps)))
	addLink(a, opts, "Runs on the dashboard", "runs", "")
}

func denialSpike(a *alert.Alert, e detect.Event, opts Options) {
	a.Key = keyOf(e)
	a.Title = fmt.Sprintf("%d KMS access denials on key %s", e.Denials, shortKey(e.Resource.ARN))
	a.Remediation = "Find the refused calls in CloudTrail (errorCode AccessDenied on this key). If a workload lost access, " +
		"restore it in the key policy or a grant; if the caller should not use the key, investigate who it is."
	setDetail(a, alert.DetailDenials, strconv.FormatInt(e.Denials, 10))
	setDetail(a, alert.DetailBaseline, strconv.FormatFloat(e.Baseline, 'f', 2, 64))
	setDetail(a, alert.DetailPrincipal, e.Principal)
	setDetail(a, "operation", e.Action)
	setDetail(a, alert.DetailOwner, e.Resource.Tags[opts.ownerTag()])
	addLink(a, opts, "Key on the dashboard", "keys", e.Resource.ARN)
}

func lifecycle(a *alert.Alert, e detect.Event, opts Options) {
	a.Key = keyOf(e)
	name := strings.TrimPrefix(e.Action, "kms:")
	a.Title = fmt.Sprintf("%s on key %s", name, shortKey(e.Resource.ARN))
	switch e.Action {
	case "kms:ScheduleKeyDeletion":
		a.Remediation = "If the deletion is not intended, cancel it before the waiting period ends, then enable the key: " +
			"aws kms cancel-key-deletion --key-id " + e.Resource.ARN + " && aws kms enable-key --key-id " + e.Resource.ARN
	case "kms:DisableKey":
		a.Remediation = "If disabling the key is not intended, enable it: aws kms enable-key --key-id " + e.Resource.ARN
	case "kms:DeleteImportedKeyMaterial":
		a.Remediation = "Import the same key material again (aws kms import-key-material); other material cannot decrypt the data."
	default:
		a.Remediation = "Confirm with the caller that the change was intended."
	}
	setDetail(a, alert.DetailEvent, name)
	setDetail(a, alert.DetailPrincipal, e.Principal)
	setDetail(a, "event_id", e.EventID)
	setDetail(a, "detail", e.Detail)
	setDetail(a, alert.DetailOwner, e.Resource.Tags[opts.ownerTag()])
	addLink(a, opts, "Key on the dashboard", "keys", e.Resource.ARN)
}

// keyOf is the alert's key: its ARN, the state it was left in and what it
// protects.
func keyOf(e detect.Event) *alert.Key {
	rs := make([]alert.Resource, 0, len(e.BlastRadius))
	for _, r := range e.BlastRadius {
		rs = append(rs, alert.Resource{ARN: r.ARN, Kind: r.Kind, Name: r.Name})
	}
	return &alert.Key{ARN: e.Resource.ARN, State: e.ToState, BlastRadius: alert.NewBlastRadius(rs)}
}

// setDetail leaves out empty values, so receivers can test for presence.
func setDetail(a *alert.Alert, key, value string) {
	if value != "" {
		a.Details[key] = value
	}
}

func percent(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) }

func nameOf(r finding.Resource) string {
	if r.Name != "" {
		return r.Name
	}
	return r.ARN
}

// shortKey is the key id of a key ARN (the part after "key/"), short
// enough for a title; anything else is returned whole.
func shortKey(arn string) string {
	if i := strings.LastIndex(arn, ":key/"); i >= 0 {
		return arn[i+len(":key/"):]
	}
	return arn
}

func where(account, region string) string {
	switch {
	case account != "" && region != "":
		return account + "/" + region
	case account != "":
		return account
	}
	return region
}
