package alert

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

const testSecret = "s3cr3t-hmac-key"

// secretPath is the part of a webhook URL that is a credential.
const secretPath = "/hooks/T000/B000/XXXXSECRETTOKEN"

func newTestWebhook(t *testing.T, url string, client *http.Client) *Webhook {
	t.Helper()
	w, err := NewWebhook(WebhookConfig{Name: "sec-team", URL: url, Secret: []byte(testSecret), Client: client,
		Now: func() time.Time { return time.Unix(1_764_680_400, 0) }})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func TestWebhookSignsAndVerifies(t *testing.T) {
	type delivery struct {
		header http.Header
		body   []byte
	}
	got := make(chan delivery, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.Method != http.MethodPost || r.URL.Path != secretPath {
			t.Errorf("request %s %s", r.Method, r.URL.Path)
		}
		got <- delivery{r.Header.Clone(), body}
		w.WriteHeader(http.StatusAccepted)
	}))
	defer srv.Close()

	a := resourceAlert()
	if err := newTestWebhook(t, srv.URL+secretPath, nil).Send(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	d := <-got
	want, _ := a.JSON()
	if string(d.body) != string(want) {
		t.Errorf("body is not the alert's JSON:\n%s", d.body)
	}
	for h, v := range map[string]string{
		"Content-Type":  "application/json",
		HeaderAlertID:   a.ID,
		HeaderTimestamp: "1764680400",
	} {
		if d.header.Get(h) != v {
			t.Errorf("%s = %q, want %q", h, d.header.Get(h), v)
		}
	}
	sig, ts := d.header.Get(HeaderSignature), d.header.Get(HeaderTimestamp)
	if !strings.HasPrefix(sig, "sha256=") || len(sig) != len("sha256=")+64 {
		t.Errorf("signature header %q", sig)
	}
	if err := Verify([]byte(testSecret), sig, ts, d.body); err != nil {
		t.Errorf("Verify refused a genuine delivery: %v", err)
	}
	// Anything changed must fail.
	tampered := append([]byte{}, d.body...)
	tampered[len(tampered)-2] ^= 1
	for name, err := range map[string]error{
		"body":      Verify([]byte(testSecret), sig, ts, tampered),
		"timestamp": Verify([]byte(testSecret), sig, "1764680401", d.body),
		"secret":    Verify([]byte("other"), sig, ts, d.body),
		"prefix":    Verify([]byte(testSecret), strings.TrimPrefix(sig, "sha256="), ts, d.body),
		"not hex":   Verify([]byte(testSecret), "sha256=zz", ts, d.body),
		"no ts":     Verify([]byte(testSecret), sig, "", d.body),
	} {
		if !errors.Is(err, ErrBadSignature) {
			t.Errorf("%s: Verify = %v, want ErrBadSignature", name, err)
		}
	}
}

func TestCheckTimestamp(t *testing.T) {
	now := time.Unix(1_764_680_400, 0)
	if err := CheckTimestamp("1764680100", now, 5*time.Minute); err != nil {
		t.Errorf("5 minutes old refused: %v", err)
	}
	for _, ts := range []string{"1764680099", "1764680701", "yesterday", ""} {
		if err := CheckTimestamp(ts, now, 5*time.Minute); err == nil {
			t.Errorf("%q accepted", ts)
		}
	}
}

