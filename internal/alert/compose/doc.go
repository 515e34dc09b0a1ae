// Package compose turns detected changes (package detect's events) into
// `sagekey.alert/v1` documents (package alert) ready for the outbox.
//
// It is pure and deterministic: the same events give the same alerts with
// the same ids, because every id is alert.NewID of the event's own
// idempotency key and run, so an alert composed again after a crash is
// recognised by the outbox and by receivers as a duplicate.
//
// Composition adds what a person needs to act and nothing detection did
// not decide: a title, the check's remediation, the owner tag, links to
// the check's documentation and to the dashboard.
package compose
