package serve

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sagekey/sagekey/internal/metrics"
	"github.com/sagekey/sagekey/internal/scan"
	"github.com/sagekey/sagekey/internal/schedule"
	"github.com/sagekey/sagekey/internal/store"
)

func TestCheckListen(t *testing.T) {
	for _, tc := range []struct {
		addr, token string
		ok          bool
	}{
		{"127.0.0.1:8080", "", true},
		{"[::1]:8080", "", true},
		{"localhost:8080", "", true},
		{"0.0.0.0:8080", "", false},
		{":8080", "", false},
		{"10.0.0.5:8080", "", false},
		{"0.0.0.0:8080", "a-token-of-sixteen", true},
		{"no-port", "", false},
	} {
		err := CheckListen(tc.addr, tc.token)
		if (err == nil) != tc.ok {
			t.Errorf("CheckListen(%q, token=%v) = %v, want ok=%v", tc.addr, tc.token != "", err, tc.ok)
		}
	}
}

func testServer(t *testing.T, token string) *server {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "h.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	dash := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("dashboard")) })
	s := &server{o: Options{Store: st, Metrics: metrics.New(), Dashboard: dash, AuthToken: token, Listen: "127.0.0.1:0",
		Scan:     func(context.Context, bool) (*scan.Result, error) { return nil, errors.New("no scan in this test") },
		Load:     func(context.Context, int64) (Stored, error) { return Stored{}, errors.New("nothing stored") },
		Schedule: schedule.Every{Interval: time.Hour}},
		trigger: make(chan struct{}, 1)}
	if err := s.o.defaults(); err != nil {
		t.Fatal(err)
	}
	s.ready.grace = time.Hour
	return s
}

func call(t *testing.T, h http.Handler, method, path, auth string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, path, nil)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// TestAuth: probes are open, everything else needs the token when one is
// configured, and the scan trigger always needs one.
func TestAuth(t *testing.T) {
	const token = "s3cret-token-0123456789"
	basic := func(pass string) string {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.SetBasicAuth("anyone", pass)
		return req.Header.Get("Authorization")
	}
	h := testServer(t, token).handler()
	for _, tc := range []struct {
		method, path, auth string
		want               int
	}{
		{"GET", "/healthz", "", 200},
		{"GET", "/readyz", "", 200},
		{"GET", "/metrics", "", 401},
		{"GET", "/metrics", "Bearer wrong", 401},
		{"GET", "/metrics", "Bearer " + token, 200},
		{"GET", "/", "", 401},
		{"GET", "/", basic(token), 200},
		{"GET", "/", basic("nope"), 401},
		{"POST", "/api/scan", "", 401},
		{"POST", "/api/scan", "Bearer " + token, 202},
		{"POST", "/api/scan", "Bearer " + token, 202}, // coalesced with the queued one
	} {
		rec := call(t, h, tc.method, tc.path, tc.auth)
		if rec.Code != tc.want {
			t.Errorf("%s %s (auth %q) = %d, want %d", tc.method, tc.path, tc.auth, rec.Code, tc.want)
		}
		if rec.Code == 401 && !strings.Contains(rec.Header().Get("WWW-Authenticate"), "Basic") {
			t.Errorf("%s %s: 401 without a WWW-Authenticate challenge", tc.method, tc.path)
		}
		for _, hdr := range []string{"X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy", "Content-Security-Policy"} {
			if rec.Header().Get(hdr) == "" {
				t.Errorf("%s %s: no %s header", tc.method, tc.path, hdr)
			}
		}
	}

	open := testServer(t, "").handler()
	if rec := call(t, open, "GET", "/metrics", ""); rec.Code != 200 {
		t.Errorf("loopback without a token: /metrics = %d, want 200", rec.Code)
	}
	if rec := call(t, open, "POST", "/api/scan", ""); rec.Code != http.StatusForbidden {
		t.Errorf("without a configured token: POST /api/scan = %d, want 403", rec.Code)
	}
}

func TestTriggerQueuesOneScan(t *testing.T) {
	s := testServer(t, "s3cret-token-0123456789")
	h := s.handler()
	for range 3 {
		call(t, h, "POST", "/api/scan", "Bearer s3cret-token-0123456789")
	}
	if len(s.trigger) != 1 || !s.forced.Load() {
		t.Errorf("queued %d triggers (forced=%v), want 1", len(s.trigger), s.forced.Load())
	}
}

func TestReadiness(t *testing.T) {
	t0 := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	r := readiness{grace: time.Hour}
	if late, _ := r.overdue(t0); late {
		t.Error("overdue before any schedule")
	}
	r.waiting(t0, false)
	if late, _ := r.overdue(t0.Add(59 * time.Minute)); late {
		t.Error("overdue within the grace")
	}
	if late, _ := r.overdue(t0.Add(61 * time.Minute)); !late {
		t.Error("not overdue an hour past due with no scan stored")
	}
	r.waiting(t0.Add(5*time.Minute), true) // a retry keeps the scan owed
	if late, _ := r.overdue(t0.Add(61 * time.Minute)); !late {
		t.Error("a retry cleared the overdue scan")
	}
	r.stored(t0.Add(2 * time.Minute)) // another replica stored it
	if late, _ := r.overdue(t0.Add(61 * time.Minute)); late {
		t.Error("overdue although a scan was stored after it was due")
	}
	r.waiting(t0.Add(6*time.Hour), false)
	if late, _ := r.overdue(t0.Add(8 * time.Hour)); !late {
		t.Error("the next interval's scan is not overdue two hours late")
	}

	s := testServer(t, "")
	s.ready.waiting(time.Now().Add(-2*time.Hour), false)
	if rec := call(t, s.handler(), "GET", "/readyz", ""); rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), "overdue") {
		t.Errorf("/readyz with an overdue scan = %d %s", rec.Code, rec.Body)
	}
	s.o.Store.Close()
	s.ready = readiness{grace: time.Hour}
	if rec := call(t, s.handler(), "GET", "/readyz", ""); rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), "store") {
		t.Errorf("/readyz with the store closed = %d %s", rec.Code, rec.Body)
	}
}
