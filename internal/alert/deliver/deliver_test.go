package deliver

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sagekey/sagekey/internal/alert"
	"github.com/sagekey/sagekey/internal/store"
)

// step is one delivery pass after moving the clock.
type step struct {
	advance          time.Duration
	respond          func(http.ResponseWriter) bool // the receiver's answer during the pass; nil accepts
	delivered, faild int
}

func TestDispatcher(t *testing.T) {
	cases := []struct {
		name   string
		alerts int
		steps  []step
		// what the outbox and receiver say at the end
		accepted, calls int
		stat            store.OutboxStat
		deadError       string // a substring of the dead letter's error
	}{
		{
			name: "delivered once", alerts: 1,
			steps:    []step{{delivered: 1}, {advance: time.Hour}},
			accepted: 1, calls: 1, stat: store.OutboxStat{Delivered: 1},
		},
		{
			name: "retry after a 500, then success", alerts: 1,
			steps: []step{
				{respond: status(500), faild: 1},
				{}, // not due yet: backoff
				{advance: 2 * time.Second, delivered: 1},
			},
			accepted: 1, calls: 2, stat: store.OutboxStat{Delivered: 1},
		},
		{
			name: "Retry-After longer than the backoff is honoured", alerts: 1,
			steps: []step{
				{respond: status(429, "Retry-After", "120"), faild: 1},
				{advance: 60 * time.Second},
				{advance: 61 * time.Second, delivered: 1},
			},
			accepted: 1, calls: 2, stat: store.OutboxStat{Delivered: 1},
		},
		{
			name: "receiver down then up: every alert arrives, the down one is tried once per pass", alerts: 3,
			steps: []step{
				{respond: hangUp, faild: 3},
				{advance: 2 * time.Second, respond: hangUp, faild: 3},
				{advance: 10 * time.Second, delivered: 3},
			},
			accepted: 3, calls: 5, stat: store.OutboxStat{Delivered: 3},
		},
		{
			name: "permanent 400: dead letter at once", alerts: 1,
			steps:    []step{{respond: status(400), faild: 1}, {advance: time.Hour}},
			accepted: 0, calls: 1, stat: store.OutboxStat{Dead: 1}, deadError: "HTTP 400",
		},
		{
			name: "temporary failures until MaxAttempts: dead letter", alerts: 1,
			steps: []step{
				{respond: status(503), faild: 1},
				{advance: time.Minute, respond: status(503), faild: 1},
				{advance: time.Minute, respond: status(503), faild: 1},
				{advance: time.Hour},
			},
			accepted: 0, calls: 3, stat: store.OutboxStat{Dead: 1}, deadError: "HTTP 503",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rc := newReceiver(t)
			e := newEnv(t, rc.sink(t, "hook"))
			var alerts []alert.Alert
			for i := range c.alerts {
				alerts = append(alerts, testAlert(i))
			}
			e.enqueue(t, to("hook"), alerts...)
			for i, s := range c.steps {
				e.clock.Add(s.advance)
				rc.set(s.respond)
				if d, f := e.pass(t); d != s.delivered || f != s.faild {
					t.Fatalf("step %d: delivered %d failed %d, want %d and %d", i, d, f, s.delivered, s.faild)
				}
			}
			got := rc.accepted()
			if len(got) != c.accepted || rc.callCount() != c.calls {
				t.Errorf("receiver accepted %d (%v) in %d calls, want %d in %d", len(got), got, rc.callCount(), c.accepted, c.calls)
			}
			for _, a := range alerts[:c.accepted] {
				if !slices.Contains(got, a.ID) {
					t.Errorf("alert %s never arrived", a.ID)
				}
			}
			st := e.stats(t)["hook"]
			if st.Pending != c.stat.Pending || st.Dead != c.stat.Dead || st.Delivered != c.stat.Delivered {
				t.Errorf("stats %+v, want %+v", st, c.stat)
			}
			if e.meter.sent["hook"] != c.accepted {
				t.Errorf("metered %d sent", e.meter.sent["hook"])
			}
			dead, err := e.st.DeadLetters(e.ctx, 0)
			if err != nil {
				t.Fatal(err)
			}
			if c.deadError != "" && (len(dead) != 1 || !strings.Contains(dead[0].LastError, c.deadError)) {
				t.Errorf("dead letters %+v, want one with %q", dead, c.deadError)
			}
			for _, it := range dead {
				if strings.Contains(it.LastError, secretPath) {
					t.Errorf("stored error reveals the URL: %s", it.LastError)
				}
			}
			if strings.Contains(e.log.String(), secretPath) || strings.Contains(e.log.String(), "SECRET") {
				t.Errorf("log reveals the URL:\n%s", e.log)
			}
		})
	}
}

