package compliance

import (
	"testing"

	"github.com/sagekey/sagekey/internal/finding"
)

func TestTally(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		statuses []finding.Status
		percent  float64 // -1: no percent
		total    int
	}{
		{"nothing judged", nil, -1, 0},
		{"only not applicable and error: no percent", []finding.Status{finding.NotApplicable, finding.Error}, -1, 2},
		{"errors and mutes never count as compliant", []finding.Status{finding.Pass, finding.Fail, finding.Error, finding.Muted}, 50, 4},
		{"two thirds rounds to two decimals", []finding.Status{finding.Pass, finding.Pass, finding.Fail}, 66.67, 3},
		{"all pass", []finding.Status{finding.Pass, finding.NotApplicable}, 100, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ta Tally
			for _, s := range tt.statuses {
				ta.Add(s)
			}
			ta.Finish()
			if tt.percent < 0 && ta.Percent != nil {
				t.Errorf("percent = %v, want none", *ta.Percent)
			}
			if tt.percent >= 0 && (ta.Percent == nil || *ta.Percent != tt.percent) {
				t.Errorf("percent = %v, want %v", ta.Percent, tt.percent)
			}
			if ta.Total() != tt.total {
				t.Errorf("total = %d, want %d", ta.Total(), tt.total)
			}
		})
	}
}

func TestIsCMKCheck(t *testing.T) {
	t.Parallel()
	for id, want := range map[string]bool{"notebook-instance.cmk": true, "kms-key.state": false, "domain.tags": false} {
		if IsCMKCheck(id) != want {
			t.Errorf("IsCMKCheck(%q) = %v", id, !want)
		}
	}
}
