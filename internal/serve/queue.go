package serve

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/sagekey/sagekey/internal/alert/detect"
	"github.com/sagekey/sagekey/internal/events"
	"github.com/sagekey/sagekey/internal/events/consumer"
	"github.com/sagekey/sagekey/internal/metrics"
	"github.com/sagekey/sagekey/internal/scan"
)

// seenRetention is how long handled event ids are remembered: longer than
// the queue keeps a message (4 days), so no redelivery outlives its mark.
const seenRetention = 7 * 24 * time.Hour

// QueueOptions turn on event-driven checks (serve --queue): EventBridge
// sends the CloudTrail events of SageMaker and KMS calls to an SQS queue,
// and each one re-checks what the call touched within seconds.
type QueueOptions struct {
	// Consumer reads the queue (API, QueueURL and its settings); serve
	// sets its Handle, Meter and Seen (the store, shared by replicas).
	Consumer consumer.Consumer
	// Pollers is how many receive loops run at once (default 4): a check
	// waits on AWS, so several batches are checked side by side.
	Pollers int
	// Check re-checks refs and stores a targeted run (scan.Checker.Check).
	Check func(ctx context.Context, refs []scan.Ref, judgeKeys []string) (*scan.Result, error)
	// Covers says whether an account and region are the scans' to judge
	// (scan.Checker.Covers); events from elsewhere are counted and dropped.
	Covers func(ctx context.Context, account, region string) bool
	// Partition builds the ARN of a resource an event names only by name.
	Partition string
}

func (q *QueueOptions) defaults() error {
	if q.Check == nil || q.Covers == nil {
		return errors.New("serve: --queue needs a checker")
	}
	if q.Pollers <= 0 {
		q.Pollers = 4
	}
	if q.Partition == "" {
		q.Partition = "aws"
	}
	return nil
}

// queueLoops are the receive loops and the pruning of old event ids.
func (s *server) queueLoops() []func(context.Context) {
	q := s.o.Queue
	if q == nil {
		return nil
	}
	c := q.Consumer
	c.Handle, c.Meter, c.Seen = s.handleEvents, s.o.Metrics, s.o.Store
	slog.Info("consuming events", "queue", c.QueueURL, "pollers", q.Pollers)
	var loops []func(context.Context)
	for range q.Pollers {
		loops = append(loops, func(ctx context.Context) { _ = c.Run(ctx) })
	}
	return append(loops, s.pruneSeen)
}

