// Package alert is what `sagekey serve` tells people when something changes:
// the alert document (`sagekey.alert/v1`, documented in docs/alert.md) and the
// sinks that deliver it (a signed generic webhook, a Slack incoming webhook,
// an Amazon SNS topic).
//
// The package decides neither when to alert nor whether to retry: detection
// lives elsewhere, and delivery is driven by the store's outbox, which calls
// Sink.Send until it succeeds, backs off on temporary errors and dead-letters
// an alert at once when the error IsPermanent. Delivery is therefore at
// least once, and every alert carries a deterministic id (NewID) that
// receivers use to drop duplicates.
//
// Sinks hold secrets (webhook URLs, the HMAC secret). They never put them in
// an error or a log line: a URL is reported as its scheme and host only.
package alert
