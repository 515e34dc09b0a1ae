package consumer

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/sagekey/sagekey/internal/events"
	"github.com/sagekey/sagekey/internal/motoserver/mototest"
)

// TestConsumerAgainstMoto runs the consumer against a real moto_server's
// SQS, redrive policy included. The subtests share the server and run one
// after another, each on its own queues.
func TestConsumerAgainstMoto(t *testing.T) {
	srv := mototest.ForTest(t)
	mototest.DummyCredentials(t)
	client := sqs.NewFromConfig(mototest.Config(t, srv, "us-east-1"))

	t.Run("handles, coalesces and deletes", func(t *testing.T) {
		q := newQueues(t, client, "handles", 2)
		q.send(t, fixture(t, "create-notebook-instance.json"), fixture(t, "update-notebook-instance.json"),
			fixture(t, "delete-endpoint.json"), fixture(t, "kms-disable-key.json"), fixture(t, "create-training-job-denied.json"),
			fixture(t, "delete-tags-model.json"))
		rec, meter := &recorder{}, &counts{}
		c := &Consumer{API: q.api, QueueURL: q.url, Handle: rec.handle, Wait: time.Second, Meter: meter, Seen: &MemorySeen{}}
		drain(t, c)

		got := map[string]events.Target{}
		for _, tg := range rec.targets() {
			got[tg.Kind+"/"+tg.Name+tg.ARN] = tg
		}
		nb, ok := got["notebook-instance/Churn-Explore"]
		if !ok || nb.Action != "sagemaker:UpdateNotebookInstance" ||
			!slices.Equal(nb.EventIDs, []string{"0f3b7a3e-1c55-4f0e-8a0b-9a57c2f1d001", "0f3b7a3e-1c55-4f0e-8a0b-9a57c2f1d002"}) {
			// Only when moto split the two into separate batches would
			// they be two targets; it returns up to 10 at once.
			t.Errorf("notebook target = %+v (all: %+v)", nb, rec.targets())
		}
		if ep := got["endpoint/churn-realtime"]; !ep.Delete {
			t.Errorf("endpoint target = %+v, want a delete", ep)
		}
		if _, ok := got["kms-key/"+"arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"]; !ok {
			t.Errorf("no key target in %+v", rec.targets())
		}
		for _, tg := range rec.targets() {
			if tg.Failed || tg.Kind == "training-job" {
				t.Errorf("a failed call was handled: %+v", tg)
			}
		}
		// Handled: four events, and the tags on a model, which need nothing.
		if meter.received.Load() != 6 || meter.handled.Load() != 5 || meter.failed.Load() != 1 || meter.unrecognised.Load() != 0 {
			t.Errorf("meter = %s", meter)
		}
		if n := q.count(t, q.url); n != 0 {
			t.Errorf("%d messages left on the queue, want 0", n)
		}
	})

	t.Run("an event delivered twice is handled once", func(t *testing.T) {
		q := newQueues(t, client, "duplicates", 2)
		ev := fixture(t, "delete-notebook-instance.json")
		q.send(t, ev, ev) // two copies in one batch
		rec, meter := &recorder{}, &counts{}
		c := &Consumer{API: q.api, QueueURL: q.url, Handle: rec.handle, Wait: time.Second, Meter: meter, Seen: &MemorySeen{}}
		drain(t, c)
		q.send(t, ev) // and again, later
		drain(t, c)
		if got := rec.targets(); len(got) != 1 {
			t.Errorf("handled %d times, want once: %+v", len(got), got)
		}
		if meter.received.Load() != 3 || meter.handled.Load() != 3 {
			t.Errorf("meter = %s, want 3 received, 3 handled (two of them before)", meter)
		}
		if n := q.count(t, q.url); n != 0 {
			t.Errorf("%d messages left, want 0: duplicates are deleted", n)
		}
	})

	t.Run("an unrecognised message goes to the dead-letter queue", func(t *testing.T) {
		q := newQueues(t, client, "unrecognised", 2)
		bad := fixture(t, "not-json.txt")
		q.send(t, bad, fixture(t, "kms-decrypt.json"))
		rec, meter := &recorder{}, &counts{}
		var logs bytes.Buffer
		c := &Consumer{API: q.api, QueueURL: q.url, Handle: rec.handle, Wait: time.Second, Visibility: time.Second, Meter: meter,
			Log: slog.New(slog.NewTextHandler(&logs, nil))}
		deadline := time.Now().Add(20 * time.Second)
		for q.count(t, q.dlq) < 2 && time.Now().Before(deadline) {
			if _, err := c.Poll(context.Background()); err != nil {
				t.Fatalf("Poll: %v", err)
			}
		}
		if n := q.count(t, q.dlq); n != 2 {
			t.Fatalf("dead-letter queue holds %d messages, want 2 (meter %s)", n, meter)
		}
		if n := q.count(t, q.url); n != 0 {
			t.Errorf("%d messages left on the queue, want 0", n)
		}
		// Received twice each (maxReceiveCount), then moved by SQS.
		if meter.unrecognised.Load() != 4 || meter.received.Load() != 4 || len(rec.targets()) != 0 {
			t.Errorf("meter = %s, handled %d", meter, len(rec.targets()))
		}
		if !strings.Contains(logs.String(), "kms:Decrypt is not a key lifecycle call") {
			t.Errorf("the reason was not logged:\n%s", logs.String())
		}
		out, err := client.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: aws.String(q.dlq), MaxNumberOfMessages: 10})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(out.Messages, func(m types.Message) bool { return aws.ToString(m.Body) == bad }) {
			t.Errorf("the bad message is not in the dead-letter queue as sent: %+v", out.Messages)
		}
	})

	t.Run("a failed handler leaves the messages for a retry", func(t *testing.T) {
		q := newQueues(t, client, "retry", 5)
		q.send(t, fixture(t, "create-endpoint-config.json"))
		rec := &recorder{}
		calls := 0
		handle := func(ctx context.Context, ts []events.Target) error {
			calls++
			if calls == 1 {
				return errors.New("scan failed")
			}
			return rec.handle(ctx, ts)
		}
		seen := &MemorySeen{}
		c := &Consumer{API: q.api, QueueURL: q.url, Handle: handle, Wait: time.Second, Visibility: time.Second, Seen: seen}
		if _, err := c.Poll(context.Background()); err == nil {
			t.Fatal("Poll hid the handler's error")
		}
		if ok, _ := seen.Seen(context.Background(), "0f3b7a3e-1c55-4f0e-8a0b-9a57c2f1d005"); ok {
			t.Error("a failed batch was marked seen")
		}
		if n := q.count(t, q.url); n != 1 {
			t.Fatalf("%d messages on the queue after a failure, want 1", n)
		}
		time.Sleep(1100 * time.Millisecond) // the visibility timeout
		drain(t, c)
		if got := rec.targets(); len(got) != 1 || got[0].Name != "churn-realtime-v2" {
			t.Errorf("retry handled %+v", got)
		}
		if n := q.count(t, q.url); n != 0 {
			t.Errorf("%d messages left, want 0", n)
		}
	})

	t.Run("a slow handler keeps its messages invisible", func(t *testing.T) {
		q := newQueues(t, client, "slow", 5)
		q.send(t, fixture(t, "delete-endpoint.json"))
		var visibleDuring int
		handle := func(ctx context.Context, _ []events.Target) error {
			// Past the 2 s visibility timeout a message not extended would
			// be visible again.
			time.Sleep(3 * time.Second)
			out, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(q.url), MaxNumberOfMessages: 10})
			if err != nil {
				return err
			}
			visibleDuring = len(out.Messages)
			return nil
		}
		c := &Consumer{API: q.api, QueueURL: q.url, Handle: handle, Wait: time.Second,
			Visibility: 2 * time.Second, Extend: 500 * time.Millisecond}
		if _, err := c.Poll(context.Background()); err != nil {
			t.Fatalf("Poll: %v", err)
		}
		if n := q.api.extensions.Load(); n < 3 {
			t.Errorf("ChangeMessageVisibility called %d times during a 3 s handler, want ≥ 3", n)
		}
		if visibleDuring != 0 {
			t.Errorf("%d messages were visible again while being handled", visibleDuring)
		}
		if n := q.count(t, q.url); n != 0 {
			t.Errorf("%d messages left, want 0", n)
		}
	})

	t.Run("Run survives bad messages until cancelled", func(t *testing.T) {
		q := newQueues(t, client, "run", 2)
		q.send(t, "{", fixture(t, "kms-schedule-key-deletion.json"))
		done := make(chan events.Target, 1)
		handle := func(_ context.Context, ts []events.Target) error {
			for _, tg := range ts {
				done <- tg
			}
			return nil
		}
		c := &Consumer{API: q.api, QueueURL: q.url, Handle: handle, Wait: time.Second, Log: quiet()}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		ran := make(chan error, 1)
		go func() { ran <- c.Run(ctx) }()
		select {
		case tg := <-done:
			if !tg.Delete || tg.Kind != events.KindKMSKey {
				t.Errorf("handled %+v", tg)
			}
		case <-time.After(20 * time.Second):
			t.Fatal("Run did not handle the event")
		}
		cancel()
		select {
		case err := <-ran:
			if err != nil {
				t.Errorf("Run = %v, want nil after cancel", err)
			}
		case <-time.After(20 * time.Second):
			t.Fatal("Run did not stop")
		}
	})

	t.Run("an idempotency store failure deletes nothing", func(t *testing.T) {
		q := newQueues(t, client, "store-down", 5)
		q.send(t, fixture(t, "delete-endpoint.json"), fixture(t, "create-training-job-denied.json"))
		rec := &recorder{}
		c := &Consumer{API: q.api, QueueURL: q.url, Handle: rec.handle, Wait: time.Second, Seen: failingSeen{}}
		if _, err := c.Poll(context.Background()); err == nil {
			t.Fatal("Poll hid the store's error")
		}
		if n := q.count(t, q.url); n != 2 || len(rec.targets()) != 0 {
			t.Errorf("%d messages left (want 2), handled %+v", n, rec.targets())
		}
	})
}

// failingSeen is an idempotency store that is down.
type failingSeen struct{}

func (failingSeen) Seen(context.Context, string) (bool, error) {
	return false, errors.New("store down")
}
func (failingSeen) Mark(context.Context, []string) error { return errors.New("store down") }