func TestFailureLogNamesSinkAlertAttempt(t *testing.T) {
	rc := newReceiver(t)
	e := newEnv(t, rc.sink(t, "hook"))
	a := testAlert(0)
	e.enqueue(t, to("hook"), a)
	rc.set(status(500))
	e.pass(t)
	log := e.log.String()
	for _, want := range []string{"sink=hook", "alert_id=" + a.ID, "attempt=1", "HTTP 500"} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}
	if e.meter.failed["hook"] != 1 {
		t.Errorf("metered failures %v", e.meter.failed)
	}
}

func TestEnqueueIdempotent(t *testing.T) {
	a, b := newReceiver(t), newReceiver(t)
	e := newEnv(t, a.sink(t, "a"), b.sink(t, "b"))
	alerts := []alert.Alert{testAlert(0), testAlert(1)}
	for range 2 {
		if n := e.enqueue(t, to("a", "b"), alerts...); n != 4 {
			t.Fatalf("Enqueue offered %d items, want 4", n)
		}
	}
	if n := e.enqueue(t, to(), alerts...); n != 0 {
		t.Errorf("no route: %d items", n)
	}
	st := e.stats(t)
	if st["a"].Pending != 2 || st["b"].Pending != 2 {
		t.Errorf("stats %+v", st)
	}
	if d, f := e.pass(t); d != 4 || f != 0 {
		t.Errorf("delivered %d failed %d", d, f)
	}
	// Enqueued again after delivery: still not sent twice.
	e.enqueue(t, to("a", "b"), alerts...)
	e.clock.Add(time.Hour)
	e.pass(t)
	if len(a.accepted()) != 2 || len(b.accepted()) != 2 {
		t.Errorf("a got %v, b got %v", a.accepted(), b.accepted())
	}
}

func TestUnconfiguredSinkGoesDeadAfterMaxAttempts(t *testing.T) {
	e := newEnv(t)
	e.enqueue(t, to("gone"), testAlert(0))
	for i := range 3 {
		if _, f := e.pass(t); f != 1 {
			t.Fatalf("pass %d: failed %d", i, f)
		}
		e.clock.Add(time.Minute)
	}
	dead, _ := e.st.DeadLetters(e.ctx, 0)
	if len(dead) != 1 || !strings.Contains(dead[0].LastError, `sink "gone" is not configured`) || dead[0].Attempts != 3 {
		t.Errorf("dead letters %+v", dead)
	}
}

func TestBadPayloadIsDeadAtOnce(t *testing.T) {
	rc := newReceiver(t)
	e := newEnv(t, rc.sink(t, "hook"))
	err := e.st.EnqueueAlerts(e.ctx, []store.OutboxItem{{ID: "x", Sink: "hook", Payload: []byte(`{"kind": 7}`), Created: e.clock.Now()}})
	if err != nil {
		t.Fatal(err)
	}
	if _, f := e.pass(t); f != 1 {
		t.Fatal("bad payload not failed")
	}
	if dead, _ := e.st.DeadLetters(e.ctx, 0); len(dead) != 1 || !strings.Contains(dead[0].LastError, "not a sagekey.alert/v1") {
		t.Errorf("dead letters %+v", dead)
	}
	if rc.callCount() != 0 {
		t.Error("a bad payload reached the receiver")
	}
}

func TestFlushDrains(t *testing.T) {
	ok, down := newReceiver(t), newReceiver(t)
	down.set(status(500))
	e := newEnv(t, ok.sink(t, "ok"), down.sink(t, "down"))
	e.d.Batch = 2
	var alerts []alert.Alert
	for i := range 5 {
		alerts = append(alerts, testAlert(i))
	}
	e.enqueue(t, to("ok", "down"), alerts...)
	ctx, cancel := context.WithTimeout(e.ctx, 10*time.Second)
	defer cancel()
	if err := e.d.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if len(ok.accepted()) != 5 {
		t.Errorf("flush delivered %d of 5", len(ok.accepted()))
	}
	// Failures are rescheduled, not retried in a loop.
	if st := e.stats(t)["down"]; st.Pending != 5 || down.callCount() > 5 { // at most once per item
		t.Errorf("down sink: %+v after %d calls", st, down.callCount())
	}
	// A done context stops Flush with its error.
	e.clock.Add(time.Hour)
	cancel()
	if err := e.d.Flush(ctx); err == nil {
		t.Error("Flush with a done context returned nil")
	}
}

func TestRunWakesAndStops(t *testing.T) {
	rc := newReceiver(t)
	e := newEnv(t, rc.sink(t, "hook"))
	wake := make(chan struct{}, 1)
	e.d.Wake = wake
	e.d.Poll = time.Hour // only Wake can make it look again
	ctx, cancel := context.WithCancel(e.ctx)
	done := make(chan error, 1)
	go func() { done <- e.d.Run(ctx) }()
	time.Sleep(50 * time.Millisecond) // let the first, empty poll pass
	e.enqueue(t, to("hook"), testAlert(0))
	wake <- struct{}{}
	deadline := time.Now().Add(5 * time.Second)
	for len(rc.accepted()) == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if len(rc.accepted()) != 1 {
		t.Error("Run did not deliver after Wake")
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run returned %v on cancel", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not stop")
	}
}
