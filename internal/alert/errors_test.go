package alert

import (
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"
)

func TestPermanent(t *testing.T) {
	if Permanent(nil) != nil {
		t.Error("Permanent(nil) is not nil")
	}
	base := errors.New("refused")
	err := fmt.Errorf("outbox: %w", Permanent(base))
	if !IsPermanent(err) || !errors.Is(err, base) || err.Error() != "outbox: refused" {
		t.Errorf("wrapped permanent error: %v", err)
	}
	if IsPermanent(base) || IsPermanent(nil) {
		t.Error("an unmarked error is permanent")
	}
}

func TestPermanentStatus(t *testing.T) {
	for code, want := range map[int]bool{
		301: true, 307: true, 400: true, 401: true, 403: true, 404: true, 410: true, 413: true, 422: true,
		408: false, 429: false, 500: false, 502: false, 503: false, 504: false,
	} {
		if PermanentStatus(code) != want {
			t.Errorf("PermanentStatus(%d) = %v", code, !want)
		}
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 3, 15, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Duration{
		"":     0,
		"120":  2 * time.Minute,
		"-5":   0,
		"soon": 0,
		now.Add(90 * time.Second).Format(http.TimeFormat): 90 * time.Second,
		now.Add(-time.Hour).Format(http.TimeFormat):       0,
	} {
		if got := parseRetryAfter(in, now); got != want {
			t.Errorf("parseRetryAfter(%q) = %s, want %s", in, got, want)
		}
	}
}
