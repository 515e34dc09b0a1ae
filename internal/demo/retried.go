package demo

import (
	"errors"
	"strings"

	"github.com/aws/smithy-go"
)

// createdEvenIfRetried returns nil when err says the resource a create call
// names already exists, and err otherwise.
//
// Why: the seeding client retries once (motoserver.AWSConfig). When the
// first attempt reached moto_server and created the resource but its
// response was lost on the way back, the retry is answered "Cannot create a
// duplicate ..." or "... already exists", and seeding would fail although
// the resource is there exactly as asked. Every name the seed creates is
// unique (the manifest test fails on a repeated expectation), so an
// "already exists" answer can only be the echo of the seed's own attempt.
func createdEvenIfRetried(err error) error {
	var apiErr smithy.APIError
	if err == nil || !errors.As(err, &apiErr) {
		return err
	}
	msg := strings.ToLower(apiErr.ErrorMessage())
	switch {
	case apiErr.ErrorCode() == "EntityAlreadyExists", apiErr.ErrorCode() == "AlreadyExistsException",
		apiErr.ErrorCode() == "ResourceInUse",
		strings.Contains(msg, "cannot create a duplicate"), strings.Contains(msg, "already exists"):
		return nil
	}
	return err
}
