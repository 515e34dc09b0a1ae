package alert

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// DefaultTimeout bounds one delivery attempt when the caller passes no
// client: a receiver that hangs must not hold the outbox.
const DefaultTimeout = 10 * time.Second

// maxErrorBody is how much of a refusal's body an error quotes.
const maxErrorBody = 200

// poster POSTs bodies to a URL that is a secret (Slack's and most webhook
// URLs carry their credential in the path). Everything it reports names
// only the redacted target.
type poster struct {
	sink   string
	url    string // secret: never printed
	target string // scheme://host, safe to print
	secret []string
	client *http.Client
	now    func() time.Time
}

// newPoster checks rawURL without echoing it (url.Parse's errors quote the
// whole URL). Plain http is accepted only for loopback receivers or when
// allowHTTP is set, since alerts describe the estate's weaknesses.
func newPoster(sink, rawURL string, client *http.Client, allowHTTP bool, now func() time.Time) (*poster, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, Permanent(fmt.Errorf("%s: the URL is not a valid http(s) URL", sink))
	}
	target := u.Scheme + "://" + u.Host
	if u.Scheme == "http" && !allowHTTP && !isLoopback(u.Hostname()) {
		return nil, Permanent(fmt.Errorf("%s: %s: plain http is allowed only for loopback receivers", sink, target))
	}
	if client == nil {
		client = &http.Client{Timeout: DefaultTimeout}
	}
	c := *client
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	if now == nil {
		now = time.Now
	}
	return &poster{sink: sink, url: rawURL, target: target, secret: secretParts(u, rawURL), client: &c, now: now}, nil
}

// secretParts are the substrings of the URL that must never appear in an
// error: the whole URL, its path, query and password.
func secretParts(u *url.URL, raw string) []string {
	parts := []string{raw}
	for _, p := range []string{u.EscapedPath(), u.Path, u.RawQuery} {
		if len(p) > 1 {
			parts = append(parts, p)
		}
	}
	if pw, ok := u.User.Password(); ok && pw != "" {
		parts = append(parts, pw)
	}
	if name := u.User.Username(); name != "" {
		parts = append(parts, name)
	}
	return parts
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// post sends body and classifies the outcome.
func (p *poster) post(ctx context.Context, body []byte, header http.Header) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.url, bytes.NewReader(body))
	if err != nil {
		return Permanent(fmt.Errorf("%s: POST %s: cannot build the request", p.sink, p.target))
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	resp, err := p.client.Do(req)
	if err != nil {
		// *url.Error quotes the full URL; keep only its cause, scrubbed.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return &causeError{msg: fmt.Sprintf("%s: POST %s: %s", p.sink, p.target, p.scrub(err.Error())), cause: err}
	}
	defer resp.Body.Close()
	head, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	// Drain a little more so the connection can be reused.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	serr := &StatusError{
		Sink:       p.sink,
		Target:     p.target,
		Code:       resp.StatusCode,
		Body:       p.scrub(strings.ToValidUTF8(string(head), "?")),
		RetryAfter: parseRetryAfter(resp.Header.Get("Retry-After"), p.now()),
	}
	if PermanentStatus(resp.StatusCode) {
		return Permanent(serr)
	}
	return serr
}

func (p *poster) scrub(s string) string {
	for _, part := range p.secret {
		s = strings.ReplaceAll(s, part, "[redacted]")
	}
	return s
}

// causeError carries a message safe to log and the error behind it. For a
// transport failure (refused, reset, timed out: temporary) the message is
// scrubbed and the cause is never the *url.Error carrying the URL; the
// cause is kept so that errors.Is still finds context.Canceled and
// deadlines.
type causeError struct {
	msg   string
	cause error
}

func (e *causeError) Error() string { return e.msg }
func (e *causeError) Unwrap() error { return e.cause }
