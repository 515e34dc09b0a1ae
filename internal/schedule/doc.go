// Package schedule decides when `sagekey serve` scans and what kind of scan it runs.
//
// It is pure apart from the Runner loop, and even that reads time only through an
// injected Clock and randomness only through an injected Rand, so every decision is
// reproducible in tests:
//
//   - a Schedule says when the next scan is due: Every (an interval with jitter) or
//     Cron (a standard 5-field expression or a descriptor such as @daily), built from
//     the command-line flags by Parse;
//   - Decide says whether that scan is Incremental or Full (a full scan every
//     --full-every);
//   - Backoff says when a failed scan is retried, never later than the next
//     scheduled scan (NextAttempt);
//   - Runner waits, runs one job at a time, retries failures and never returns
//     because a job failed, only when its context is done.
//
// The lock that keeps two replicas from scanning at once lives in the store; the
// Runner only calls it through the optional TryLock hook.
package schedule
