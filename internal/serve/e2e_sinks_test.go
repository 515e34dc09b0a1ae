package serve_test

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/sagekey/sagekey/internal/alert"
	"github.com/sagekey/sagekey/internal/testutil/loopback"
)

// receiver is a loopback webhook endpoint that checks each delivery's
// HMAC signature and records the alerts by id, counting duplicates. It can
// be stopped and started again on the same address.
type receiver struct {
	t      *testing.T
	addr   string
	secret []byte

	mu       sync.Mutex
	alerts   map[string]alert.Alert
	received map[string]int
	bad      []string
	srv      *http.Server
}

func newReceiver(t *testing.T, secret string) *receiver {
	r := &receiver{t: t, addr: loopback.FreeAddr(t), secret: []byte(secret), alerts: map[string]alert.Alert{}, received: map[string]int{}}
	r.start()
	t.Cleanup(r.stop)
	return r
}

func (r *receiver) url() string { return "http://" + r.addr + "/hook" }

func (r *receiver) start() {
	r.t.Helper()
	var ln net.Listener
	var err error
	for range 50 { // the port was ours a moment ago; the kernel may still hold it
		if ln, err = net.Listen("tcp", r.addr); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		r.t.Fatalf("receiver listen %s: %v", r.addr, err)
	}
	r.srv = &http.Server{Handler: http.HandlerFunc(r.serveHTTP), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = r.srv.Serve(ln) }()
}

func (r *receiver) stop() {
	if r.srv != nil {
		_ = r.srv.Close()
		r.srv = nil
	}
}

func (r *receiver) serveHTTP(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(req.Body)
	if err != nil {
		http.Error(w, "read", http.StatusBadRequest)
		return
	}
	ts := req.Header.Get(alert.HeaderTimestamp)
	if err := alert.Verify(r.secret, req.Header.Get(alert.HeaderSignature), ts, body); err != nil {
		r.record(func() { r.bad = append(r.bad, "signature: "+err.Error()) })
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	if err := alert.CheckTimestamp(ts, time.Now(), 5*time.Minute); err != nil {
		r.record(func() { r.bad = append(r.bad, "timestamp: "+err.Error()) })
		http.Error(w, "stale", http.StatusUnauthorized)
		return
	}
	var a alert.Alert
	if err := json.Unmarshal(body, &a); err != nil || a.Schema != alert.Schema || req.Header.Get(alert.HeaderAlertID) != a.ID {
		r.record(func() { r.bad = append(r.bad, "document: "+string(body)) })
		http.Error(w, "bad document", http.StatusBadRequest)
		return
	}
	r.record(func() {
		r.alerts[a.ID] = a
		r.received[a.ID]++
	})
	w.WriteHeader(http.StatusNoContent)
}

func (r *receiver) record(f func()) {
	r.mu.Lock()
	defer r.mu.Unlock()
	f()
}

// snapshot returns the alerts received so far by id, and problems.
func (r *receiver) snapshot() (map[string]alert.Alert, map[string]int, []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	alerts, counts := map[string]alert.Alert{}, map[string]int{}
	for id, a := range r.alerts {
		alerts[id], counts[id] = a, r.received[id]
	}
	return alerts, counts, append([]string(nil), r.bad...)
}

// topicQueue is an SNS topic in moto with an SQS queue subscribed, so the
// test reads back what sagekey published.
type topicQueue struct {
	topic string
	queue string
	sqs   *sqs.Client
	seen  map[string]alert.Alert
	attrs map[string]map[string]string
}

func newTopicQueue(t *testing.T, cfg aws.Config) *topicQueue {
	t.Helper()
	ctx := context.Background()
	topic, err := sns.NewFromConfig(cfg).CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("sagekey-alerts")})
	if err != nil {
		t.Fatal(err)
	}
	q := sqs.NewFromConfig(cfg)
	queue, err := q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("sagekey-alerts")})
	if err != nil {
		t.Fatal(err)
	}
	attrs, err := q.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: queue.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sns.NewFromConfig(cfg).Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("sqs"),
		Endpoint: aws.String(attrs.Attributes["QueueArn"])}); err != nil {
		t.Fatal(err)
	}
	return &topicQueue{topic: aws.ToString(topic.TopicArn), queue: aws.ToString(queue.QueueUrl), sqs: q,
		seen: map[string]alert.Alert{}, attrs: map[string]map[string]string{}}
}

// drain reads every message waiting and returns all alerts read so far.
func (q *topicQueue) drain(t *testing.T) map[string]alert.Alert {
	t.Helper()
	ctx := context.Background()
	for {
		out, err := q.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(q.queue), MaxNumberOfMessages: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Messages) == 0 {
			return q.seen
		}
		for _, m := range out.Messages {
			// SNS wraps the published message in its own envelope.
			var env struct {
				Message           string
				MessageAttributes map[string]struct{ Type, Value string }
			}
			if err := json.Unmarshal([]byte(aws.ToString(m.Body)), &env); err != nil {
				t.Fatalf("SNS envelope: %v", err)
			}
			var a alert.Alert
			if err := json.Unmarshal([]byte(env.Message), &a); err != nil {
				t.Fatalf("alert in SNS message: %v: %s", err, env.Message)
			}
			q.seen[a.ID] = a
			q.attrs[a.ID] = map[string]string{}
			for k, v := range env.MessageAttributes {
				q.attrs[a.ID][k] = v.Value
			}
			if _, err := q.sqs.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(q.queue), ReceiptHandle: m.ReceiptHandle}); err != nil {
				t.Fatal(err)
			}
		}
	}
}
