package rules

import (
	"testing"

	"github.com/sagekey/sagekey/internal/catalog"
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
