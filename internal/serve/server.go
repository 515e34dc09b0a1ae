package serve

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sagekey/sagekey/internal/alert/deliver"
	"github.com/sagekey/sagekey/internal/schedule"
)

// server is one serve process's state. The runner goroutine owns failures;
// the rest is shared and guarded.
type server struct {
	o        Options
	trigger  chan struct{} // POST /api/scan → the runner
	forced   atomic.Bool   // the next run was asked for, not scheduled
	wake     chan struct{} // alerts enqueued → the dispatcher
	failures int           // consecutive failed scans (runner goroutine)
	ready    readiness
	gauges   sync.Mutex // one refresh at a time
	gauged   int64      // run whose state the gauges show (under gauges)
	loaded   loadCache  // the last stored scans read and evaluated
	alerting sync.Mutex // one alertRuns at a time (the scan job, the refresh)
	// index and keyStates serve event-driven checks (--queue).
	index     indexCache
	keyStates keyStateLog
}

// Run serves until ctx is done (SIGTERM, Ctrl-C), then shuts down: the
// listener stops accepting, a running scan is canceled (a canceled scan is
// never stored), and the outbox is flushed within ShutdownTimeout. A failed
// scan never ends it; only a listener that cannot serve does.
func Run(ctx context.Context, o Options) error {
	if err := o.defaults(); err != nil {
		return err
	}
	s := &server{o: o, trigger: make(chan struct{}, 1), wake: make(chan struct{}, 1)}
	s.ready.grace = o.ReadyGrace
	if err := s.startMarks(ctx); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", o.Listen)
	if err != nil {
		return err
	}
	if o.Listening != nil {
		o.Listening(ln.Addr())
	}
	slog.Info("sagekey serve listening", "addr", ln.Addr().String(), "auth", o.AuthToken != "",
		"schedule", scheduleName(o.Schedule, o.NoScan), "sinks", len(o.Sinks))
	if len(o.Sinks) == 0 {
		slog.Warn("no alert sinks configured (serve.sinks in sagekey.yaml): changes are detected and shown on the dashboard, but not sent")
	}
	srv := &http.Server{Handler: s.handler(), ReadHeaderTimeout: 10 * time.Second, IdleTimeout: time.Minute}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	work, stopWork := context.WithCancel(ctx)
	defer stopWork()
	dispatcher := s.dispatcher()
	var wg sync.WaitGroup
	loops := []func(context.Context){
		func(ctx context.Context) { _ = dispatcher.Run(ctx) },
		s.refreshLoop,
	}
	if !o.NoScan {
		loops = append(loops, s.runSchedule)
	}
	for _, loop := range append(loops, s.queueLoops()...) {
		wg.Add(1)
		go func() { defer wg.Done(); loop(work) }()
	}

	var serveErr error
	select {
	case <-ctx.Done():
		slog.Info("shutting down: finishing in-flight requests, canceling the running scan, flushing alerts")
	case serveErr = <-served:
		slog.Error("the HTTP server stopped", "error", serveErr)
	}
	stopWork()
	// The flush must outlive ctx, which is already done.
	down, cancel := context.WithTimeout(context.WithoutCancel(ctx), o.ShutdownTimeout)
	defer cancel()
	shutErr := srv.Shutdown(down)
	wg.Wait()
	if err := dispatcher.Flush(down); err != nil {
		slog.Warn("alerts left in the outbox for the next start", "error", err)
	}
	if errors.Is(serveErr, http.ErrServerClosed) {
		serveErr = nil
	}
	return errors.Join(serveErr, ignoreClosed(shutErr))
}

func ignoreClosed(err error) error {
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

func (s *server) dispatcher() *deliver.Dispatcher {
	return &deliver.Dispatcher{Outbox: s.o.Store, Sinks: s.o.Sinks, MaxAttempts: s.o.AlertMaxAttempts,
		Backoff: s.o.AlertBackoff, Poll: s.o.AlertPoll, Meter: s.o.Metrics, Now: s.o.Clock.Now, Wake: s.wake}
}

// runSchedule runs scans on the schedule until ctx is done.
func (s *server) runSchedule(ctx context.Context) {
	r := schedule.Runner{Backoff: s.o.Backoff, TryLock: s.o.Store.TryScanLock, RunAtStart: s.o.RunAtStart, Trigger: s.trigger}
	err := r.Run(ctx, s.o.Schedule, s.o.Clock, s.job, schedule.Hooks{
		OnWait: func(at time.Time, retry bool) {
			s.ready.waiting(at, retry)
			slog.Info("next scan", "at", at.UTC().Format(time.RFC3339), "retry", retry)
		},
		OnFailure: func(err error, attempt int) {
			slog.Error("scheduled scan failed; retrying with backoff", "attempt", attempt, "error", err)
		},
		OnSkip: func(time.Time) {
			slog.Info("another replica holds the scan lock: skipped this scan")
			s.refresh(ctx)
		},
	})
	if err != nil && ctx.Err() == nil {
		slog.Error("the schedule stopped", "error", err)
	}
}

// refreshLoop keeps the gauges on the latest stored scan, whichever
// replica or process stored it, and alerts on scans stored by others (a
// sweep's shards, a replica that crashed before alerting).
func (s *server) refreshLoop(ctx context.Context) {
	s.refresh(ctx)
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.o.Clock.After(s.o.Refresh):
			s.refresh(ctx)
			if err := s.alertRuns(ctx); err != nil && ctx.Err() == nil {
				slog.Error("alerts for stored scans not enqueued; retried at the next refresh", "error", err)
			}
		}
	}
}

// wakeDispatcher asks the dispatcher to look at the outbox now.
func (s *server) wakeDispatcher() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func (s *server) now() time.Time { return s.o.Clock.Now() }

func scheduleName(sc schedule.Schedule, noScan bool) string {
	if noScan {
		return "none (--scan=false)"
	}
	if st, ok := sc.(interface{ String() string }); ok {
		return st.String()
	}
	return "every"
}
