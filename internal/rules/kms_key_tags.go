package rules

import (
	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/keys"
)

// KeyTags checks that keys carry the required ownership tags.
func KeyTags() Rule {
	rule := Rule{
		ID: "kms-key.tags", Kind: KeyKind,
		Title:    "Customer-managed KMS key carries the required ownership tags",
		Severity: finding.Low,
		Rationale: "Every key costs money every month and guards someone's data; its owner and cost-center " +
			"tags make showback and incident response possible.",
		Remediation: "Tag the key: aws kms tag-resource --key-id <key ARN> --tags TagKey=owner,TagValue=<team> ...",
		Examples: []Example{
			keyExample("owner and cost-center tags present", finding.Pass, keys.Key{State: keys.StateEnabled,
				Tags: map[string]string{"owner": "ml-platform", "cost-center": "cc-42"}}),
			keyExample("no tags", finding.Fail, keys.Key{State: keys.StateEnabled}),
		},
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
