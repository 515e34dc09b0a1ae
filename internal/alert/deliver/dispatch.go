package deliver

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/sagekey/sagekey/internal/alert"
	"github.com/sagekey/sagekey/internal/schedule"
	"github.com/sagekey/sagekey/internal/store"
)

// Defaults of the Dispatcher's zero fields.
const (
	DefaultMaxAttempts = 8
	DefaultLease       = time.Minute
	DefaultPoll        = 2 * time.Second
	DefaultBatch       = 50
)

// markTimeout bounds recording an outcome. Marks run even when the
// caller's context has just ended: a delivery that succeeded should be
// recorded, or it is sent again.
const markTimeout = 5 * time.Second

// Meter counts deliveries; *metrics.Metrics satisfies it.
type Meter interface {
	AlertSent(sink string)
	AlertFailed(sink string)
}

// Dispatcher sends due outbox items to their sinks. Its fields are read,
// never written, by its methods, so one Dispatcher may run Run and Flush
// at once (the outbox's claims keep them from sending the same item).
type Dispatcher struct {
	Outbox      Outbox
	Sinks       map[string]alert.Sink
	MaxAttempts int              // default 8; after that the item is a dead letter
	Backoff     schedule.Backoff // retry spacing; alert.RetryAfter(err) wins when longer
	Lease       time.Duration    // default 1m; a send is cut off when its lease ends
	Poll        time.Duration    // default 2s; how often Run looks for due work
	Batch       int              // default 50
	Meter       Meter            // may be nil
	Now         func() time.Time // nil = time.Now
	Wake        <-chan struct{}  // optional: a send makes Run poll at once
	Logger      *slog.Logger     // nil = slog.Default()
}

// settings is a Dispatcher with its defaults applied.
type settings struct {
	*Dispatcher
	maxAttempts, batch int
	lease, poll        time.Duration
	now                func() time.Time
	log                *slog.Logger
}

func (d *Dispatcher) settings() settings {
	s := settings{Dispatcher: d, maxAttempts: d.MaxAttempts, batch: d.Batch, lease: d.Lease, poll: d.Poll, now: d.Now, log: d.Logger}
	if s.maxAttempts <= 0 {
		s.maxAttempts = DefaultMaxAttempts
	}
	if s.batch <= 0 {
		s.batch = DefaultBatch
	}
	if s.lease <= 0 {
		s.lease = DefaultLease
	}
	if s.poll <= 0 {
		s.poll = DefaultPoll
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	return s
}

// DeliverDue makes one pass: it claims up to Batch due items and sends
// each. delivered and failed count the items that reached a verdict (a
// dead letter counts as failed); err reports store failures, or the
// context's error when the pass was cut short. A sink's failure is never
// an error: it is recorded on the item.
func (d *Dispatcher) DeliverDue(ctx context.Context) (delivered, failed int, err error) {
	p, err := d.settings().pass(ctx)
	return p.delivered, p.failed, err
}

// Run delivers until ctx is done, then returns nil. It polls every Poll,
// at once when Wake fires, and again straight away after a full batch.
// Store errors are logged and retried on the next poll.
func (d *Dispatcher) Run(ctx context.Context) error {
	s := d.settings()
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-timer.C:
		case <-d.Wake: // a nil Wake blocks forever, which is what we want
		}
		p, err := s.pass(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			s.log.ErrorContext(ctx, "alert delivery pass failed", "error", err)
		}
		next := s.poll
		if err == nil && p.claimed >= s.batch {
			next = 0 // more is probably due
		}
		timer.Reset(next)
	}
}

// Flush delivers until nothing is due now, or ctx is done (it then returns
// ctx's error, so a shutdown with a deadline knows it left work behind).
// Items that fail are rescheduled later and so no longer due: Flush makes
// one attempt at each, it does not wait for retries.
func (d *Dispatcher) Flush(ctx context.Context) error {
	s := d.settings()
	for {
		p, err := s.pass(ctx)
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if p.claimed == 0 {
			return nil
		}
	}
}

// passResult counts one pass.
type passResult struct{ claimed, delivered, failed int }

