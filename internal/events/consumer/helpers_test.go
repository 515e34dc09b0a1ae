package consumer

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/sagekey/sagekey/internal/events"
)

// fixture reads an event from the events package's testdata.
func fixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// queues is a queue with a dead-letter queue on one moto_server.
type queues struct {
	api      *countingSQS
	url, dlq string
}

// newQueues creates a queue whose redrive policy moves a message to its
// own dead-letter queue after maxReceiveCount receives.
func newQueues(t *testing.T, client *sqs.Client, name string, maxReceiveCount int) queues {
	t.Helper()
	ctx := context.Background()
	dlq, err := client.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name + "-dlq")})
	if err != nil {
		t.Fatalf("create DLQ: %v", err)
	}
	attrs, err := client.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: dlq.QueueUrl,
		AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameQueueArn}})
	if err != nil {
		t.Fatalf("DLQ ARN: %v", err)
	}
	policy, err := json.Marshal(map[string]any{
		"deadLetterTargetArn": attrs.Attributes[string(types.QueueAttributeNameQueueArn)], "maxReceiveCount": maxReceiveCount,
	})
	if err != nil {
		t.Fatal(err)
	}
	q, err := client.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name),
		Attributes: map[string]string{string(types.QueueAttributeNameRedrivePolicy): string(policy)}})
	if err != nil {
		t.Fatalf("create queue: %v", err)
	}
	return queues{api: &countingSQS{Client: client}, url: aws.ToString(q.QueueUrl), dlq: aws.ToString(dlq.QueueUrl)}
}

func (q queues) send(t *testing.T, bodies ...string) {
	t.Helper()
	for _, b := range bodies {
		if _, err := q.api.SendMessage(context.Background(), &sqs.SendMessageInput{QueueUrl: aws.String(q.url), MessageBody: aws.String(b)}); err != nil {
			t.Fatalf("send: %v", err)
		}
	}
}

// count is how many messages url holds, visible or in flight.
func (q queues) count(t *testing.T, url string) int {
	t.Helper()
	out, err := q.api.GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url),
		AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameApproximateNumberOfMessages,
			types.QueueAttributeNameApproximateNumberOfMessagesNotVisible}})
	if err != nil {
		t.Fatalf("queue attributes: %v", err)
	}
	n := 0
	for _, v := range out.Attributes {
		var i int
		if err := json.Unmarshal([]byte(v), &i); err != nil {
			t.Fatalf("attribute %q: %v", v, err)
		}
		n += i
	}
	return n
}

// countingSQS is the real client, counting the consumer's visibility
// extensions.
type countingSQS struct {
	*sqs.Client
	extensions atomic.Int64
}

func (c *countingSQS) ChangeMessageVisibility(ctx context.Context, in *sqs.ChangeMessageVisibilityInput, optFns ...func(*sqs.Options)) (*sqs.ChangeMessageVisibilityOutput, error) {
	c.extensions.Add(1)
	return c.Client.ChangeMessageVisibility(ctx, in, optFns...)
}

// recorder is a Handler keeping what it was given.
type recorder struct {
	mu      sync.Mutex
	batches [][]events.Target
}

func (r *recorder) handle(_ context.Context, ts []events.Target) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.batches = append(r.batches, ts)
	return nil
}

func (r *recorder) targets() []events.Target {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []events.Target
	for _, b := range r.batches {
		out = append(out, b...)
	}
	return out
}

// counts is a Meter.
type counts struct{ received, unrecognised, handled, failed atomic.Int64 }

func (c *counts) Received(n int)     { c.received.Add(int64(n)) }
func (c *counts) Unrecognised(n int) { c.unrecognised.Add(int64(n)) }
func (c *counts) Handled(n int)      { c.handled.Add(int64(n)) }
func (c *counts) Failed(n int)       { c.failed.Add(int64(n)) }

func (c *counts) String() string {
	b, _ := json.Marshal(map[string]int64{"received": c.received.Load(), "unrecognised": c.unrecognised.Load(),
		"handled": c.handled.Load(), "failed": c.failed.Load()})
	return string(b)
}

// drain polls until a receive finds nothing (moto may split a batch).
func drain(t *testing.T, c *Consumer) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		n, err := c.Poll(context.Background())
		if err != nil {
			t.Fatalf("Poll: %v", err)
		}
		if n == 0 {
			return
		}
	}
	t.Fatal("queue not drained")
}

// quiet is a logger for tests that expect warnings.
func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
