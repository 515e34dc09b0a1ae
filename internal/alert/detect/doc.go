// Package detect decides which alerts one stored scan raises, given the
// scan before it. It is pure: the caller reads both scans back from the
// store (or holds the scan it just ran) and Detect compares them.
//
// Alerts follow transitions, never states, so a scan that changes nothing
// raises nothing:
//
//   - a violation opened or reopened by the scan, at or above
//     Options.MinSeverity (history's Opened episodes: history.Advance
//     already decided what is new);
//   - a KMS key whose state became Disabled or PendingDeletion (or
//     PendingReplicaDeletion) since the previous scan, with its blast
//     radius;
//   - percent compliant (package compliance, as in the HTML report)
//     crossing from at or above Options.ComplianceThreshold to below it;
//   - a scan that failed, and gaps (account, region, service) the previous
//     scan did not have.
//
// Events carry a Key that is a pure function of the kind, the subject and
// the run, so detecting twice on the same scans gives the same keys and a
// sink can drop duplicates after a crash or restart.
package detect
