package catalog_test

import (
	"slices"
	"testing"

	"github.com/sagekey/sagekey/internal/catalog"
	"github.com/sagekey/sagekey/internal/trail"
)

// TestEventsIncludeTrailKeyLifecycle: every KMS call the trail reader keeps
// as a key lifecycle event must also reach the event-driven checks. An
// external test package, because trail imports catalog.
func TestEventsIncludeTrailKeyLifecycle(t *testing.T) {
	t.Parallel()
	for _, a := range trail.KeyLifecycleActions() {
		if !slices.Contains(catalog.KMSKeyEvents(), a) {
			t.Errorf("%s is a trail key lifecycle action but not a KMS key event", a)
		}
	}
}
