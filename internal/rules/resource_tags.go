package rules

import (
	"fmt"
	"strings"

	"github.com/sagekey/sagekey/internal/catalog"
	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/inventory"
)

// tagRules returns one <kind>.tags rule per catalog kind: ownership tags are
// what showback, blast-radius owners and suppressions by tag rely on.
func tagRules() []Rule {
	kinds := catalog.Kinds()
	out := make([]Rule, 0, len(kinds))
	for _, k := range kinds {
		out = append(out, ResourceTags(k.ID))
	}
	return out
}

// ResourceTags checks that a resource of kindID carries the required tags.
func ResourceTags(kindID string) Rule {
	kind := catalog.MustLookup(kindID)
	rule := Rule{
		ID: kindID + ".tags", Kind: kindID,
		Title:    kind.Title + " carries the required ownership tags",
		Severity: finding.Low,
		Rationale: "Owner and cost-center tags tell who must fix a finding, who pays for its keys, and whether " +
			"one key is shared across teams.",
		Remediation: "Add the missing tags with the SageMaker AddTags API (tags can be changed in place).",
		Examples:    tagExamples(kindID),
	}
	meta := rule
	rule.CheckResource = func(c *Context, r inventory.Resource) finding.Finding {
		f := meta.newFinding(resourceOf(r))
		f.Status, f.Message = requiredTags(c.RequiredTags, r.Tags, r.TagsError)
		return f
	}
	return rule
}

// requiredTags is shared by resource and key tag rules.
func requiredTags(required []string, tags map[string]string, tagsError string) (finding.Status, string) {
	if tagsError != "" {
		return finding.Error, "tags could not be read: " + tagsError
	}
	if len(required) == 0 {
		return finding.NotApplicable, "no required tags are configured"
	}
	var missing []string
	for _, t := range required {
		if strings.TrimSpace(tags[t]) == "" {
			missing = append(missing, t)
		}
	}
	if len(missing) > 0 {
		return finding.Fail, fmt.Sprintf("missing required tags: %s", strings.Join(missing, ", "))
	}
	return finding.Pass, "all required tags present: " + strings.Join(required, ", ")
}
