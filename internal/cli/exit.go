package cli

import (
	"errors"
	"fmt"

	"github.com/sagekey/sagekey/internal/awsclient"
)

// Exit codes, documented in the README. They are decided here and nowhere
// else.
const (
	ExitOK         = 0 // no FAIL at or above --fail-on, and the scan was complete
	ExitError      = 1 // runtime error, or an incomplete scan (gaps)
	ExitUsage      = 2 // bad flags or configuration
	ExitViolations = 3 // FAIL findings at or above --fail-on
)

// usageError is a mistake in how sagekey was called.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// Outcomes of a scan that was written out completely but is not clean.
var (
	errViolations = errors.New("violations found")
	errIncomplete = errors.New("scan incomplete")
	// errTrailIncomplete: part of the trail could not be read (unreadable
	// files, bad records, gaps); exit 1 like an incomplete scan.
	errTrailIncomplete = errors.New("trail read incomplete")
)

// exitCode maps an error to the process exit status.
func exitCode(err error) int {
	var usage usageError
	var explained *awsclient.Error
	switch {
	case err == nil:
		return ExitOK
	case errors.Is(err, errViolations):
		return ExitViolations
	case errors.As(err, &usage):
		return ExitUsage
	case errors.As(err, &explained) && explained.Usage():
		// No region, or a profile name that is in no file: fixed by how
		// sagekey is called, before any AWS call was made. Missing or
		// expired credentials and unreachable endpoints stay runtime
		// errors: the same command works once the world is put right.
		return ExitUsage
	}
	return ExitError // runtime errors, cancellation, incomplete scans
}
