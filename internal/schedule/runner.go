package schedule

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ErrNoNextTime is returned by Run when the schedule never fires again.
var ErrNoNextTime = errors.New("schedule: the schedule never fires again")

// Hooks observe a Runner. Every field is optional; they are called from the
// Runner's goroutine, between runs, and must not block.
type Hooks struct {
	// OnWait is called before each wait with the time of the next run and whether
	// that run is a retry (for /readyz: is the scheduled scan overdue?).
	OnWait func(at time.Time, retry bool)
	// OnFailure is called after a run fails (the job, a panic in it, or TryLock
	// erred); attempt counts consecutive failures, from 1.
	OnFailure func(err error, attempt int)
	// OnSkip is called when TryLock reports that another holder is scanning.
	OnSkip func(at time.Time)
}

// Runner runs a job on a Schedule, one run at a time.
type Runner struct {
	// Backoff spaces retries after a failure; they never go past the next
	// scheduled time.
	Backoff Backoff
	// TryLock, when set, is called before each run. Not ok means another holder
	// (a replica) is scanning: the run is skipped and the Runner waits for the
	// next scheduled time. release, when not nil, is called after the job. An
	// error counts as a failed run.
	TryLock func(ctx context.Context) (release func(), ok bool, err error)
	// RunAtStart runs the job as soon as Run starts instead of waiting for the
	// first scheduled time.
	RunAtStart bool
	// Trigger, when set, runs the job at once whenever a value arrives
	// while the Runner waits (POST /api/scan). A triggered run is an extra
	// one: the schedule keeps its times.
	Trigger <-chan struct{}
}

// Run waits for each scheduled time and runs job. A failed run is reported to
// hooks.OnFailure and retried with r.Backoff, but never later than the next
// scheduled time; a success returns to the schedule. Run never returns because a
// job failed or panicked: it returns ctx.Err() when ctx is done, or ErrNoNextTime
// when the schedule never fires again. Jobs never overlap: each one returns
// before the next wait starts.
func (r Runner) Run(ctx context.Context, sched Schedule, clock Clock, job func(context.Context) error, hooks Hooks) error {
	if sched == nil || clock == nil || job == nil {
		return errors.New("schedule: Run needs a schedule, a clock and a job")
	}
	next := sched.Next(clock.Now())
	if next.IsZero() {
		return ErrNoNextTime
	}
	at := next
	if r.RunAtStart {
		at = clock.Now()
	}
	failures, retry := 0, false
	for {
		if hooks.OnWait != nil {
			hooks.OnWait(at, retry)
		}
		if err := wait(ctx, clock, at, r.Trigger); err != nil {
			return err
		}
		ran, err := r.attempt(ctx, job)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		now := clock.Now()
		if !now.Before(next) { // this was the scheduled run (or it overran it)
			if next = sched.Next(now); next.IsZero() {
				return ErrNoNextTime
			}
		}
		retry = false
		switch {
		case err != nil:
			failures++
			if hooks.OnFailure != nil {
				hooks.OnFailure(err, failures)
			}
			at = r.Backoff.NextAttempt(now, next, failures)
			retry = at.Before(next)
		case !ran:
			failures = 0
			if hooks.OnSkip != nil {
				hooks.OnSkip(now)
			}
			at = next
		default:
			failures = 0
			at = next
		}
	}
}

// wait blocks until clock reaches at, trigger fires or ctx is done. A nil
// trigger never fires.
func wait(ctx context.Context, clock Clock, at time.Time, trigger <-chan struct{}) error {
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		d := at.Sub(clock.Now())
		if d <= 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-trigger:
			return nil
		case <-clock.After(d):
		}
	}
}

// attempt takes the lock when there is one and runs the job; ran is false when
// another holder has the lock.
func (r Runner) attempt(ctx context.Context, job func(context.Context) error) (ran bool, err error) {
	if r.TryLock != nil {
		release, ok, err := r.TryLock(ctx)
		if err != nil {
			return false, fmt.Errorf("scan lock: %w", err)
		}
		if !ok {
			return false, nil
		}
		if release != nil {
			defer release()
		}
	}
	if err := ctx.Err(); err != nil { // never start a scan after shutdown began
		return false, err
	}
	return true, safeRun(ctx, job)
}

// safeRun turns a panic in the job into an error so the process never exits
// because of a scan.
func safeRun(ctx context.Context, job func(context.Context) error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("scan panicked: %v", p)
		}
	}()
	return job(ctx)
}
