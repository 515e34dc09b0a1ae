package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// slowDownBody is S3's own throttling answer (REST-XML, status 503), which
// the SDK retries like AWS's.
const slowDownBody = `<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
	`<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message><RequestId>sagekey-bench</RequestId></Error>`

// s3Throttler sits in front of the Proxy for the trail benchmark. The Proxy
// throttles only JSON-protocol requests (its ThrottlingException is JSON),
// but `sagekey trail` speaks S3's REST-XML protocol: this answers a share
// of S3 requests with 503 SlowDown after the same latency, counted as the
// Proxy counts its own throttles, and hands every other request to the
// Proxy unchanged.
type s3Throttler struct {
	proxy *Proxy

	mu      sync.Mutex // guards the fields below
	percent float64
	rng     *rand.Rand
}

func newS3Throttler(p *Proxy) *s3Throttler {
	t := &s3Throttler{proxy: p}
	t.configure(0, 0)
	return t
}

// configure sets the share of S3 requests to throttle and restarts the
// decisions from seed, so each run's are reproducible on their own.
func (t *s3Throttler) configure(percent float64, seed uint64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.percent = percent
	t.rng = rand.New(rand.NewPCG(seed, seed^0x51ed270b27a9f3c1))
}

func (t *s3Throttler) throttle() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.percent > 0 && t.rng.Float64()*100 < t.percent
}

func (t *s3Throttler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if _, service := credentialScope(r.Header.Get("Authorization")); service != "s3" || !t.throttle() {
		t.proxy.ServeHTTP(w, r)
		return
	}
	info, err := describeRequest(r)
	if err != nil {
		http.Error(w, "bench proxy: read request: "+err.Error(), http.StatusBadRequest)
		return
	}
	t.proxy.counts.request(info)
	latency, _ := t.proxy.decide(info) // never throttles a REST request itself
	if latency > 0 {
		timer := time.NewTimer(latency)
		select {
		case <-timer.C:
		case <-r.Context().Done():
			timer.Stop()
			return
		}
	}
	t.proxy.counts.throttle(info.operation)
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(http.StatusServiceUnavailable)
	_, _ = io.WriteString(w, slowDownBody)
}

// trailProxyServer is the trail benchmark's proxy listening on a loopback
// port: an s3Throttler in front of a Proxy.
type trailProxyServer struct {
	*Proxy
	throttler *s3Throttler
	url       string
	srv       *http.Server
}

func startTrailProxy(p *Proxy) (*trailProxyServer, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("bench: proxy listen: %w", err)
	}
	t := newS3Throttler(p)
	srv := &http.Server{Handler: t, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			p.log.Error("proxy: serve", "error", err)
		}
	}()
	return &trailProxyServer{Proxy: p, throttler: t, url: "http://" + l.Addr().String(), srv: srv}, nil
}

// URL is the proxy's base URL, to pass as --endpoint-url.
func (s *trailProxyServer) URL() string { return s.url }

// Close stops the listener and waits (bounded by ctx) for requests in
// flight.
func (s *trailProxyServer) Close(ctx context.Context) error { return s.srv.Shutdown(ctx) }

// s3Counts renames the Proxy's S3 operations, which it can only name by
// method and path ("s3:GET /bucket/AWSLogs/…/file.json.gz": REST requests
// carry no action), to S3's operation names, so that a run's thousands of
// object paths become one GetObject line. A GET of the bucket itself is
// ListObjectsV2 and a GET of an object GetObject, because those are the
// only two S3 reads sagekey's trail reader can make (s3log.API lists
// nothing else). Other services' operations are kept as they are.
func s3Counts(c Counts) Counts {
	rename := func(m map[string]int) map[string]int {
		out := make(map[string]int, len(m))
		for op, n := range m {
			out[s3OperationName(op)] += n
		}
		return out
	}
	c.Calls, c.Throttled, c.Unimplemented = rename(c.Calls), rename(c.Throttled), rename(c.Unimplemented)
	return c
}

// s3OperationName maps "s3:METHOD /bucket[/key]" (path-style, as sagekey
// addresses an endpoint override) to an S3 operation name.
func s3OperationName(op string) string {
	rest, ok := strings.CutPrefix(op, "s3:")
	if !ok {
		return op
	}
	method, path, ok := strings.Cut(rest, " ")
	if !ok || !strings.HasPrefix(path, "/") {
		return op
	}
	_, key, _ := strings.Cut(strings.TrimPrefix(path, "/"), "/")
	object := key != ""
	switch {
	case method == http.MethodGet && object:
		return "s3:GetObject"
	case method == http.MethodGet:
		return "s3:ListObjectsV2"
	case method == http.MethodHead && object:
		return "s3:HeadObject"
	case method == http.MethodPut && object:
		return "s3:PutObject"
	case object:
		return "s3:" + method + " object"
	default:
		return "s3:" + method + " bucket"
	}
}
