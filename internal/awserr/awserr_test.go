package awserr

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go"
)

func TestClassify(t *testing.T) {
	t.Parallel()
	api := func(code, msg string) error {
		return fmt.Errorf("operation error: %w", &smithy.GenericAPIError{Code: code, Message: msg})
	}
	tests := []struct {
		name string
		err  error
		want Class
	}{
		{"denied", api("AccessDeniedException", "User is not authorized"), AccessDenied},
		{"throttled", api("ThrottlingException", "Rate exceeded"), Throttled},
		{"retries exhausted on throttling", &retry.MaxAttemptsError{Attempt: 3, Err: api("ThrottlingException", "Rate exceeded")}, Throttled},
		{"retries exhausted on a server error is not throttling", &retry.MaxAttemptsError{Attempt: 3, Err: api("InternalFailure", "")}, Other},
		{"retries exhausted on a network error", &retry.MaxAttemptsError{Attempt: 3, Err: errors.New("connection refused")}, Other},
		{"kms not found", api("NotFoundException", "Key does not exist"), NotFound},
		{"sagemaker vanished", api("ValidationException", "Could not find notebook instance"), NotFound},
		{"sagemaker invalid", api("ValidationException", "1 validation error detected"), Other},
		{"canceled", fmt.Errorf("wrap: %w", context.Canceled), Canceled},
		{"plain", errors.New("boom"), Other},
		{"nil", nil, Other},
	}
	for _, tt := range tests {
		if got := Classify(tt.err); got != tt.want {
			t.Errorf("%s: Classify = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestReasonNamesOperation(t *testing.T) {
	t.Parallel()
	err := &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "secret-ish detail"}
	got := Reason("sagemaker:ListNotebookInstances", err)
	if !strings.Contains(got, "sagemaker:ListNotebookInstances") || !strings.Contains(got, "access denied") {
		t.Errorf("Reason = %q", got)
	}
}
