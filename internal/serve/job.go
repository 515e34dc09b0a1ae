package serve

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/sagekey/sagekey/internal/alert/compose"
	"github.com/sagekey/sagekey/internal/alert/deliver"
	"github.com/sagekey/sagekey/internal/alert/detect"
	"github.com/sagekey/sagekey/internal/metrics"
	"github.com/sagekey/sagekey/internal/report"
	"github.com/sagekey/sagekey/internal/schedule"
	"github.com/sagekey/sagekey/internal/store"
)

// job is one scheduled scan, run under the store's scan lock: scan (full
// or incremental), alert on what changed, read CloudTrail, refresh the
// gauges. Only a scan that did not complete is an error (retried with
// backoff); alert and trail failures are logged and caught up next time,
// because the marks they advance stay where they were.
func (s *server) job(ctx context.Context) error {
	started := s.now()
	forced := s.forced.Swap(false)
	if !forced && s.recentlyScanned(ctx, started) {
		slog.Info("a scan was stored less than half an interval ago (by this or another replica): skipped")
		s.refresh(ctx)
		return nil
	}
	lastFull, err := s.o.Store.ServeTime(ctx, store.MarkLastFullScan)
	if err != nil {
		return err
	}
	mode := schedule.Decide(started, lastFull, s.o.FullEvery)
	slog.Info("scan starting", "mode", mode.String(), "requested", forced)
	res, scanErr := s.o.Scan(ctx, mode == schedule.Full)
	took := s.now().Sub(started)
	if ctx.Err() != nil {
		return ctx.Err() // shutting down: the scan was not stored
	}
	if res == nil || res.Report == nil || res.Report.RunID == 0 {
		if scanErr == nil {
			scanErr = errors.New("the scan was not stored")
		}
		s.o.Metrics.ObserveScan(metrics.ScanFailed, took)
		s.scanFailed(ctx, started, scanErr)
		return scanErr
	}
	s.failures = 0
	rep := res.Report
	result := metrics.ScanOK
	if len(rep.Gaps) > 0 {
		result = metrics.ScanIncomplete
	}
	s.o.Metrics.ObserveScan(result, took)
	s.o.Metrics.AddAPICalls(apiCalls(rep.APICalls))
	slog.Info("scheduled scan complete", "run", rep.RunID, "mode", mode.String(), "findings", rep.Findings.Len(),
		"gaps", len(rep.Gaps), "duration", took.Round(time.Millisecond).String())
	if scanErr != nil {
		slog.Warn("the scan was stored but reported an error", "error", scanErr)
	}
	if mode == schedule.Full {
		if err := s.o.Store.SetServeTime(ctx, store.MarkLastFullScan, started); err != nil {
			slog.Warn("could not record the full scan; the next one will be full too", "error", err)
		}
	}
	if err := s.alertRuns(ctx); err != nil {
		slog.Error("alerts for the new scan not enqueued; retried after the next scan", "error", err)
	}
	if s.o.Trail != nil {
		if err := s.o.Trail(ctx); err != nil {
			slog.Warn("reading CloudTrail failed", "error", err)
		}
		if err := s.alertTrail(ctx); err != nil {
			slog.Error("CloudTrail alerts not enqueued; retried after the next scan", "error", err)
		}
	}
	s.refresh(ctx)
	return nil
}

// recentlyScanned reports whether a run was stored in the last half
// interval: replicas draw their own jitter, so without this two of them
// would each scan once per interval, one after the other.
func (s *server) recentlyScanned(ctx context.Context, now time.Time) bool {
	runs, err := s.o.Store.Runs(ctx)
	if err != nil || len(runs) == 0 {
		return false
	}
	next := s.o.Schedule.Next(now)
	interval := s.o.Schedule.Next(next).Sub(next)
	return interval > 0 && now.Sub(runs[len(runs)-1].Started) < interval/2
}

// scanFailed alerts on the first failure of a streak: retries of the same
// outage are counted and logged, not alerted again.
func (s *server) scanFailed(ctx context.Context, at time.Time, err error) {
	s.failures++
	if s.failures > 1 {
		return
	}
	events := detect.Detect(detect.Input{}, detect.Input{Failed: true, Error: err.Error(), At: at}, s.o.Detect)
	if qerr := s.enqueue(ctx, events); qerr != nil {
		slog.Error("the failed-scan alert was not enqueued", "error", qerr)
	}
}

// enqueue composes events into alerts and puts them in the outbox.
func (s *server) enqueue(ctx context.Context, events []detect.Event) error {
	if len(events) == 0 {
		return nil
	}
	alerts := compose.FromEvents(events, s.o.Compose)
	n, err := deliver.Enqueue(ctx, s.o.Store, s.o.Route, alerts, s.now())
	if err != nil {
		return err
	}
	slog.Info("alerts enqueued", "alerts", len(alerts), "deliveries", n)
	s.wakeDispatcher()
	return nil
}

func apiCalls(ops []report.OperationCalls) map[string]metrics.APICalls {
	out := make(map[string]metrics.APICalls, len(ops))
	for _, op := range ops {
		out[op.Operation] = metrics.APICalls{Calls: op.Calls, Retries: op.Retries, Throttles: op.Throttles}
	}
	return out
}