// pass claims due items and sends them in order. When a sink fails with a
// temporary error, its other items in the batch are not sent but failed
// with the same error: a receiver that is down would otherwise cost a
// timeout per item and could hold the batch past its lease.
func (s settings) pass(ctx context.Context) (passResult, error) {
	var res passResult
	claimedAt := s.now()
	items, err := s.Outbox.ClaimDueAlerts(ctx, claimedAt, s.batch, s.lease)
	if err != nil {
		return res, fmt.Errorf("claim due alerts: %w", err)
	}
	res.claimed = len(items)
	leaseEnd := claimedAt.Add(s.lease)
	down := map[string]error{}
	var errs []error
	for _, it := range items {
		if ctx.Err() != nil || !s.now().Before(leaseEnd) {
			// Left unmarked: the lease brings it back.
			break
		}
		o := s.deliver(ctx, it, leaseEnd, down)
		if o.skipped {
			continue
		}
		if err := s.record(ctx, it, o); err != nil {
			errs = append(errs, err)
			continue
		}
		if o.err == nil {
			res.delivered++
		} else {
			res.failed++
		}
	}
	if err := ctx.Err(); err != nil {
		errs = append(errs, err)
	}
	return res, errors.Join(errs...)
}

// outcome is what became of one item.
type outcome struct {
	err     error // nil: delivered
	dead    bool
	next    time.Time
	tried   bool // the sink was called (so the attempt is metered)
	skipped bool // the context ended during the send: leave it to the lease
}

func (s settings) deliver(ctx context.Context, it store.OutboxItem, leaseEnd time.Time, down map[string]error) outcome {
	sink, ok := s.Sinks[it.Sink]
	if !ok {
		// Perhaps removed from the configuration while items waited, or
		// configured on another replica: keep trying until MaxAttempts
		// rather than drop it at once.
		return s.failure(it, fmt.Errorf("sink %q is not configured", it.Sink), false)
	}
	if cause, ok := down[it.Sink]; ok {
		return s.failure(it, fmt.Errorf("not sent: %s failed earlier in this pass: %w", it.Sink, cause), false)
	}
	var a alert.Alert
	if err := json.Unmarshal(it.Payload, &a); err != nil {
		return s.failure(it, alert.Permanent(fmt.Errorf("payload is not a sagekey.alert/v1 document: %w", err)), false)
	}
	// The send may last what is left of the lease, measured on Now's clock
	// but waited for in real time.
	sctx, cancel := context.WithTimeout(ctx, leaseEnd.Sub(s.now()))
	err := sink.Send(sctx, a)
	cancel()
	if err != nil && ctx.Err() != nil {
		return outcome{skipped: true}
	}
	if err == nil {
		return outcome{tried: true}
	}
	o := s.failure(it, err, true)
	if !alert.IsPermanent(err) {
		down[it.Sink] = err
	}
	return o
}

// failure decides when to retry: never for a permanent error or once
// MaxAttempts claims were spent (Attempts counts this claim), else after
// the backoff or the receiver's Retry-After, whichever is longer.
func (s settings) failure(it store.OutboxItem, err error, tried bool) outcome {
	o := outcome{err: err, tried: tried}
	o.dead = alert.IsPermanent(err) || it.Attempts >= s.maxAttempts
	wait := s.Backoff.Delay(max(it.Attempts-1, 0))
	if ra, ok := alert.RetryAfter(err); ok && ra > wait {
		wait = ra
	}
	o.next = s.now().Add(wait)
	return o
}

// record marks the item and meters and logs the outcome.
func (s settings) record(ctx context.Context, it store.OutboxItem, o outcome) error {
	mctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), markTimeout)
	defer cancel()
	if o.err == nil {
		if s.Meter != nil {
			s.Meter.AlertSent(it.Sink)
		}
		if err := s.Outbox.MarkDelivered(mctx, it.ID, it.Sink, s.now()); err != nil {
			return fmt.Errorf("alert %s delivered to %s but not recorded (it will be sent again): %w", it.ID, it.Sink, err)
		}
		return nil
	}
	if s.Meter != nil && o.tried {
		s.Meter.AlertFailed(it.Sink)
	}
	attrs := []any{"sink", it.Sink, "alert_id", it.ID, "attempt", it.Attempts, "error", o.err.Error()}
	if o.dead {
		s.log.ErrorContext(ctx, "alert delivery gave up: dead letter", attrs...)
	} else {
		s.log.WarnContext(ctx, "alert delivery failed, will retry", append(attrs, "next_attempt", o.next)...)
	}
	if err := s.Outbox.MarkFailed(mctx, it.ID, it.Sink, o.err.Error(), o.next, o.dead); err != nil {
		return fmt.Errorf("record failed delivery of alert %s to %s: %w", it.ID, it.Sink, err)
	}
	return nil
}
