package rules

import "github.com/sagekey/sagekey/internal/finding"

// KeyTags checks that keys carry the required ownership tags.
func KeyTags() Rule {
	rule := Rule{
		ID: "kms-key.tags", Kind: KeyKind,
		Title:    "Customer-managed KMS key carries the required ownership tags",
		Severity: finding.Low,
		Rationale: "Every key costs money every month and guards someone's data; its owner and cost-center " +
			"tags make showback and incident response possible.",
		Remediation: "Tag the key: aws kms tag-resource --key-id <key ARN> --tags TagKey=owner,TagValue=<team> ...",
	}
	meta := rule
	rule.CheckKey = func(c *Context, u KeyUse) finding.Finding {
		f := meta.keyFinding(u)
		if f, done := unknownKey(f, u.Key); done {
			return f
		}
		f.Status, f.Message = requiredTags(c.RequiredTags, u.Key.Tags, u.Key.TagsError)
		return f
	}
	return rule
}
