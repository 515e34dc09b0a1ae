package rules

import (
	"testing"

	"github.com/sagekey/sagekey/internal/finding"
)

func TestResourceTags(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		tags      map[string]string
		tagsError string
		want      finding.Status
	}{
		{"all present", map[string]string{"owner": "ml", "cost-center": "42"}, "", finding.Pass},
		{"one missing", map[string]string{"owner": "ml"}, "", finding.Fail},
		{"blank value counts as missing", map[string]string{"owner": " ", "cost-center": "42"}, "", finding.Fail},
		{"unreadable is error", nil, "sagemaker:ListTags: access denied", finding.Error},
	}
	for _, tt := range tests {
		r := resource("training-job")
		r.Tags, r.TagsError = tt.tags, tt.tagsError
		f := ResourceTags("training-job").CheckResource(fixtureContext(), r)
		if f.Status != tt.want || f.CheckID != "training-job.tags" {
			t.Errorf("%s: %s %s %q", tt.name, f.CheckID, f.Status, f.Message)
		}
	}
}
