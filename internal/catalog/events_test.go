package catalog

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
)

// TestEventsLifecycleCoversEveryKind: a kind without lifecycle operations
// would never be checked on an event, and an entry without a kind is a typo.
func TestEventsLifecycleCoversEveryKind(t *testing.T) {
	t.Parallel()
	ids := map[string]bool{}
	for _, k := range Kinds() {
		ids[k.ID] = true
		l, ok := KindLifecycle(k.ID)
		if !ok || len(l.Create) == 0 {
			t.Errorf("%s: no lifecycle create operation", k.ID)
		}
		// Guardrails' create and key-update actions are events too.
		for _, a := range k.CreateActions {
			if !slices.Contains(l.Create, strings.TrimPrefix(a, "sagemaker:")) {
				t.Errorf("%s: create action %s missing from the lifecycle", k.ID, a)
			}
		}
		for _, a := range k.KeyUpdateActions {
			if !slices.Contains(l.Update, strings.TrimPrefix(a, "sagemaker:")) {
				t.Errorf("%s: key update action %s missing from the lifecycle", k.ID, a)
			}
		}
	}
	for id := range lifecycles {
		if !ids[id] {
			t.Errorf("lifecycle for unknown kind %q", id)
		}
	}
}

// TestEventsAreSDKOperations holds every event name to the SDK's clients, so
// a misspelt name (which EventBridge would silently never match) fails here.
func TestEventsAreSDKOperations(t *testing.T) {
	t.Parallel()
	sm, km := reflect.TypeFor[*sagemaker.Client](), reflect.TypeFor[*kms.Client]()
	for _, k := range Kinds() {
		l, _ := KindLifecycle(k.ID)
		for verb, names := range map[string][]string{"Create": l.Create, "Delete": l.Delete} {
			for _, n := range names {
				if !strings.HasPrefix(n, verb) {
					t.Errorf("%s: %s listed as %s", k.ID, n, verb)
				}
			}
		}
		for _, n := range l.Update {
			if !strings.HasPrefix(n, "Update") && !strings.HasPrefix(n, "Stop") {
				t.Errorf("%s: %s listed as an update", k.ID, n)
			}
		}
	}
	for _, n := range SageMakerEvents() {
		if _, ok := sm.MethodByName(n); !ok {
			t.Errorf("sagemaker has no operation %s", n)
		}
	}
	for _, n := range KMSKeyEvents() {
		if _, ok := km.MethodByName(n); !ok {
			t.Errorf("kms has no operation %s", n)
		}
	}
	if !slices.IsSorted(SageMakerEvents()) || !slices.IsSorted(KMSKeyEvents()) {
		t.Error("event names are not sorted")
	}
}
