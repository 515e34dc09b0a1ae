package collect

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/sagekey/sagekey/internal/awserr"
	"github.com/sagekey/sagekey/internal/inventory"
)

// Job is one collector run against one target.
type Job struct {
	Target    Target
	Collector Collector
}

// Outcome is how one job ended. A job is Complete when it finished without
// reporting any gap: only then does its listing prove that a resource it did
// not report no longer exists.
type Outcome struct {
	Job      Job
	Complete bool
}

// Run executes jobs with at most limit running at once (limit < 1 means 1)
// and returns, in job order, how each one ended once every job has finished
// or been recorded as not done.
//
// Run never stops early: a job's error or panic becomes a gap for that
// collector and target, and the other jobs carry on, because a partial scan
// with its holes reported is worth more than no scan. When ctx ends, jobs
// that have not completed are recorded as "canceled" gaps so the inventory
// shows the scan is incomplete instead of quietly missing resources.
func Run(ctx context.Context, jobs []Job, limit int, sink Sink) []Outcome {
	if limit < 1 {
		limit = 1
	}
	outcomes := make([]Outcome, len(jobs))
	// A plain Group, not WithContext: one job failing must not cancel the
	// others.
	var g errgroup.Group
	g.SetLimit(limit)
	for _, i := range startOrder(jobs) {
		job := jobs[i]
		g.Go(func() error {
			counted := &gapCounter{Sink: sink}
			runJob(ctx, job, counted)
			outcomes[i] = Outcome{Job: job, Complete: counted.gaps.Load() == 0}
			return nil
		})
	}
	_ = g.Wait() // jobs never return errors; failures are gaps
	return outcomes
}

// startOrder is the order in which Run starts jobs: round-robin over
// their targets (account and region), each target's jobs in the order
// given. Collectors list the long-running kinds first (training jobs,
// hosting, notebooks), so every region's long collectors start at once
// instead of one region's waiting for another's short ones: on the
// benchmark's three-region estate the last region's training-job
// collector started 3.4 s into a 7.9 s collection. Spreading the calls
// in flight over the regions' endpoints also spreads their rate limits.
func startOrder(jobs []Job) []int {
	type unit struct{ account, region string }
	var units []unit
	byUnit := map[unit][]int{}
	for i, j := range jobs {
		u := unit{j.Target.Account, j.Target.Region}
		if _, seen := byUnit[u]; !seen {
			units = append(units, u)
		}
		byUnit[u] = append(byUnit[u], i)
	}
	order := make([]int, 0, len(jobs))
	for k := 0; len(order) < len(jobs); k++ {
		for _, u := range units {
			if k < len(byUnit[u]) {
				order = append(order, byUnit[u][k])
			}
		}
	}
	return order
}

// gapCounter passes everything on and counts the gaps of one job.
type gapCounter struct {
	Sink
	gaps atomic.Int64
}

func (c *gapCounter) Gap(g inventory.Gap) {
	c.gaps.Add(1)
	c.Sink.Gap(g)
}

func runJob(ctx context.Context, job Job, sink Sink) {
	name := job.Collector.Name()
	log := slog.With(
		slog.String("account", job.Target.Account),
		slog.String("region", job.Target.Region),
		slog.String("collector", name),
	)
	gap := func(reason string) {
		sink.Gap(inventory.Gap{
			Account: job.Target.Account,
			Region:  job.Target.Region,
			Service: name,
			Reason:  reason,
		})
	}
	// A job that waited for a slot while the scan was canceled never starts.
	if err := ctx.Err(); err != nil {
		log.InfoContext(ctx, "collector not started: scan canceled")
		gap(canceledReason(err))
		return
	}
	defer func() {
		if r := recover(); r != nil {
			log.ErrorContext(ctx, "collector panicked",
				slog.Any("panic", r), slog.String("stack", string(debug.Stack())))
			gap(fmt.Sprintf("internal error: panic: %v", r))
		}
	}()

	start := time.Now()
	log.DebugContext(ctx, "collector started")
	err := job.Collector.Collect(ctx, job.Target, sink)
	switch {
	case err == nil:
		log.DebugContext(ctx, "collector finished", slog.Duration("elapsed", time.Since(start)))
	case ctx.Err() != nil || awserr.Classify(err) == awserr.Canceled:
		log.InfoContext(ctx, "collector canceled", slog.Any("error", err))
		if ctxErr := ctx.Err(); ctxErr != nil {
			err = ctxErr // the short cause, not the SDK's wrapped chain
		}
		gap(canceledReason(err))
	default:
		log.ErrorContext(ctx, "collector failed", slog.Any("error", err))
		gap(awserr.Reason(name, err))
	}
}

func canceledReason(err error) string {
	return "canceled: " + err.Error()
}

// JobsFor pairs every collector with one target.
func JobsFor(t Target, collectors []Collector) []Job {
	jobs := make([]Job, 0, len(collectors))
	for _, c := range collectors {
		jobs = append(jobs, Job{Target: t, Collector: c})
	}
	return jobs
}
