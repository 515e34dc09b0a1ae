// Package awserr classifies AWS API errors in one place, so every collector
// and the key resolver agree on what "denied", "throttled" and "gone" mean.
// The classification decides verdicts: a denied or throttled call is a gap or
// an ERROR, a vanished resource is skipped, and none of them is ever a PASS.
package awserr

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// Class is the kind of failure.
type Class int

// Classes of failure, from the auditor's point of view.
const (
	Other        Class = iota // anything else: reported as an error
	AccessDenied              // the caller may not look: unknown, reported
	Throttled                 // still throttled after the SDK's retries
	NotFound                  // the thing does not exist (or no longer)
	Canceled                  // the scan was canceled
	Unsupported               // the service or operation is not available here
)

var accessDeniedCodes = map[string]bool{
	"AccessDenied": true, "AccessDeniedException": true, "UnauthorizedOperation": true,
	"UnrecognizedClientException": true, "InvalidClientTokenId": true, "AuthFailure": true,
	"ExpiredToken": true, "ExpiredTokenException": true, "OptInRequired": true,
	"UnauthorizedException": true, "NotAuthorized": true,
}

var throttleCodes = map[string]bool{
	"Throttling": true, "ThrottlingException": true, "ThrottledException": true,
	"RequestThrottledException": true, "TooManyRequestsException": true,
	"ProvisionedThroughputExceededException": true, "RequestLimitExceeded": true,
	"SlowDown": true, "LimitExceededException": true,
}

var notFoundCodes = map[string]bool{
	"ResourceNotFound": true, "ResourceNotFoundException": true, "NotFoundException": true,
	"NoSuchEntity": true,
}

// SageMaker reports missing resources as ValidationException with one of
// these phrases rather than a dedicated code.
var notFoundPhrases = []string{"could not find", "not found", "does not exist", "recordnotfound", "cannot be found"}

var unsupportedCodes = map[string]bool{
	"UnknownOperationException": true, "InvalidAction": true, "NotImplemented": true,
}

// Classify returns the class of err; nil is Other.
func Classify(err error) Class {
	if err == nil {
		return Other
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return Canceled
	}
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		code := apiErr.ErrorCode()
		switch {
		case accessDeniedCodes[code]:
			return AccessDenied
		case throttleCodes[code]:
			return Throttled
		case notFoundCodes[code]:
			return NotFound
		case unsupportedCodes[code]:
			return Unsupported
		case code == "ValidationException" && mentionsMissing(apiErr.ErrorMessage()):
			return NotFound
		}
	}
	// A request that ran out of retries is throttled only if its last error
	// was a throttle (caught above through the wrapped API error); a server
	// error or a network failure is reported as what it is.
	return Other
}

func mentionsMissing(msg string) bool {
	msg = strings.ToLower(msg)
	for _, p := range notFoundPhrases {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}

// Reason is a short, log-safe description of err for reports: the class and
// the AWS error code, plus the message for unclassified errors. It never
// includes credentials (the SDK does not put them in errors).
func Reason(op string, err error) string {
	var apiErr smithy.APIError
	code := ""
	if errors.As(err, &apiErr) {
		code = apiErr.ErrorCode()
	}
	switch Classify(err) {
	case AccessDenied:
		return fmt.Sprintf("%s: access denied (%s)", op, code)
	case Throttled:
		return fmt.Sprintf("%s: throttled after retries", op)
	case NotFound:
		return fmt.Sprintf("%s: not found", op)
	case Canceled:
		return fmt.Sprintf("%s: canceled", op)
	case Unsupported:
		return fmt.Sprintf("%s: not supported here (%s)", op, code)
	}
	if code != "" {
		return fmt.Sprintf("%s: %s: %s", op, code, apiErr.ErrorMessage())
	}
	var resp *smithyhttp.ResponseError
	if errors.As(err, &resp) {
		return fmt.Sprintf("%s: service error (HTTP %d)", op, resp.HTTPStatusCode())
	}
	return fmt.Sprintf("%s: %v", op, err)
}
