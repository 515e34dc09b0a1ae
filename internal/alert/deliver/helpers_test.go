package deliver

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/sagekey/sagekey/internal/alert"
	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/schedule"
	"github.com/sagekey/sagekey/internal/store"
)

// secretPath is the credential part of the receiver's URL; it must never
// appear in a log line or a stored error.
const secretPath = "/hooks/T000/SECRET-TOKEN-123"

var hmacKey = []byte("test-signing-secret")

// clock is a settable Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// receiver is an httptest webhook receiver whose answer the test sets.
type receiver struct {
	t   *testing.T
	srv *httptest.Server
	mu  sync.Mutex
	// respond answers a request; nil answers 200.
	respond func(w http.ResponseWriter) bool
	got     []string // alert ids of accepted deliveries
	calls   int
}

func newReceiver(t *testing.T) *receiver {
	rc := &receiver{t: t}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := alert.Verify(hmacKey, r.Header.Get(alert.HeaderSignature), r.Header.Get(alert.HeaderTimestamp), body); err != nil {
			t.Errorf("bad signature: %v", err)
		}
		rc.mu.Lock()
		rc.calls++
		respond := rc.respond
		rc.mu.Unlock()
		if respond != nil && !respond(w) {
			return
		}
		rc.mu.Lock()
		rc.got = append(rc.got, r.Header.Get(alert.HeaderAlertID))
		rc.mu.Unlock()
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

// set changes the answer: respond writes a refusal and returns false, or
// returns true to accept.
func (rc *receiver) set(respond func(w http.ResponseWriter) bool) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.respond = respond
}

func (rc *receiver) accepted() []string {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]string(nil), rc.got...)
}

func (rc *receiver) callCount() int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.calls
}

func status(code int, header ...string) func(w http.ResponseWriter) bool {
	return func(w http.ResponseWriter) bool {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		w.WriteHeader(code)
		return false
	}
}

// hangUp drops the connection without an answer, as a receiver that is
// down or restarting does.
func hangUp(w http.ResponseWriter) bool {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err == nil {
		conn.Close()
	}
	return false
}

func (rc *receiver) sink(t *testing.T, name string) alert.Sink {
	s, err := alert.NewWebhook(alert.WebhookConfig{Name: name, URL: rc.srv.URL + secretPath, Secret: hmacKey})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// meter counts like metrics.Metrics.
type meter struct {
	mu           sync.Mutex
	sent, failed map[string]int
}

func (m *meter) AlertSent(s string)   { m.mu.Lock(); defer m.mu.Unlock(); m.sent[s]++ }
func (m *meter) AlertFailed(s string) { m.mu.Lock(); defer m.mu.Unlock(); m.failed[s]++ }

// env is one test's store, clock, log and dispatcher.
type env struct {
	ctx   context.Context
	st    *store.Store
	clock *clock
	meter *meter
	log   *bytes.Buffer
	d     *Dispatcher
}

func newEnv(t *testing.T, sinks ...alert.Sink) *env {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "h.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e := &env{ctx: ctx, st: st, clock: &clock{t: time.Date(2026, 12, 1, 6, 0, 0, 0, time.UTC)},
		meter: &meter{sent: map[string]int{}, failed: map[string]int{}}, log: &bytes.Buffer{}}
	m := map[string]alert.Sink{}
	for _, s := range sinks {
		m[s.Name()] = s
	}
	var logMu sync.Mutex
	e.d = &Dispatcher{
		Outbox: st, Sinks: m, MaxAttempts: 3,
		Backoff: schedule.Backoff{Base: time.Second, Max: 10 * time.Second, Rand: zeroRand{}},
		Meter:   e.meter, Now: e.clock.Now,
		Logger: slog.New(slog.NewTextHandler(&lockedWriter{mu: &logMu, w: e.log}, nil)),
	}
	return e
}

type zeroRand struct{}

func (zeroRand) Int64N(int64) int64 { return 0 }

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func testAlert(n int) alert.Alert {
	a := alert.New(alert.ViolationOpened, "arn:aws:sagemaker:us-east-1:111122223333:endpoint/e"+string(rune('a'+n)), "run-1",
		time.Date(2026, 12, 1, 5, 0, 0, 0, time.UTC))
	a.Severity = finding.High
	a.Title = "test alert"
	return a
}

func to(sinks ...string) func(alert.Alert) []string {
	return func(alert.Alert) []string { return sinks }
}

func (e *env) enqueue(t *testing.T, route func(alert.Alert) []string, alerts ...alert.Alert) int {
	t.Helper()
	n, err := Enqueue(e.ctx, e.st, route, alerts, e.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func (e *env) pass(t *testing.T) (delivered, failed int) {
	t.Helper()
	delivered, failed, err := e.d.DeliverDue(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	return delivered, failed
}

func (e *env) stats(t *testing.T) map[string]store.OutboxStat {
	t.Helper()
	ss, err := e.st.OutboxStats(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]store.OutboxStat{}
	for _, s := range ss {
		m[s.Sink] = s
	}
	return m
}
