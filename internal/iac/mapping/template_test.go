package mapping

import (
	"testing"

	"github.com/sagekey/sagekey/internal/iac/model"
)

func TestAWSManagedTemplate(t *testing.T) {
	for _, tc := range []struct {
		str  string
		want string
	}{
		{"arn:*:kms:*:*:alias/aws/sagemaker", "alias/aws/sagemaker"},
		{"alias/aws/s3", "alias/aws/s3"},
		{"arn:*:kms:*:*:alias/team-key", ""},
		{"arn:*:kms:*:*:alias/aws/*", ""},
		{"arn:*:kms:*:*:alias/aws/", ""},
		{"", ""},
	} {
		got, ok := awsManagedTemplate(model.Value{Kind: model.Unknown, Str: tc.str})
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("%q = %q %v, want %q", tc.str, got, ok, tc.want)
		}
	}
	if _, ok := awsManagedTemplate(model.Value{Kind: model.String, Str: "alias/aws/sagemaker"}); ok {
		t.Error("a known string is the literal path's to judge")
	}
}
