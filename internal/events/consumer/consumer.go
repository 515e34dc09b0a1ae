// Package consumer reads CloudTrail events that EventBridge delivers to an
// SQS queue, turns them into events.Targets and hands each batch, coalesced,
// to a Handler. It owns the queue semantics: a message it cannot read stays
// on the queue for its redrive policy to move to the dead-letter queue; a
// message is deleted only once handled (or known to need no handling); the
// visibility timeout is extended while a slow handler runs; an event
// delivered twice is handled once.
package consumer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/sagekey/sagekey/internal/events"
)

// SQSAPI is the part of the SQS client the consumer calls.
type SQSAPI interface {
	ReceiveMessage(ctx context.Context, in *sqs.ReceiveMessageInput, optFns ...func(*sqs.Options)) (*sqs.ReceiveMessageOutput, error)
	DeleteMessageBatch(ctx context.Context, in *sqs.DeleteMessageBatchInput, optFns ...func(*sqs.Options)) (*sqs.DeleteMessageBatchOutput, error)
	ChangeMessageVisibility(ctx context.Context, in *sqs.ChangeMessageVisibilityInput, optFns ...func(*sqs.Options)) (*sqs.ChangeMessageVisibilityOutput, error)
}

// Handler checks the targets of one batch, coalesced. An error leaves the
// batch's messages on the queue, so SQS delivers them again.
type Handler func(ctx context.Context, targets []events.Target) error

// Meter counts messages by what became of them.
type Meter interface {
	// Received counts messages received.
	Received(n int)
	// Unrecognised counts messages that are not a recognised event, left
	// for the dead-letter queue.
	Unrecognised(n int)
	// Handled counts events done with: handled now or before, or about
	// nothing sagekey checks (tags on a SageMaker model).
	Handled(n int)
	// Failed counts events of calls that failed: nothing changed, so they
	// are deleted without handling.
	Failed(n int)
}

// Seen is the idempotency store: which events were handled already.
type Seen interface {
	Seen(ctx context.Context, eventID string) (bool, error)
	Mark(ctx context.Context, eventIDs []string) error
}

// Defaults and limits of the Consumer's settings (SQS's limits: at most 10
// messages a receive, a long poll of at most 20 s).
const (
	DefaultBatch      = 10
	DefaultWait       = 10 * time.Second
	DefaultVisibility = 60 * time.Second
	maxBatch          = 10
	maxWait           = 20 * time.Second
)

// Consumer reads one queue. Its zero settings take the defaults.
type Consumer struct {
	API      SQSAPI
	QueueURL string
	Handle   Handler
	// Batch is how many messages one receive asks for (1–10).
	Batch int
	// Wait is the long poll (at most 20 s).
	Wait time.Duration
	// Visibility is the visibility timeout a received message gets, and
	// each extension grants again (whole seconds, at least 1 s).
	Visibility time.Duration
	// Extend is how often the visibility of the messages being handled is
	// extended; Visibility/2 when zero, so an extension lands well before
	// the timeout even if one call is slow.
	Extend time.Duration
	// Meter and Seen may be nil: nothing is counted; duplicates are only
	// caught within a batch.
	Meter Meter
	Seen  Seen
	// Log may be nil: slog's default logger.
	Log *slog.Logger
}

// settings are a Consumer's settings with defaults applied.
type settings struct {
	batch                    int32
	wait, visibility, extend time.Duration
}

// Validate checks the settings as Run would, so a command can refuse bad
// flags before it starts.
func (c *Consumer) Validate() error {
	_, err := c.settings()
	return err
}

func (c *Consumer) settings() (settings, error) {
	s := settings{batch: int32(c.Batch), wait: c.Wait, visibility: c.Visibility, extend: c.Extend}
	if s.batch == 0 {
		s.batch = DefaultBatch
	}
	if s.wait == 0 {
		s.wait = DefaultWait
	}
	if s.visibility == 0 {
		s.visibility = DefaultVisibility
	}
	if s.extend == 0 {
		s.extend = s.visibility / 2
	}
	switch {
	case c.API == nil || c.QueueURL == "" || c.Handle == nil:
		return s, errors.New("consumer: API, QueueURL and Handle are required")
	case s.batch < 1 || s.batch > maxBatch:
		return s, fmt.Errorf("consumer: batch %d is not within 1–%d", s.batch, maxBatch)
	case s.wait < 0 || s.wait > maxWait:
		return s, fmt.Errorf("consumer: wait %s is not within 0–%s", s.wait, maxWait)
	case s.visibility < time.Second:
		return s, fmt.Errorf("consumer: visibility %s is under a second", s.visibility)
	case s.extend <= 0 || s.extend >= s.visibility:
		return s, fmt.Errorf("consumer: extend %s must be positive and under the visibility %s", s.extend, s.visibility)
	}
	return s, nil
}

func (c *Consumer) log() *slog.Logger {
	if c.Log != nil {
		return c.Log
	}
	return slog.Default()
}

// Run polls until ctx is done, then returns nil. A failed poll (the queue
// unreachable, the handler or the idempotency store failing) is logged
// and retried after a backoff; only invalid settings end it early.
func (c *Consumer) Run(ctx context.Context) error {
	if _, err := c.settings(); err != nil {
		return err
	}
	backoff := time.Duration(0)
	for ctx.Err() == nil {
		if _, err := c.Poll(ctx); err != nil && ctx.Err() == nil {
			backoff = nextBackoff(backoff)
			c.log().Warn("event queue poll failed; retrying", "queue", c.QueueURL, "error", err, "in", backoff)
			sleep(ctx, backoff)
			continue
		}
		backoff = 0
	}
	return nil
}

// nextBackoff doubles from a second to half a minute: long enough not to
// hammer a queue or store that is down, short enough to catch up soon.
func nextBackoff(d time.Duration) time.Duration {
	if d == 0 {
		return time.Second
	}
	return min(2*d, 30*time.Second)
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
