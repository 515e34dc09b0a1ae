package awsclient

import (
	"context"
	"log/slog"
)

// Problem is a way of failing to reach AWS that a person can fix.
type Problem int

// Problems Load and Identity explain.
const (
	NoCredentials       Problem = iota + 1 // the credential chain found nothing
	SSOSession                             // the profile's SSO session expired or was never started
	UnknownProfile                         // the profile is in no shared file
	NoRegion                               // no region anywhere
	EndpointUnreachable                    // the endpoint refused the connection or has no address
	RegionUnavailable                      // the region does not exist or is not enabled
	CredentialsRejected                    // AWS did not accept the credentials
)

// Error is a failure to reach AWS explained for a person: Error() is one
// line that says what was tried and how to fix it. The SDK's own text names
// middleware steps and retries ("get identity: get credentials: failed to
// refresh cached credentials, no EC2 IMDS role found, ...") and is logged
// at debug level instead; Err keeps it for errors.Is and errors.As.
type Error struct {
	Problem Problem
	Msg     string
	Err     error
}

func (e *Error) Error() string { return e.Msg }
func (e *Error) Unwrap() error { return e.Err }

// RetryableError tells the SDK's retryer not to retry: the credential
// chain is consulted inside each attempt, and an explained failure (no
// credentials, a stopped endpoint) would only come back after backoff. The
// wrapped network error would otherwise look retryable.
func (e *Error) RetryableError() bool { return false }

// Usage reports whether the fix lies in how sagekey was called or
// configured (a region to choose, a profile name to correct) rather than in
// the state of the world around it (an expired session, a stopped
// emulator), which the CLI reports with a different exit status.
func (e *Error) Usage() bool { return e.Problem == NoRegion || e.Problem == UnknownProfile }

// explained builds an Error and logs the SDK's full detail, which the
// one-line message leaves out, for --log-level debug.
func explained(ctx context.Context, p Problem, msg string, err error) *Error {
	slog.DebugContext(ctx, "AWS error detail", "error", err)
	return &Error{Problem: p, Msg: msg, Err: err}
}
