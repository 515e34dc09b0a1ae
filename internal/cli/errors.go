package cli

import (
	"errors"

	"github.com/sagekey/sagekey/internal/awsclient"
)

// errorText is the line RunEnv prints for err. An error already explained
// for a person (awsclient.Error: what was tried and how to fix it) is
// printed alone, without the prefixes added on its way up ("who am I: "),
// which name sagekey's internals rather than anything the user can change.
// Only a plain chain is shortened: in a joined error (violations plus a
// store failure, say) every part is printed as it is.
func errorText(err error) string {
	for e := err; e != nil; e = errors.Unwrap(e) {
		if explained, ok := e.(*awsclient.Error); ok { //nolint:errorlint // walking the chain one link at a time
			return explained.Error()
		}
		if _, joined := e.(interface{ Unwrap() []error }); joined {
			break
		}
	}
	return err.Error()
}