func TestWebhookStatusClassification(t *testing.T) {
	for _, tc := range []struct {
		code       int
		permanent  bool
		retryAfter time.Duration
	}{
		{http.StatusBadRequest, true, 0},
		{http.StatusUnauthorized, true, 0},
		{http.StatusNotFound, true, 0},
		{http.StatusGone, true, 0},
		{http.StatusMovedPermanently, true, 0}, // not followed
		{http.StatusRequestTimeout, false, 0},
		{http.StatusTooManyRequests, false, 30 * time.Second},
		{http.StatusInternalServerError, false, 0},
		{http.StatusBadGateway, false, 0},
		{http.StatusServiceUnavailable, false, 0},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if tc.retryAfter > 0 {
				w.Header().Set("Retry-After", "30")
			}
			if tc.code/100 == 3 {
				w.Header().Set("Location", "https://elsewhere.example/")
			}
			w.WriteHeader(tc.code)
			// A receiver that echoes the request path must not leak it.
			io.WriteString(w, "refused "+r.URL.Path)
		}))
		err := newTestWebhook(t, srv.URL+secretPath, nil).Send(context.Background(), resourceAlert())
		srv.Close()
		var se *StatusError
		if !errors.As(err, &se) || se.Code != tc.code {
			t.Errorf("HTTP %d: error %v, want a StatusError", tc.code, err)
			continue
		}
		if IsPermanent(err) != tc.permanent {
			t.Errorf("HTTP %d: IsPermanent = %v, want %v", tc.code, IsPermanent(err), tc.permanent)
		}
		if d, _ := RetryAfter(err); d != tc.retryAfter {
			t.Errorf("HTTP %d: RetryAfter = %s, want %s", tc.code, d, tc.retryAfter)
		}
		assertNoSecret(t, err)
		t.Logf("HTTP %d: %v", tc.code, err)
	}
}

func TestWebhookTransportErrorsAreTemporaryAndRedacted(t *testing.T) {
	// A closed server: connection refused.
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL + secretPath + "?token=" + testSecret
	srv.Close()
	err := newTestWebhook(t, url, nil).Send(context.Background(), resourceAlert())
	if err == nil || IsPermanent(err) {
		t.Fatalf("connection refused: %v, want a temporary error", err)
	}
	assertNoSecret(t, err)
	t.Logf("connection refused: %v", err)
	if !strings.Contains(err.Error(), srv.URL) {
		t.Errorf("error does not name the redacted target %s: %v", srv.URL, err)
	}

	// A receiver that hangs past the client's timeout.
	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-release }))
	defer slow.Close()
	defer close(release)
	err = newTestWebhook(t, slow.URL+secretPath, &http.Client{Timeout: 50 * time.Millisecond}).Send(context.Background(), resourceAlert())
	if err == nil || IsPermanent(err) {
		t.Fatalf("timeout: %v, want a temporary error", err)
	}
	assertNoSecret(t, err)
	t.Logf("timeout: %v", err)

	// A canceled context is still recognisable.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err = newTestWebhook(t, slow.URL+secretPath, nil).Send(ctx, resourceAlert())
	if !errors.Is(err, context.Canceled) || IsPermanent(err) {
		t.Errorf("canceled: %v", err)
	}
	assertNoSecret(t, err)
}

func TestNewWebhookChecksConfig(t *testing.T) {
	for name, cfg := range map[string]WebhookConfig{
		"no secret":  {URL: "https://hooks.example.com" + secretPath},
		"bad url":    {URL: "://" + secretPath + "\x7f", Secret: []byte("k")},
		"no host":    {URL: "https:" + secretPath, Secret: []byte("k")},
		"ftp":        {URL: "ftp://hooks.example.com" + secretPath, Secret: []byte("k")},
		"plain http": {URL: "http://hooks.example.com" + secretPath, Secret: []byte("k")},
	} {
		_, err := NewWebhook(cfg)
		if err == nil {
			t.Errorf("%s: accepted", name)
			continue
		}
		assertNoSecret(t, err)
	}
	if _, err := NewWebhook(WebhookConfig{URL: "http://receiver.alerts.svc" + secretPath, Secret: []byte("k"), AllowHTTP: true}); err != nil {
		t.Errorf("AllowHTTP refused: %v", err)
	}
	if _, err := NewWebhook(WebhookConfig{URL: "http://[::1]:8080" + secretPath, Secret: []byte("k")}); err != nil {
		t.Errorf("loopback http refused: %v", err)
	}
}

func TestInvalidAlertIsPermanent(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Error("an invalid alert was sent")
	}))
	defer srv.Close()
	a := resourceAlert()
	a.Kind = "nonsense"
	if err := newTestWebhook(t, srv.URL+secretPath, nil).Send(context.Background(), a); !IsPermanent(err) {
		t.Errorf("invalid alert: %v, want permanent", err)
	}
}

func assertNoSecret(t *testing.T, err error) {
	t.Helper()
	for _, s := range []string{secretPath, "XXXXSECRETTOKEN", testSecret} {
		if strings.Contains(err.Error(), s) {
			t.Errorf("error leaks %q: %v", s, err)
		}
	}
}
