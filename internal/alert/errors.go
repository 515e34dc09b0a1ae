package alert

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// permanentError marks a failure no retry can fix (a refused payload, a
// missing topic, an invalid alert), so the outbox dead-letters the alert at
// once instead of spending its attempts.
type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// Permanent wraps err so IsPermanent reports true; nil stays nil.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanentError{err: err}
}

// IsPermanent reports whether retrying the send can not help. Any error not
// marked Permanent (network failures, timeouts, 5xx, throttling) is
// temporary: at-least-once delivery prefers a useless retry to a lost alert.
func IsPermanent(err error) bool {
	var p *permanentError
	return errors.As(err, &p)
}

// StatusError is a non-2xx answer from an HTTP receiver. Target is the
// redacted URL (scheme and host), never the secret path.
type StatusError struct {
	Sink   string
	Target string
	Code   int
	// Body is the start of the response body (Slack puts its error code
	// there, e.g. "invalid_blocks"); it comes from the receiver, not from us.
	Body string
	// RetryAfter is the receiver's Retry-After, zero when absent.
	RetryAfter time.Duration
}

func (e *StatusError) Error() string {
	msg := fmt.Sprintf("%s: POST %s: HTTP %d", e.Sink, e.Target, e.Code)
	if e.Body != "" {
		msg += fmt.Sprintf(": %q", e.Body)
	}
	return msg
}

// PermanentStatus reports whether an HTTP status means the receiver will
// refuse the same request again: every 4xx except 408 (timeout) and 429
// (rate limited). Redirects count as permanent too, because sinks do not
// follow them (a redirect would send a signed alert to a URL nobody
// configured) and a moved endpoint needs a configuration change.
func PermanentStatus(code int) bool {
	switch {
	case code == http.StatusRequestTimeout, code == http.StatusTooManyRequests:
		return false
	case code >= 300 && code < 500:
		return true
	}
	return false
}

// RetryAfter returns the delay a receiver asked for, if any.
func RetryAfter(err error) (time.Duration, bool) {
	var s *StatusError
	if errors.As(err, &s) && s.RetryAfter > 0 {
		return s.RetryAfter, true
	}
	return 0, false
}

// parseRetryAfter reads delay-seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil && s > 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
