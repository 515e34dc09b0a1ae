package serve_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/sagekey/sagekey/internal/alert"
	"github.com/sagekey/sagekey/internal/events/eventstest"
	"github.com/sagekey/sagekey/internal/history"
	"github.com/sagekey/sagekey/internal/motoserver/mototest"
	"github.com/sagekey/sagekey/internal/store"
)

// eventQueue is the SQS queue EventBridge would feed, with its
// dead-letter queue, in moto.
type eventQueue struct {
	sqs      *sqs.Client
	url, dlq string
	n        int
}

func newEventQueue(t *testing.T, client *sqs.Client, maxReceives int) *eventQueue {
	t.Helper()
	ctx := context.Background()
	dlq, err := client.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("sagekey-events-dlq")})
	if err != nil {
		t.Fatal(err)
	}
	attrs, err := client.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: dlq.QueueUrl,
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
	if err != nil {
		t.Fatal(err)
	}
	redrive := fmt.Sprintf(`{"deadLetterTargetArn":%q,"maxReceiveCount":"%d"}`, attrs.Attributes["QueueArn"], maxReceives)
	q, err := client.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("sagekey-events"),
		Attributes: map[string]string{"RedrivePolicy": redrive}})
	if err != nil {
		t.Fatal(err)
	}
	return &eventQueue{sqs: client, url: aws.ToString(q.QueueUrl), dlq: aws.ToString(dlq.QueueUrl)}
}

// send puts calls on the queue as EventBridge delivers them; an id
// already used sends that event again (a duplicate delivery).
func (q *eventQueue) send(t *testing.T, bodies ...[]byte) {
	t.Helper()
	for _, b := range bodies {
		if _, err := q.sqs.SendMessage(context.Background(), &sqs.SendMessageInput{QueueUrl: aws.String(q.url), MessageBody: aws.String(string(b))}); err != nil {
			t.Fatal(err)
		}
	}
}

func (q *eventQueue) call(service, name string, req map[string]any) eventstest.Call {
	q.n++
	return eventstest.Call{ID: fmt.Sprintf("evt-%04d", q.n), Account: testAccount, Region: "us-east-1",
		Service: service, Name: name, Request: req, Time: time.Now().UTC()}
}

func (q *eventQueue) waiting(t *testing.T, url string) int {
	t.Helper()
	out, err := q.sqs.GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url),
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameApproximateNumberOfMessages,
			sqstypes.QueueAttributeNameApproximateNumberOfMessagesNotVisible}})
	if err != nil {
		t.Fatal(err)
	}
	var n, hidden int
	fmt.Sscan(out.Attributes[string(sqstypes.QueueAttributeNameApproximateNumberOfMessages)], &n)
	fmt.Sscan(out.Attributes[string(sqstypes.QueueAttributeNameApproximateNumberOfMessagesNotVisible)], &hidden)
	return n + hidden
}

