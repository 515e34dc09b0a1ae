package scan

import (
	"testing"
	"time"

	"github.com/sagekey/sagekey/internal/inventory"
)

func TestCreatedIndex(t *testing.T) {
	t.Parallel()
	at := func(h int) time.Time { return time.Date(2026, 12, 7, h, 0, 0, 0, time.UTC) }
	resources := []inventory.Resource{
		{ARN: "arn:aws:sagemaker:us-east-1:111122223333:training-job/c", CreatedAt: at(3)},
		{ARN: "arn:aws:sagemaker:us-east-1:111122223333:training-job/a", CreatedAt: at(1)},
		{ARN: "arn:aws:sagemaker:us-east-1:111122223333:notebook-instance/b"},
		{ARN: "arn:aws:sagemaker:us-east-1:111122223333:training-job/b", CreatedAt: at(2)},
	}
	idx := createdTimes(resources)
	tests := []struct {
		arn  string
		want time.Time
	}{
		{"arn:aws:sagemaker:us-east-1:111122223333:training-job/a", at(1)},
		{"arn:aws:sagemaker:us-east-1:111122223333:training-job/b", at(2)},
		{"arn:aws:sagemaker:us-east-1:111122223333:training-job/c", at(3)},
		{"arn:aws:sagemaker:us-east-1:111122223333:notebook-instance/b", time.Time{}},
		{"arn:aws:kms:us-east-1:111122223333:key/k", time.Time{}},
		{"", time.Time{}},
	}
	for _, tt := range tests {
		if got := idx.of(tt.arn); !got.Equal(tt.want) {
			t.Errorf("of(%q) = %v, want %v", tt.arn, got, tt.want)
		}
	}
}
