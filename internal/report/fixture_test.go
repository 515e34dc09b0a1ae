package report

import (
	"strings"
	"time"

	"github.com/sagekey/sagekey/internal/compliance"
	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/inventory"
	"github.com/sagekey/sagekey/internal/trail"
)

// editFindings replaces r's findings with what change makes of a copy of
// them: a finding.List is read-only.
func editFindings(r *Report, change func(fs []finding.Finding) []finding.Finding) {
	r.Findings = finding.NewList(change(r.Findings.Collect()))
}

// fixture is the fixed set of findings every format's golden file is
// written from. It has every status, several kinds and severities, key
// findings with a blast radius, a suppression, a gap, a history trend, and
// values that attack each format: HTML and XML markup, CSV formulas,
// control characters and quotes.
func fixture() *Report {
	start := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	const acct, region = "111122223333", "us-east-1"
	arn := func(kind, name string) string {
		return "arn:aws:sagemaker:" + region + ":" + acct + ":" + kind + "/" + name
	}
	const cmk = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	const doomed = "arn:aws:kms:us-east-1:111122223333:key/dead0000-12ab-34cd-56ef-1234567890ab"
	nb := finding.Resource{ARN: arn("notebook-instance", "nb"), Kind: "notebook-instance",
		Name: "nb\tevil\nname", Account: acct, Region: region,
		Tags: map[string]string{"owner": "<script>document.body.dataset.pwned='1'</script>", "cost-center": "=HYPERLINK(\"x\")"}}
	ec := finding.Resource{ARN: arn("endpoint-config", "fraud-v1"), Kind: "endpoint-config", Name: "fraud-v1",
		Account: acct, Region: region, Tags: map[string]string{"owner": "risk & fraud"}}
	tj := finding.Resource{ARN: arn("training-job", "xgb-\"quoted\""), Kind: "training-job", Name: "xgb-\"quoted\"",
		Account: acct, Region: region, Tags: map[string]string{}}
	fg := finding.Resource{ARN: arn("feature-group", "customers"), Kind: "feature-group", Name: "customers",
		Account: acct, Region: region, Tags: map[string]string{"owner": "ml-platform"}}
	dom := finding.Resource{ARN: arn("domain", "d-abc123"), Kind: "domain", Name: "d-abc123",
		Account: acct, Region: region, Tags: map[string]string{}}
	sless := finding.Resource{ARN: arn("endpoint-config", "serverless"), Kind: "endpoint-config", Name: "serverless",
		Account: acct, Region: region, Tags: map[string]string{}}
	key := func(a, name string, tags map[string]string) finding.Resource {
		return finding.Resource{ARN: a, Kind: "kms-key", Name: name, Account: acct, Region: region, Tags: tags}
	}
	goodKey := key(cmk, "1234abcd-12ab-34cd-56ef-1234567890ab", map[string]string{"owner": "ml-platform"})
	badKey := key(doomed, "dead0000-12ab-34cd-56ef-1234567890ab", map[string]string{})
	pct := func(p float64) *float64 { return &p }
	seenBefore := func(f finding.Finding, first, failing time.Duration) (string, FindingHistory) {
		h := FindingHistory{FirstSeen: start.Add(-first)}
		if failing > 0 {
			h.FailingSince = start.Add(-failing)
		}
		return FindingID(f), h
	}
	rep := &Report{
		Started: start, Finished: start.Add(1500 * time.Millisecond),
		Accounts: []string{acct}, Regions: []string{region}, RunID: 3,
		Gaps: []inventory.Gap{{Account: acct, Region: region, Service: "sagemaker:ListClusters", Reason: "access denied"}},
		APICalls: []OperationCalls{
			{Operation: "kms:DescribeKey", Calls: 2},
			{Operation: "sagemaker:ListNotebookInstances", Calls: 1},
			{Operation: "sagemaker:ListTags", Calls: 3, Retries: 2, Throttles: 2},
		},
		Trend: []compliance.Point{
			{At: start.Add(-48 * time.Hour), Run: 1, Tally: compliance.Tally{Group: "run", Pass: 1, Fail: 3, Percent: pct(25)}},
			{At: start.Add(-24 * time.Hour), Run: 2, Tally: compliance.Tally{Group: "run", Pass: 2, Fail: 2, Error: 1, Percent: pct(50)}},
			{At: start, Run: 3, Tally: compliance.Tally{Group: "run", Pass: 2, Fail: 2, Error: 1, NotApplicable: 1, Percent: pct(50)}},
		},
		Findings: finding.NewList([]finding.Finding{
			{CheckID: "kms-key.state", Status: finding.Fail, Severity: finding.Critical, Resource: badKey,
				Message: "key is PendingDeletion (deletion on 2026-12-01): data it protects becomes unrecoverable", Slots: []finding.Slot{},
				Remediation: "Cancel the deletion (kms:CancelKeyDeletion) and re-enable the key.", Protects: []finding.Resource{ec}},
			{CheckID: "endpoint-config.cmk", Status: finding.Fail, Severity: finding.Critical, Resource: ec,
				Message: "1 of 2 key slots not protected by a healthy customer-managed key: ML storage volume: key is PendingDeletion",
				Slots: []finding.Slot{
					{Name: "volume", KeyRef: "alias/fraud", KeyARN: doomed, KeyManager: "CUSTOMER", KeyState: "PendingDeletion", Status: finding.Fail, Reason: "key is PendingDeletion"},
					{Name: "data-capture", KeyRef: cmk, KeyARN: cmk, KeyManager: "CUSTOMER", KeyState: "Enabled", Status: finding.Pass, Reason: "customer-managed key, Enabled"},
				},
				Remediation: "Create a new endpoint config with a customer-managed key and cut the endpoint over (blue/green)."},
			{CheckID: "notebook-instance.cmk", Status: finding.Fail, Severity: finding.High, Resource: nb,
				Message:     "1 of 1 key slots not protected by a healthy customer-managed key: ML storage volume: no key",
				Slots:       []finding.Slot{{Name: "volume", Status: finding.Fail, Reason: "no key"}},
				Remediation: "Recreate the notebook instance with KmsKeyId after backing up its volume."},
			{CheckID: "domain.cmk", Status: finding.Error, Severity: finding.High, Resource: dom,
				Message: "1 of 1 key slots could not be verified: EFS volume: key could not be described: AccessDeniedException",
				Slots: []finding.Slot{{Name: "volume", KeyRef: "alias/studio", Status: finding.Error,
					Reason: "key could not be described: AccessDeniedException"}},
				Remediation: "Create a new domain with KmsKeyId."},
			{CheckID: "notebook-instance.tags", Status: finding.Muted, Severity: finding.Low, Resource: nb, Slots: []finding.Slot{},
				Message: "missing required tags: team", Remediation: "Tag the resource.",
				Suppression: &finding.Suppression{Reason: "sandbox <b>account</b>", Expires: start.Add(30 * 24 * time.Hour)}},
			{CheckID: "endpoint-config.cmk", Status: finding.NotApplicable, Severity: finding.High, Resource: sless,
				Message: "serverless endpoint: no key slot applies", Slots: []finding.Slot{
					{Name: "volume", Status: finding.NotApplicable, Reason: "serverless variants have no ML storage volume"}},
				Remediation: "Create a new endpoint config with a customer-managed key and cut the endpoint over (blue/green)."},
			{CheckID: "training-job.cmk", Status: finding.Pass, Severity: finding.High, Resource: tj,
				Message: "every applicable key slot uses a healthy customer-managed key", Slots: []finding.Slot{
					{Name: "volume", Status: finding.NotApplicable, Reason: "ml.g4dn.xlarge has NVMe instance storage, encrypted by the hardware"},
					{Name: "output", KeyRef: cmk, KeyARN: cmk, KeyManager: "CUSTOMER", KeyState: "Enabled", Status: finding.Pass, Reason: "customer-managed key, Enabled"},
				},
				Remediation: "Re-run the job with VolumeKmsKeyId and OutputDataConfig.KmsKeyId."},
			{CheckID: "feature-group.cmk", Status: finding.Pass, Severity: finding.High, Resource: fg,
				Message: "every applicable key slot uses a healthy customer-managed key", Slots: []finding.Slot{
					{Name: "offline-store", KeyRef: cmk, KeyARN: cmk, KeyManager: "CUSTOMER", KeyState: "Enabled", Status: finding.Pass, Reason: "customer-managed key, Enabled"},
				},
				Remediation: "Recreate the feature group with a KMS key."},
			{CheckID: "kms-key.state", Status: finding.Pass, Severity: finding.High, Resource: goodKey,
				Message: "key is Enabled", Slots: []finding.Slot{}, Remediation: "Re-enable the key.",
				Protects: []finding.Resource{ec, fg, tj}},
			{CheckID: "kms-key.rotation", Status: finding.Pass, Severity: finding.Medium, Resource: goodKey,
				Message: "automatic rotation enabled (every 365 days)", Slots: []finding.Slot{}, Remediation: "Enable automatic rotation.",
				Protects: []finding.Resource{ec, fg, tj}},
			{CheckID: "kms-key.rotation", Status: finding.Fail, Severity: finding.Medium, Resource: badKey,
				Message: "automatic rotation is disabled", Slots: []finding.Slot{}, Remediation: "Enable automatic rotation.",
				Protects: []finding.Resource{ec}},
		}),
	}
	rep.Trail = fixtureTrail(start, nb, ec, tj, dom, sless, doomed, cmk)
	// The store saw the notebook failing for 12 days and the feature group
	// passing for 30; the rest are new in this scan.
	rep.History = map[string]FindingHistory{}
	for i, f := range rep.Findings.All() {
		switch {
		case f.CheckID == "notebook-instance.cmk":
			id, h := seenBefore(rep.Findings.At(i), 20*24*time.Hour, 12*24*time.Hour)
			rep.History[id] = h
		case f.CheckID == "feature-group.cmk":
			id, h := seenBefore(rep.Findings.At(i), 30*24*time.Hour, 0)
			rep.History[id] = h
		}
	}
	return rep
}

