package demo

import (
	"errors"
	"fmt"
	"testing"

	"github.com/aws/smithy-go"
)

func TestCreatedEvenIfRetried(t *testing.T) {
	for _, tc := range []struct {
		name    string
		err     error
		isError bool
	}{
		{"no error", nil, false},
		{"not an API error", errors.New("connection refused"), true},
		{"moto's duplicate notebook", &smithy.GenericAPIError{Code: "ValidationException",
			Message: "Cannot create a duplicate Notebook Instance (arn:aws:sagemaker:us-east-1:123456789012:notebook-instance/a)"}, false},
		{"IAM role exists", &smithy.GenericAPIError{Code: "EntityAlreadyExists", Message: "Role with name r already exists."}, false},
		{"KMS alias exists", &smithy.GenericAPIError{Code: "AlreadyExistsException", Message: "An alias with the name alias/x already exists"}, false},
		{"a validation error that is no duplicate", &smithy.GenericAPIError{Code: "ValidationException", Message: "1 validation error detected"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.err
			if err != nil {
				err = fmt.Errorf("operation error: %w", err) // as the SDK wraps it
			}
			got := createdEvenIfRetried(err)
			if (got != nil) != tc.isError || (got != nil && got != err) {
				t.Fatalf("createdEvenIfRetried(%v) = %v, want error: %v (the same one)", err, got, tc.isError)
			}
		})
	}
}
