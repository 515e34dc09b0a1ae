package motoserver_test

import (
	"context"
	_ "embed"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/sagekey/sagekey/internal/awserr"
	"github.com/sagekey/sagekey/internal/motoserver"
)

//go:embed launcher.py
var launcherSource string

// TestLauncherAnswersUnimplementedAsAWS: an operation moto does not
// implement comes back as AWS answers an operation a service lacks, 400
// UnknownOperationException, in one request (no retries), classified as
// unsupported; an implemented one still works, and plain moto still sends
// its HTML 500 (so the launcher's answer is still needed).
func TestLauncherAnswersUnimplementedAsAWS(t *testing.T) {
	if !strings.Contains(launcherSource, `UNIMPLEMENTED_MESSAGE = "`+motoserver.UnimplementedMessage+`"`) {
		t.Fatalf("launcher.py's UNIMPLEMENTED_MESSAGE is not motoserver.UnimplementedMessage %q", motoserver.UnimplementedMessage)
	}
	ctx := context.Background()
	logs := &lockedBuffer{}
	srv, err := motoserver.Start(ctx, logs)
	if err != nil {
		skipOrFail(t, err, logs)
	}
	t.Cleanup(func() { _ = srv.Stop() })

	attempts := 0
	sm := sagemaker.NewFromConfig(awsConfig(t, srv), func(o *sagemaker.Options) {
		o.APIOptions = append(o.APIOptions, func(s *middleware.Stack) error {
			return s.Finalize.Add(middleware.FinalizeMiddlewareFunc("count", func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
				attempts++
				return next.HandleFinalize(ctx, in)
			}), middleware.After)
		})
	})
	_, err = sm.ListAlgorithms(ctx, &sagemaker.ListAlgorithmsInput{})
	var apiErr smithy.APIError
	var respErr *smithyhttp.ResponseError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "UnknownOperationException" ||
		!strings.Contains(apiErr.ErrorMessage(), "ListAlgorithms: "+motoserver.UnimplementedMessage) ||
		!errors.As(err, &respErr) || respErr.HTTPStatusCode() != 400 {
		t.Fatalf("ListAlgorithms (moto lacks it) = %v, want 400 UnknownOperationException", err)
	}
	if attempts != 1 {
		t.Errorf("ListAlgorithms took %d attempts, want 1 (no retries)", attempts)
	}
	if c := awserr.Classify(err); c != awserr.Unsupported {
		t.Errorf("classified as %v, want Unsupported", c)
	}
	if !logs.waitFor("ListAlgorithms: NotImplementedError") {
		t.Errorf("the launcher did not log why it answered 400; output:\n%s", logs.String())
	}
	if _, err := sm.ListNotebookInstances(ctx, &sagemaker.ListNotebookInstancesInput{MaxResults: aws.Int32(10)}); err != nil {
		t.Errorf("ListNotebookInstances (implemented): %v", err)
	}

	plainLogs := &lockedBuffer{}
	plain, err := motoserver.StartPlain(ctx, plainLogs)
	if err != nil {
		skipOrFail(t, err, plainLogs)
	}
	t.Cleanup(func() { _ = plain.Stop() })
	cfg := awsConfig(t, plain)
	cfg.RetryMaxAttempts = 1
	_, err = sagemaker.NewFromConfig(cfg, func(o *sagemaker.Options) { o.Retryer = aws.NopRetryer{} }).ListAlgorithms(ctx, &sagemaker.ListAlgorithmsInput{})
	if !errors.As(err, &respErr) || respErr.HTTPStatusCode() != 500 {
		t.Errorf("plain moto's ListAlgorithms = %v, want its HTML 500 (if moto now implements it, pick another operation it lacks)", err)
	}
}
