package alert

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Headers of a webhook delivery.
const (
	HeaderAlertID   = "X-Sagekey-Alert-Id"
	HeaderTimestamp = "X-Sagekey-Timestamp"
	HeaderSignature = "X-Sagekey-Signature"
	// signaturePrefix names the algorithm so a later one can be added
	// without breaking receivers that check the prefix.
	signaturePrefix = "sha256="
)

// WebhookConfig configures a generic webhook sink.
type WebhookConfig struct {
	Name   string // the sink's name; "webhook" when empty
	URL    string // secret: read from a file or the environment, never a flag
	Secret []byte // the HMAC-SHA256 key shared with the receiver; required
	// Client sends the request; nil uses one with DefaultTimeout. Redirects
	// are never followed whatever the client says.
	Client *http.Client
	// AllowHTTP permits plain http to a non-loopback host (an in-cluster
	// receiver behind a service mesh, say).
	AllowHTTP bool
	Now       func() time.Time // the signature's clock; nil is time.Now
}

// Webhook POSTs the alert's JSON document, signed, to a URL.
type Webhook struct {
	name   string
	secret []byte
	post   *poster
}

// NewWebhook checks cfg. An unsigned webhook is refused: receivers would
// have no way to tell sagekey's alerts from anyone else's POSTs.
func NewWebhook(cfg WebhookConfig) (*Webhook, error) {
	name := cfg.Name
	if name == "" {
		name = "webhook"
	}
	if len(cfg.Secret) == 0 {
		return nil, fmt.Errorf("%s: a signing secret is required", name)
	}
	p, err := newPoster(name, cfg.URL, cfg.Client, cfg.AllowHTTP, cfg.Now)
	if err != nil {
		return nil, err
	}
	return &Webhook{name: name, secret: append([]byte(nil), cfg.Secret...), post: p}, nil
}

// Name is the configured name.
func (w *Webhook) Name() string { return w.name }

// Send POSTs a's JSON with its id, a timestamp and the signature.
func (w *Webhook) Send(ctx context.Context, a Alert) error {
	if err := a.Validate(); err != nil {
		return Permanent(fmt.Errorf("%s: %w", w.name, err))
	}
	body, err := a.JSON()
	if err != nil {
		return Permanent(fmt.Errorf("%s: encode alert %s: %w", w.name, a.ID, err))
	}
	ts := strconv.FormatInt(w.post.now().Unix(), 10)
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set(HeaderAlertID, a.ID)
	h.Set(HeaderTimestamp, ts)
	h.Set(HeaderSignature, Sign(w.secret, ts, body))
	return w.post.post(ctx, body, h)
}

// Sign is the X-Sagekey-Signature value for body sent at timestamp (Unix
// seconds): "sha256=" and the hex HMAC-SHA256 of "<timestamp>.<body>".
// Signing the timestamp with the body lets receivers reject replays.
func Sign(secret []byte, timestamp string, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(timestamp))
	m.Write([]byte{'.'})
	m.Write(body)
	return signaturePrefix + hex.EncodeToString(m.Sum(nil))
}

// ErrBadSignature is returned by Verify when the signature does not match.
var ErrBadSignature = errors.New("alert signature does not match")

// Verify checks a delivery for receivers: header is X-Sagekey-Signature,
// timestamp X-Sagekey-Timestamp, body the raw request body (before any
// JSON decoding, which would change its bytes). The comparison takes
// constant time. Verify does not judge the timestamp's age; use
// CheckTimestamp for that.
func Verify(secret []byte, header, timestamp string, body []byte) error {
	hexSig, ok := strings.CutPrefix(header, signaturePrefix)
	if !ok {
		return fmt.Errorf("%w: no %q prefix", ErrBadSignature, signaturePrefix)
	}
	got, err := hex.DecodeString(hexSig)
	if err != nil {
		return fmt.Errorf("%w: not hex", ErrBadSignature)
	}
	if timestamp == "" {
		return fmt.Errorf("%w: no timestamp", ErrBadSignature)
	}
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(timestamp))
	m.Write([]byte{'.'})
	m.Write(body)
	if !hmac.Equal(got, m.Sum(nil)) {
		return ErrBadSignature
	}
	return nil
}

// CheckTimestamp rejects a delivery whose X-Sagekey-Timestamp is further
// than tolerance from now, in either direction, so a captured request
// cannot be replayed later. Note that a delivery retried by the outbox is
// signed again with a fresh timestamp.
func CheckTimestamp(timestamp string, now time.Time, tolerance time.Duration) error {
	sec, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return fmt.Errorf("alert timestamp %q is not Unix seconds", timestamp)
	}
	d := now.Sub(time.Unix(sec, 0))
	if d < -tolerance || d > tolerance {
		return fmt.Errorf("alert timestamp is %s away from now (tolerance %s)", d.Round(time.Second), tolerance)
	}
	return nil
}