// fixtureTrail is what CloudTrail says about the fixture's estate. The
// notebook (FAIL, and MUTED for its tags) was created by a principal with
// markup and a newline in its session, with a user agent carrying markup
// and a formula; the endpoint config (FAIL) by a formula-leading
// principal from a service address. The training job (PASS), the domain
// (ERROR) and the serverless config (NOT_APPLICABLE) have creators too,
// which no format may show, and so does a resource the scan did not find.
// The pending-deletion key was disabled and then scheduled for deletion;
// the healthy key's policy was replaced.
func fixtureTrail(start time.Time, nb, ec, tj, dom, sless finding.Resource, doomed, cmk string) *TrailFacts {
	const acct, region = "111122223333", "us-east-1"
	creator := func(r finding.Resource, action string, daysAgo int, principal, identity, ip, ua, tool string) trail.Creator {
		return trail.Creator{ResourceARN: r.ARN, Account: acct, Region: region, Action: action,
			EventID: "ev-create-" + r.Kind, Time: start.Add(-time.Duration(daysAgo) * 24 * time.Hour),
			Principal: principal, Identity: identity, SourceIP: ip, UserAgent: ua, Tool: tool}
	}
	creators := []trail.Creator{
		creator(nb, "sagemaker:CreateNotebookInstance", 40, "arn:aws:iam::111122223333:role/ml<script>alert('p')</script>",
			"arn:aws:sts::111122223333:assumed-role/ml/alice\nforged: line", "203.0.113.7",
			"Terraform/1.9.0 <img src=x> \r\n=cmd|' /C calc'!A0", trail.ToolTerraform),
		creator(ec, "sagemaker:CreateEndpointConfig", 10, "=HYPERLINK(\"http://evil.example\",\"x\")", "",
			"AWS Internal", "console.amazonaws.com", trail.ToolConsole),
		creator(tj, "sagemaker:CreateTrainingJob", 5, "arn:aws:iam::111122223333:role/trainer", "", "198.51.100.9",
			"aws-sdk-go-v2/1.30", trail.ToolSDK),
		creator(dom, "sagemaker:CreateDomain", 90, "arn:aws:iam::111122223333:role/platform", "", "198.51.100.10",
			"aws-cli/2.17", trail.ToolCLI),
		creator(sless, "sagemaker:CreateEndpointConfig", 3, "arn:aws:iam::111122223333:role/serving", "", "198.51.100.11",
			"boto3/1.35", trail.ToolBoto3),
		creator(finding.Resource{ARN: "arn:aws:sagemaker:us-east-1:111122223333:notebook-instance/gone", Kind: "notebook-instance"},
			"sagemaker:CreateNotebookInstance", 60, "arn:aws:iam::111122223333:role/ghost", "", "198.51.100.12", "aws-cli/2.17", trail.ToolCLI),
	}
	facts := &TrailFacts{From: start.Add(-90 * 24 * time.Hour), To: start, CoveredDays: 91, Creators: map[string]trail.Creator{}}
	for _, c := range creators {
		facts.Creators[strings.ToLower(c.ResourceARN)] = c
	}
	event := func(key, action string, daysAgo int, principal, identity, ua, tool, detail string, protects ...finding.Resource) KeyEventImpact {
		return KeyEventImpact{KeyEvent: trail.KeyEvent{EventID: "ev-" + strings.TrimPrefix(action, "kms:") + "-" + key[len(key)-4:],
			Time: start.Add(-time.Duration(daysAgo) * 24 * time.Hour), Account: acct, Region: region, KeyARN: key,
			Action: action, Principal: principal, Identity: identity, SourceIP: "192.0.2.44", UserAgent: ua, Tool: tool,
			Detail: detail}, Protects: protects}
	}
	facts.KeyEvents = []KeyEventImpact{
		event(doomed, "kms:ScheduleKeyDeletion", 2, "arn:aws:iam::111122223333:role/KeyAdmin<b>x</b>",
			"arn:aws:sts::111122223333:assumed-role/KeyAdmin/bob", "aws-cli/2.17 <svg/onload=alert(1)>", trail.ToolCLI,
			"pending window 7 days", ec),
		event(doomed, "kms:DisableKey", 3, "arn:aws:iam::111122223333:role/KeyAdmin<b>x</b>", "", "console.amazonaws.com",
			trail.ToolConsole, "", ec),
		event(cmk, "kms:PutKeyPolicy", 20, "arn:aws:iam::111122223333:role/platform", "", "Terraform/1.9.0",
			trail.ToolTerraform, "=1+1\nsecond line", ec, tj),
	}
	month := func(m time.Month) time.Time { return time.Date(2026, m, 1, 0, 0, 0, 0, time.UTC) }
	facts.Months = []TrailMonth{
		{Month: month(time.August), Denials: 12, Unauthorized: 5, Blocked: 7, ByGuardrail: 4},
		{Month: month(time.September)},
		{Month: month(time.October), Denials: 3, Unauthorized: 0, Blocked: 9, ByGuardrail: 9},
		{Month: month(time.November), Denials: 40, Unauthorized: 38, Blocked: 2, ByGuardrail: 0},
	}
	return facts
}
