package engine

import (
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/sagekey/sagekey/internal/finding"
)

// TestJudgeReadsAsSortedEvaluation holds the lazy list to what judging
// every finding once and sorting them gives: the same findings, in Sort's
// order, and the same finding whenever one is read again, with severity
// overrides and suppressions that move findings in that order.
func TestJudgeReadsAsSortedEvaluation(t *testing.T) {
	t.Parallel()
	inv, ks := testInventory()
	now := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name     string
		settings Settings
	}{
		{"every check", Settings{OwnerTag: "owner", RequiredTags: []string{"owner"}}},
		{"overrides and suppressions", Settings{OwnerTag: "owner", Now: now,
			SeverityOverrides: map[string]finding.Severity{"notebook-instance.tags": finding.Critical, "kms-key.shared": finding.Info},
			Suppressions:      []Suppression{{Check: "notebook-instance.cmk", Resource: "*/c", Reason: "legacy"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			list := Judge(inv, ks, tt.settings)
			got := list.Collect()
			if len(got) == 0 || len(got) != list.Len() {
				t.Fatalf("%d findings collected of %d", len(got), list.Len())
			}
			want := slices.Clone(got)
			Sort(want)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("the list is not in Sort's order:\n got %v\nwant %v", ids(got), ids(want))
			}
			for i := list.Len() - 1; i >= 0; i-- {
				if again := list.At(i); !reflect.DeepEqual(again, got[i]) {
					t.Fatalf("finding %d read again differs:\n%+v\n%+v", i, again, got[i])
				}
			}
			if tt.settings.Suppressions != nil {
				if f := byCheck(got, "notebook-instance.cmk", "/c"); f == nil || f.Status != finding.Muted {
					t.Errorf("suppressed finding: %+v", f)
				}
				if f := byCheck(got, "notebook-instance.tags", "/a"); f == nil || f.Severity != finding.Critical {
					t.Errorf("overridden finding: %+v", f)
				}
			}
		})
	}
}

func ids(fs []finding.Finding) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = string(f.Status) + " " + f.Severity.String() + " " + f.CheckID + " " + f.Resource.ARN
	}
	return out
}
