package consumer

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/sagekey/sagekey/internal/events"
)

// bookkeepingTimeout bounds marking and deleting a handled batch after ctx
// is done: the checks ran, and a batch left undeleted only costs a
// redelivery, but one left unmarked costs a second check.
const bookkeepingTimeout = 10 * time.Second

// item is one recognised message to handle.
type item struct {
	msg    types.Message
	target events.Target
}

// sorted is a received batch sorted by what to do with each message.
type sorted struct {
	work []item
	// done are messages to delete without handling: failed calls, events
	// handled before, second copies within the batch, and events about
	// nothing sagekey checks.
	done         []types.Message
	unrecognised int
	failed       int
	duplicates   int
	notChecked   int
}

// Poll makes one receive → parse → coalesce → handle → delete cycle and
// returns how many messages it received (0 when the long poll found none).
// An error means part of the batch stays on the queue, to be delivered
// again once its visibility timeout ends.
func (c *Consumer) Poll(ctx context.Context) (int, error) {
	s, err := c.settings()
	if err != nil {
		return 0, err
	}
	out, err := c.API.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
		QueueUrl: aws.String(c.QueueURL), MaxNumberOfMessages: s.batch,
		WaitTimeSeconds: int32(s.wait / time.Second), VisibilityTimeout: seconds(s.visibility),
		MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameApproximateReceiveCount},
	})
	if err != nil {
		return 0, fmt.Errorf("receive from %s: %w", c.QueueURL, err)
	}
	n := len(out.Messages)
	m := meter{c.Meter}
	m.received(n)
	if n == 0 {
		return 0, nil
	}
	b, err := c.sort(ctx, out.Messages)
	m.unrecognised(b.unrecognised)
	if err != nil {
		// Nothing deleted: without the store, no message can be known to
		// be handled, and all come back after their timeout.
		return n, err
	}
	m.failed(b.failed)
	m.handled(b.duplicates + b.notChecked)
	errDone := c.delete(ctx, b.done)
	if len(b.work) == 0 {
		return n, errDone
	}
	targets := make([]events.Target, len(b.work))
	for i, it := range b.work {
		targets[i] = it.target
	}
	stop := c.extendVisibility(ctx, s, b.work)
	err = c.handle(ctx, events.Coalesce(targets))
	stop()
	if err != nil {
		return n, errors.Join(errDone, fmt.Errorf("handle %d events: %w", len(b.work), err))
	}
	m.handled(len(b.work))
	return n, errors.Join(errDone, c.finish(ctx, b.work))
}

// sort parses each message and sets aside what needs no handling.
func (c *Consumer) sort(ctx context.Context, msgs []types.Message) (sorted, error) {
	var b sorted
	inBatch := map[string]bool{}
	for _, msg := range msgs {
		t, err := events.Parse([]byte(aws.ToString(msg.Body)))
		if errors.Is(err, events.ErrNotChecked) {
			// A tag call on a resource of no catalog kind: the rule
			// cannot filter those out, and there is nothing to do.
			b.notChecked++
			b.done = append(b.done, msg)
			continue
		}
		if err != nil {
			// Left on the queue: its redrive policy moves it to the
			// dead-letter queue after maxReceiveCount receives, where
			// someone can see what was sent.
			b.unrecognised++
			c.log().Warn("event queue: message is not a recognised event; left for the dead-letter queue",
				"queue", c.QueueURL, "message", aws.ToString(msg.MessageId), "receives", receiveCount(msg), "error", err)
			continue
		}
		switch {
		case t.Failed:
			b.failed++
			b.done = append(b.done, msg)
			continue
		case inBatch[t.EventID]:
			b.duplicates++
			b.done = append(b.done, msg)
			continue
		}
		inBatch[t.EventID] = true
		if c.Seen != nil {
			seen, err := c.Seen.Seen(ctx, t.EventID)
			if err != nil {
				return b, fmt.Errorf("idempotency store: event %s: %w", t.EventID, err)
			}
			if seen {
				b.duplicates++
				b.done = append(b.done, msg)
				continue
			}
		}
		b.work = append(b.work, item{msg: msg, target: t})
	}
	return b, nil
}

// handle calls the Handler, turning a panic into an error so one bad
// batch cannot stop the service; the batch is delivered again.
func (c *Consumer) handle(ctx context.Context, targets []events.Target) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("handler panicked: %v\n%s", r, debug.Stack())
		}
	}()
	return c.Handle(ctx, targets)
}

// finish marks a handled batch's events seen, then deletes its messages.
// Marking comes first: a message deleted but not marked is never seen
// again, while one marked but not deleted is deleted when it comes back.
// Both outlive ctx, briefly: the checks already ran.
func (c *Consumer) finish(ctx context.Context, work []item) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), bookkeepingTimeout)
	defer cancel()
	var errMark error
	if c.Seen != nil {
		ids := make([]string, len(work))
		for i, it := range work {
			ids[i] = it.target.EventID
		}
		if err := c.Seen.Mark(ctx, ids); err != nil {
			// Deleted anyway: a redelivery would now be handled again,
			// but keeping the messages would make sure of it.
			errMark = fmt.Errorf("idempotency store: mark %d events: %w", len(ids), err)
		}
	}
	msgs := make([]types.Message, len(work))
	for i, it := range work {
		msgs[i] = it.msg
	}
	return errors.Join(errMark, c.delete(ctx, msgs))
}

// delete deletes msgs in batches of 10 (a receive's most), one call per
// batch instead of one per message. SQS reports failures per entry, so one
// failure keeps only its own message on the queue.
func (c *Consumer) delete(ctx context.Context, msgs []types.Message) error {
	var errs []error
	for start := 0; start < len(msgs); start += maxBatch {
		batch := msgs[start:min(start+maxBatch, len(msgs))]
		entries := make([]types.DeleteMessageBatchRequestEntry, len(batch))
		for i, msg := range batch {
			entries[i] = types.DeleteMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), ReceiptHandle: msg.ReceiptHandle}
		}
		out, err := c.API.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(c.QueueURL), Entries: entries})
		if err != nil {
			errs = append(errs, fmt.Errorf("delete %d messages: %w", len(batch), err))
			continue
		}
		for _, f := range out.Failed {
			i, _ := strconv.Atoi(aws.ToString(f.Id))
			if i >= 0 && i < len(batch) {
				errs = append(errs, fmt.Errorf("delete message %s: %s: %s", aws.ToString(batch[i].MessageId), aws.ToString(f.Code), aws.ToString(f.Message)))
			}
		}
	}
	return errors.Join(errs...)
}

// receiveCount is how often SQS has delivered msg, 0 when unknown.
func receiveCount(msg types.Message) int {
	n, _ := strconv.Atoi(msg.Attributes[string(types.MessageSystemAttributeNameApproximateReceiveCount)])
	return n
}

// seconds is d in SQS's whole seconds, rounded up so a timeout is never
// shorter than asked.
func seconds(d time.Duration) int32 {
	return int32((d + time.Second - 1) / time.Second)
}
