package alert

import (
	"time"

	"github.com/sagekey/sagekey/internal/finding"
)

// hostile is a tag value or name an attacker with tag:write could set: a
// Slack mention, markup and an ampersand.
const hostile = "<!channel> & <script>alert(1)</script>"

var fixedTime = time.Date(2026, 11, 3, 15, 4, 5, 999, time.FixedZone("CET", 3600))

func resourceAlert() Alert {
	a := New(ViolationOpened, "arn:aws:sagemaker:eu-west-1:111122223333:notebook-instance/"+hostile, "run-42", fixedTime)
	a.Severity = finding.High
	a.RunID = "run-42"
	a.Account = "111122223333"
	a.Region = "eu-west-1"
	a.Resource = &Resource{
		ARN:  "arn:aws:sagemaker:eu-west-1:111122223333:notebook-instance/research-" + hostile,
		Kind: "notebook-instance",
		Name: "research-" + hostile,
	}
	a.CheckID = "notebook-instance.cmk"
	a.Title = "Notebook instance research-" + hostile + " is not encrypted with a customer-managed key"
	a.Message = "KmsKeyId is empty: the ML storage volume uses an AWS owned key. Owner tag: " + hostile
	a.Remediation = "Recreate the notebook instance with KmsKeyId set to a customer-managed key."
	a.Links = []Link{{Title: "notebook-instance.cmk", URL: "https://github.com/sagekey/sagekey/blob/main/docs/checks/notebook-instance.cmk.md"}}
	a.Details = map[string]string{"owner": hostile, "fingerprint": "9f2c"}
	return a
}

func keyAlert() Alert {
	a := New(KeyStateChanged, "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab", "run-42", fixedTime)
	a.Severity = finding.Critical
	a.RunID = "run-42"
	a.Account = "111122223333"
	a.Region = "eu-west-1"
	rs := make([]Resource, 23)
	for i := range rs {
		rs[i] = Resource{ARN: "arn:aws:sagemaker:eu-west-1:111122223333:endpoint/ep-" + string(rune('a'+i)), Kind: "endpoint", Name: "ep-" + string(rune('a'+i))}
	}
	rs[0].Name = hostile
	a.Key = &Key{ARN: "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab", State: "PendingDeletion", BlastRadius: NewBlastRadius(rs)}
	a.CheckID = "kms-key.state"
	a.Title = "Key 1234abcd is PendingDeletion"
	a.Message = "The key is scheduled for deletion; 23 resources become unreadable when it is deleted."
	a.Remediation = "aws kms cancel-key-deletion --key-id 1234abcd-12ab-34cd-56ef-1234567890ab"
	return a
}