func (s *server) pruneSeen(ctx context.Context) {
	for {
		if n, err := s.o.Store.PruneSeen(ctx, s.now().Add(-seenRetention)); err != nil && ctx.Err() == nil {
			slog.Warn("pruning handled event ids failed", "error", err)
		} else if n > 0 {
			slog.Debug("pruned handled event ids", "ids", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-s.o.Clock.After(time.Hour):
		}
	}
}

// checkPlan is one batch's checks: the resources its SageMaker events
// name, and for its KMS events every resource the key protects, with
// that key's own findings judged.
type checkPlan struct {
	resources []scan.Ref
	keyRefs   []scan.Ref
	judged    []string
	outside   int
}

func (s *server) plan(ctx context.Context, targets []events.Target, idx *eventIndex) checkPlan {
	q := s.o.Queue
	var p checkPlan
	seen := map[string]bool{}
	add := func(list *[]scan.Ref, r scan.Ref) {
		k := r.Account + "\x00" + r.Region + "\x00" + r.Kind + "\x00" + r.Parent + "\x00" + r.Name
		if !seen[k] {
			seen[k] = true
			*list = append(*list, r)
		}
	}
	for _, t := range targets {
		if !q.Covers(ctx, t.Account, t.Region) {
			p.outside++
			continue
		}
		if t.Kind != events.KindKMSKey {
			add(&p.resources, idx.resourceRef(t, q.Partition))
			continue
		}
		arn := idx.keyARN(t)
		if arn == "" {
			slog.Debug("key event about a key no stored resource uses; nothing to check", "key", t.ARN, "action", t.Action)
			continue
		}
		p.judged = append(p.judged, arn)
		for _, r := range idx.protects[arn] {
			if q.Covers(ctx, r.Account, r.Region) {
				add(&p.keyRefs, r)
			}
		}
	}
	return p
}

// handleEvents is the consumer's Handler: one batch, coalesced.
func (s *server) handleEvents(ctx context.Context, targets []events.Target) error {
	idx, err := s.eventIndex(ctx)
	if err != nil {
		return fmt.Errorf("reading the latest scan: %w", err)
	}
	p := s.plan(ctx, targets, idx)
	if p.outside > 0 {
		s.o.Metrics.OutsideScope(p.outside)
	}
	var errs []error
	if len(p.resources) > 0 {
		errs = append(errs, s.check(ctx, p.resources, nil, kmsEvents(targets, false), idx))
	}
	if len(p.keyRefs) > 0 {
		errs = append(errs, s.check(ctx, p.keyRefs, p.judged, kmsEvents(targets, true), idx))
	}
	return errors.Join(errs...)
}

// kmsEvents returns the targets of KMS events (kms true) or of SageMaker
// events, so each check's lag is observed for the events it stands for.
func kmsEvents(targets []events.Target, kms bool) []events.Target {
	var out []events.Target
	for _, t := range targets {
		if (t.Kind == events.KindKMSKey) == kms {
			out = append(out, t)
		}
	}
	return out
}

// check runs one targeted check and alerts on what it changed.
func (s *server) check(ctx context.Context, refs []scan.Ref, judged []string, targets []events.Target, idx *eventIndex) error {
	started := time.Now()
	res, err := s.o.Queue.Check(ctx, refs, judged)
	result := metrics.ScanOK
	switch {
	case err != nil || res == nil || res.Report.RunID == 0:
		result = metrics.ScanFailed
	case len(res.Report.Gaps) > 0:
		result = metrics.ScanIncomplete
	}
	var lags []time.Duration
	if result != metrics.ScanFailed {
		now := s.now()
		for _, t := range targets {
			if !t.Time.IsZero() {
				lags = append(lags, now.Sub(t.Time))
			}
		}
	}
	s.o.Metrics.ObserveCheck(result, time.Since(started), lags)
	if result == metrics.ScanFailed {
		if err == nil {
			err = errors.New("the check was not stored")
		}
		return fmt.Errorf("checking %d resource(s): %w", len(refs), err)
	}
	slog.Info("event check stored", "run", res.Report.RunID, "resources", len(refs), "keys", len(judged),
		"findings", res.Report.Findings.Len(), "gaps", len(res.Report.Gaps), "duration", time.Since(started).Round(time.Millisecond))
	return s.alertCheck(ctx, res, idx)
}

// alertCheck enqueues the alerts of a stored check: the violations it
// opened or reopened, new gaps, and keys that went down since the state
// last known (the latest scan's, or a later check's). Compliance is not
// judged on a few resources.
func (s *server) alertCheck(ctx context.Context, res *scan.Result, idx *eventIndex) error {
	run := res.Report.RunID
	eps, err := s.o.Store.EpisodesOpenedIn(ctx, run)
	if err != nil {
		return err
	}
	cur := detect.Input{RunID: run, At: res.Report.Started, Gaps: res.Report.Gaps, Findings: res.Report.Findings.Collect(),
		KeyStates: map[string]string{}, Episodes: eps}
	for _, k := range res.Keys {
		cur.KeyStates[k.ARN] = k.State
	}
	prev := detect.Input{RunID: idx.runID, Gaps: idx.gaps, KeyStates: s.keyStates.overlay(idx.keyStates, idx.runID, run)}
	s.keyStates.record(run, cur.KeyStates)
	return s.enqueue(ctx, detect.Detect(prev, cur, detect.Options{MinSeverity: s.o.Detect.MinSeverity}))
}

// keyStateLog remembers key states that checks saw after the scan they
// compare with, so a key that went down is alerted once: by the first
// check that sees it, not again by the next check or the next scan.
type keyStateLog struct {
	mu     sync.Mutex
	states map[string]loggedState
}

type loggedState struct {
	state string
	run   int64
}

func (l *keyStateLog) record(run int64, states map[string]string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.states == nil {
		l.states = map[string]loggedState{}
	}
	for arn, st := range states {
		if st != "" {
			l.states[arn] = loggedState{state: st, run: run}
		}
	}
}

// overlay returns base (key states as of scan after) overlaid with the
// states checks stored after that scan and before run before.
func (l *keyStateLog) overlay(base map[string]string, after, before int64) map[string]string {
	out := make(map[string]string, len(base))
	for k, v := range base {
		out[k] = v
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for arn, st := range l.states {
		if st.run > after && st.run < before {
			out[arn] = st.state
		}
	}
	return out
}
