package rules

import (
	"testing"

	"github.com/sagekey/sagekey/internal/catalog"
	"github.com/sagekey/sagekey/internal/finding"
)

// TestAllRulesHaveCompleteMetadata walks every rule: ids, metadata, and one
// cmk and one tags rule for every catalog kind.
func TestAllRulesHaveCompleteMetadata(t *testing.T) {
	t.Parallel()
	ids := map[string]bool{}
	for _, r := range All() {
		if err := r.Validate(); err != nil {
			t.Error(err)
		}
		ids[r.ID] = true
	}
	for _, k := range catalog.Kinds() {
		for _, suffix := range []string{".cmk", ".tags"} {
			if !ids[k.ID+suffix] {
				t.Errorf("kind %s has no %s rule", k.ID, suffix)
			}
		}
	}
	for _, id := range []string{"kms-key.state", "kms-key.rotation", "kms-key.policy", "kms-key.tags", "kms-key.shared"} {
		if !ids[id] {
			t.Errorf("missing rule %s", id)
		}
	}
}

// TestRuleExamples runs every documented example: the docs cannot claim a
// verdict the code does not give.
func TestRuleExamples(t *testing.T) {
	t.Parallel()
	for _, r := range All() {
		for _, e := range r.Examples {
			var got finding.Finding
			switch {
			case r.CheckResource != nil && e.Resource != nil:
				got = r.CheckResource(e.Context(), *e.Resource)
			case r.CheckKey != nil && e.Key != nil:
				got = r.CheckKey(e.Context(), *e.Key)
			default:
				t.Errorf("%s: example %q does not fit the rule's input", r.ID, e.Name)
				continue
			}
			if got.Status != e.Want {
				t.Errorf("%s: example %q gave %s, want %s (%s)", r.ID, e.Name, got.Status, e.Want, got.Message)
			}
		}
	}
}
