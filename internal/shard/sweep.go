package shard

import (
	"fmt"
	"strings"
	"time"
)

// EnvBatchJobID is set by AWS Batch; in a child of an array job it is the
// parent's id, a colon and the child's index.
const EnvBatchJobID = "AWS_BATCH_JOB_ID"

// SweepTimeFormat names a time-derived sweep: the UTC start of its
// interval, to the minute ("2026-12-07T10:00Z").
const SweepTimeFormat = "2006-01-02T15:04Z"

// DefaultSweep is the sweep id of a shard started at start when none is
// given. Every shard of one sweep must derive the same id, so it prefers
// what the platform gives all of them alike:
//
//   - an AWS Batch array child uses its parent job's id (the part of
//     AWS_BATCH_JOB_ID before the colon);
//   - otherwise the start time truncated to every, in UTC. Shards that
//     start on either side of an interval boundary disagree, so deployments
//     should pass --sweep explicitly (the Kubernetes CronJob passes its Job's
//     name, which the CronJob derives from the scheduled time).
func DefaultSweep(getenv func(string) string, start time.Time, every time.Duration) string {
	if id := getenv(EnvBatchJobID); id != "" {
		if parent, _, ok := strings.Cut(id, ":"); ok && parent != "" {
			return parent
		}
	}
	if every <= 0 {
		every = time.Hour
	}
	return start.UTC().Truncate(every).Format(SweepTimeFormat)
}

// ValidSweep checks an explicit sweep id: it is stored and shown, so keep
// it short and printable.
func ValidSweep(id string) error {
	if id == "" || len(id) > 128 {
		return fmt.Errorf("%q: want 1 to 128 characters", id)
	}
	for _, r := range id {
		if r <= ' ' || r == 0x7f {
			return fmt.Errorf("%q: no spaces or control characters", id)
		}
	}
	return nil
}