// statesOf reads the stored lifecycle of one resource's findings.
func statesOf(t *testing.T, db, arn string) []history.State {
	t.Helper()
	st, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	all, err := st.States(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out []history.State
	for _, s := range all {
		if strings.EqualFold(s.ResourceARN, arn) {
			out = append(out, s)
		}
	}
	return out
}

func eventCounter(p *process, outcome string) float64 {
	return counter(p.metrics(), "sagekey_events_total", map[string]string{"outcome": outcome})
}

// TestServeQueueEndToEnd runs a real `sagekey serve --queue` against moto:
// an event about a new notebook is checked and alerted within seconds and
// without a scan; the same event delivered again changes nothing; a delete
// event resolves the notebook's findings as deleted; a key scheduled for
// deletion is alerted once with its blast radius; a message that is not an
// event goes to the dead-letter queue; and the next full scan alerts
// nothing the events already did.
func TestServeQueueEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: builds and runs sagekey serve")
	}
	srv := mototest.ForTest(t)
	mototest.DummyCredentials(t)
	cfg := mototest.Config(t, srv, "us-east-1")
	est := newEstate(t, cfg)
	key := est.key()
	keyed := est.notebook("nb-keyed", key)
	queue := newEventQueue(t, sqs.NewFromConfig(cfg), 2)
	hook := newReceiver(t, hookSecret)
	db := filepath.Join(t.TempDir(), "history.db")
	p := startServe(t, []string{"SAGEKEY_E2E_HOOK_URL=" + hook.url()}, testToken,
		"--config", serveConfig(t, "", ""), "--db", db, "--endpoint-url", srv.URL(), "--every", "1h",
		"--queue", queue.url, "--queue-wait", "1s", "--queue-visibility", "2s", "--queue-pollers", "2")
	p.waitFor("the first scan", 120*time.Second, func() bool { return storedScans(p) >= 1 })
	time.Sleep(2 * time.Second) // the estate as first found is alerted; these tests look at what follows
	before, _, _ := hook.snapshot()

	// 1. A notebook created without a key: its event alone raises the
	// alert, within seconds, and no scan runs.
	plain := est.notebook("nb-plain", "")
	create := queue.call("sagemaker", "CreateNotebookInstance", map[string]any{"notebookInstanceName": "nb-plain"})
	sent := time.Now()
	queue.send(t, create.JSON())
	var got []alert.Alert
	p.waitFor("the event's alert", 30*time.Second, func() bool {
		all, _, _ := hook.snapshot()
		got = newAlerts(before, all)
		return len(got) >= 1
	})
	t.Logf("event to alert: %s", time.Since(sent).Round(time.Millisecond))
	if len(got) != 1 || got[0].Kind != alert.ViolationOpened || got[0].Resource == nil || got[0].Resource.ARN != plain {
		t.Fatalf("want one violation_opened for %s, got:%s", plain, describe(got))
	}
	if n := storedScans(p); n != 1 {
		t.Errorf("scans stored = %d, want still 1: the event was checked without a scan", n)
	}

	// 2. The same event delivered again: handled as a duplicate, no check,
	// no alert.
	checks := counter(p.metrics(), "sagekey_event_checks_total", map[string]string{"result": "ok"})
	handled := eventCounter(p, "handled")
	queue.send(t, create.JSON())
	p.waitFor("the duplicate handled", 30*time.Second, func() bool { return eventCounter(p, "handled") > handled })
	if now := counter(p.metrics(), "sagekey_event_checks_total", map[string]string{"result": "ok"}); now != checks {
		t.Errorf("a duplicate event was checked again: checks %v → %v", checks, now)
	}

	// 3. A message that is not an event: counted, never handled, moved to
	// the dead-letter queue by the redrive policy.
	queue.send(t, []byte(`{"hello":"not an event"}`))
	p.waitFor("the message in the dead-letter queue", 60*time.Second, func() bool { return queue.waiting(t, queue.dlq) == 1 })
	if eventCounter(p, "unrecognised") < 1 {
		t.Errorf("unrecognised messages not counted")
	}

	// 4. The notebook is deleted: its findings resolve as deleted.
	if _, err := est.sm.StopNotebookInstance(context.Background(), &sagemaker.StopNotebookInstanceInput{NotebookInstanceName: aws.String("nb-plain")}); err != nil {
		t.Fatal(err)
	}
	if _, err := est.sm.DeleteNotebookInstance(context.Background(), &sagemaker.DeleteNotebookInstanceInput{NotebookInstanceName: aws.String("nb-plain")}); err != nil {
		t.Fatal(err)
	}
	queue.send(t, queue.call("sagemaker", "DeleteNotebookInstance", map[string]any{"notebookInstanceName": "nb-plain"}).JSON())
	p.waitFor("the deleted notebook's findings resolved", 30*time.Second, func() bool {
		states := statesOf(t, db, plain)
		for _, s := range states {
			if s.Gone.IsZero() || s.Open() {
				return false
			}
		}
		return len(states) > 0
	})
	for _, s := range statesOf(t, db, keyed) {
		if !s.Gone.IsZero() {
			t.Errorf("%s %s marked gone by a check that did not read it", s.CheckID, keyed)
		}
	}

	// 5. The key is scheduled for deletion: one alert, with its blast
	// radius, and the notebook's violation folded into it.
	before, _, _ = hook.snapshot()
	est.scheduleDeletion(key)
	_, keyID, _ := strings.Cut(key, ":key/")
	queue.send(t, queue.call("kms", "ScheduleKeyDeletion", map[string]any{"keyId": keyID, "pendingWindowInDays": 7}).JSON())
	p.waitFor("the key alert", 30*time.Second, func() bool {
		all, _, _ := hook.snapshot()
		got = newAlerts(before, all)
		return len(got) >= 1
	})
	time.Sleep(2 * time.Second) // nothing more may follow
	all, counts, bad := hook.snapshot()
	got = newAlerts(before, all)
	if len(bad) > 0 {
		t.Fatalf("webhook deliveries refused: %v", bad)
	}
	if len(got) != 1 || got[0].Kind != alert.KeyStateChanged || got[0].Key == nil || got[0].Key.State != "PendingDeletion" {
		t.Fatalf("want one key_state_changed to PendingDeletion, got:%s", describe(got))
	}
	if br := got[0].Key.BlastRadius; br.Count != 1 || br.Resources[0].ARN != keyed {
		raw, _ := json.Marshal(br)
		t.Errorf("blast radius = %s, want the notebook %s", raw, keyed)
	}
	if counts[got[0].ID] != 1 {
		t.Errorf("key alert delivered %d times", counts[got[0].ID])
	}

	// 6. The next full scan sees what the events already saw: no alert.
	before, _, _ = hook.snapshot()
	scanNow(t, p)
	time.Sleep(3 * time.Second)
	all, _, _ = hook.snapshot()
	if again := newAlerts(before, all); len(again) != 0 {
		t.Errorf("the scan after the events alerted again:%s", describe(again))
	}
	if n := queue.waiting(t, queue.url); n != 0 {
		t.Errorf("%d messages left on the queue", n)
	}
}
