package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sagekey/sagekey/internal/motoserver"
)

// Bodies of the answers the proxy makes up. Both use the awsJson error
// shape, so the SDK decodes them exactly like AWS's own.
const (
	throttleBody      = `{"__type":"ThrottlingException","message":"Rate exceeded"}`
	unimplementedBody = `{"__type":"UnknownOperationException","message":"` + motoserver.UnimplementedMessage + `"}`
	awsJSONType       = "application/x-amz-json-1.1"
	// motoErrorMarker identifies moto's (Werkzeug's) generic HTML error page.
	motoErrorMarker = "<title>500 Internal Server Error</title>"
)

// ProxyOptions shape the conditions a phase runs under.
type ProxyOptions struct {
	// Latency is added before each request is answered, because moto
	// answers in microseconds and AWS in tens of milliseconds: without it
	// the number of calls would barely show in wall time.
	Latency time.Duration
	// ThrottlePercent of JSON-protocol requests (SageMaker, KMS) are
	// answered with a ThrottlingException instead of being forwarded.
	ThrottlePercent float64
	// Seed makes the sequence of throttling decisions reproducible.
	Seed uint64
}

// Proxy is a reverse proxy in front of moto that counts requests per
// operation, adds latency, injects throttling and stands in for AWS where
// moto diverges from it: unimplemented operations (see modifyResponse) and
// Search paging and sorting (see searchpaging.go). It is safe for
// concurrent use.
type Proxy struct {
	reverse  *httputil.ReverseProxy
	counts   *counter
	searches *searchPager
	log      *slog.Logger
	// processing, when set, gives the ProcessingResources a processing
	// job was created with (see RestoreProcessingResources).
	processing func(region, name string) (json.RawMessage, bool)

	mu              sync.Mutex // guards the fields below
	latency         time.Duration
	throttlePercent float64
	rng             *rand.Rand
}

// proxyContextKey carries per-request state from ServeHTTP to the response
// rewriting.
type proxyContextKey struct{}

type proxyRequestState struct {
	operation string
	region    string
	// search is set for a first-page Search the proxy must page.
	search *searchRequest
}

// NewProxy returns a proxy forwarding to upstream (moto's base URL).
func NewProxy(upstream string, opts ProxyOptions, log *slog.Logger) (*Proxy, error) {
	target, err := url.Parse(upstream)
	if err != nil || target.Scheme == "" || target.Host == "" {
		return nil, fmt.Errorf("bench: proxy upstream %q is not an absolute URL", upstream)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	p := &Proxy{counts: newCounter(), searches: newSearchPager(), log: log}
	p.Configure(opts)
	p.reverse = &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(target)
			// Let the transport negotiate (and undo) compression so
			// response bodies can be inspected and rewritten.
			pr.Out.Header.Del("Accept-Encoding")
		},
		Transport: &http.Transport{
			Proxy:               nil, // never route loopback traffic through an HTTP(S)_PROXY
			DialContext:         (&net.Dialer{Timeout: 10 * time.Second}).DialContext,
			MaxIdleConns:        256,
			MaxIdleConnsPerHost: 256,
			IdleConnTimeout:     30 * time.Second,
		},
		ModifyResponse: p.modifyResponse,
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			if !errors.Is(err, context.Canceled) {
				log.Warn("proxy: upstream request failed", "path", r.URL.Path, "error", err)
			}
			w.WriteHeader(http.StatusBadGateway)
		},
	}
	return p, nil
}

// Configure changes latency and throttling for the next requests and
// restarts the throttling sequence from opts.Seed, so each phase's
// decisions are reproducible on their own.
func (p *Proxy) Configure(opts ProxyOptions) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.latency = opts.Latency
	p.throttlePercent = opts.ThrottlePercent
	p.rng = rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x9e3779b97f4a7c15))
}

// RestoreProcessingResources makes the proxy put back, in each
// DescribeProcessingJob answer that lacks it, the ProcessingResources the
// job was created with, as lookup gives it. moto 5.2.1 drops the field
// (it is not stored), which AWS always returns: without it a scanner could
// not verify a processing job's volume key, so sagekey would never store
// the record as complete and would describe every processing job again on
// each scan, which it does not do against AWS. Call before serving.
func (p *Proxy) RestoreProcessingResources(lookup func(region, name string) (json.RawMessage, bool)) {
	p.processing = lookup
}

// Snapshot returns the counts since the last Reset.
func (p *Proxy) Snapshot() Counts { return p.counts.snapshot() }

// Reset zeroes the counts, so that the next phase is counted alone, and
// drops the Search results still being paged.
func (p *Proxy) Reset() {
	p.counts.reset()
	p.searches.reset()
}

// ServeHTTP counts the request, waits the configured latency, then either
// throttles it or forwards it to moto.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	info, err := describeRequest(r)
	if err != nil {
		http.Error(w, "bench proxy: read request: "+err.Error(), http.StatusBadRequest)
		return
	}
	p.counts.request(info)

	latency, throttle := p.decide(info)
	if latency > 0 {
		t := time.NewTimer(latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	if throttle {
		p.counts.throttle(info.operation)
		writeAWSJSONError(w, throttleBody)
		return
	}

	if info.operation == getResourcesOp {
		if err := widenTagsPerPage(r, info.body); err != nil {
			http.Error(w, "bench proxy: "+err.Error(), http.StatusBadRequest)
			return
		}
	}
	state := &proxyRequestState{operation: info.operation, region: info.region}
	if info.operation == searchOperation {
		req, err := parseSearchRequest(info.body)
		if err != nil {
			http.Error(w, "bench proxy: "+err.Error(), http.StatusBadRequest)
			return
		}
		if req.continued {
			p.serveSearchPage(w, req)
			return
		}
		if !req.foreign {
			state.search = &req
		}
	}
	p.reverse.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), proxyContextKey{}, state)))
}

// decide returns the latency to add and whether to throttle. Only
// JSON-protocol requests are throttled: the ThrottlingException body is
// awsJson, which the query-protocol SDK clients (STS) would not parse.
func (p *Proxy) decide(info requestInfo) (time.Duration, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !info.jsonProtocol || p.throttlePercent <= 0 {
		return p.latency, false
	}
	return p.latency, p.rng.Float64()*100 < p.throttlePercent
}

// modifyResponse stands in for AWS where moto diverges from it.
//
// moto answers an operation it does not implement with Werkzeug's HTML
// "500 Internal Server Error" page. Real AWS never answers an existing API
// that way, and the SDK retries a 500 with exponential backoff (sagekey up to
// 8 attempts, 20 s apart at most), so left alone the benchmark would time
// moto's gaps rather than the scanner. Such a response becomes a 400
// UnknownOperationException, which a scanner sees as "not supported here"
// and which is counted per operation as unimplemented.
func (p *Proxy) modifyResponse(resp *http.Response) error {
	state, _ := resp.Request.Context().Value(proxyContextKey{}).(*proxyRequestState)
	if state == nil {
		return nil
	}
	if resp.StatusCode == http.StatusInternalServerError {
		body, err := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if err != nil {
			return err
		}
		if isMotoHTMLError(resp.Header.Get("Content-Type"), body) {
			p.counts.unimplementedOp(state.operation)
			resp.StatusCode = http.StatusBadRequest
			resp.Status = "400 Bad Request"
			resp.Header.Set("Content-Type", awsJSONType)
			replaceResponseBody(resp, []byte(unimplementedBody))
			return nil
		}
		replaceResponseBody(resp, body) // a real 500: pass it on untouched
		return nil
	}
	if resp.StatusCode == http.StatusBadRequest {
		// The moto launcher (internal/motoserver) already answers an
		// unimplemented operation as above; count it all the same.
		body, err := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if err != nil {
			return err
		}
		if bytes.Contains(body, []byte(`"UnknownOperationException"`)) && bytes.Contains(body, []byte(motoserver.UnimplementedMessage)) {
			p.counts.unimplementedOp(state.operation)
		}
		replaceResponseBody(resp, body)
		return nil
	}
	if state.operation == describeProcessingJobOp && p.processing != nil && resp.StatusCode == http.StatusOK {
		return p.restoreProcessing(resp, state)
	}
	if state.search != nil && resp.StatusCode == http.StatusOK {
		body, err := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if err != nil {
			return err
		}
		page, err := p.searches.first(body, *state.search)
		if err != nil {
			return err
		}
		replaceResponseBody(resp, page)
	}
	return nil
}

const describeProcessingJobOp = "sagemaker:DescribeProcessingJob"

// taggingMaxTagsPerPage is the largest TagsPerPage GetResources takes.
const taggingMaxTagsPerPage = 500

// widenTagsPerPage forwards a tag:GetResources request that sets no
// TagsPerPage with the largest one. moto 5.2.1 applies TagsPerPage 100
// when none is sent and stops a page before it would exceed it, so with
// two tags a resource it serves 49 resources a page whatever
// ResourcesPerPage asks (up to 100); AWS pages by ResourcesPerPage and
// recommends it over TagsPerPage. With 500 the resources' few tags no
// longer cut the page, and moto pages as AWS would. A request that sets
// TagsPerPage is forwarded as it is.
func widenTagsPerPage(r *http.Request, body []byte) error {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil {
		return fmt.Errorf("GetResources request body: %w", err)
	}
	if _, set := fields["TagsPerPage"]; set {
		return nil
	}
	fields["TagsPerPage"] = json.RawMessage(strconv.Itoa(taggingMaxTagsPerPage))
	out, err := json.Marshal(fields)
	if err != nil {
		return err
	}
	setBody(r, out)
	return nil
}

// restoreProcessing adds the job's ProcessingResources to a
// DescribeProcessingJob answer that lacks them (RestoreProcessingResources).
func (p *Proxy) restoreProcessing(resp *http.Response, state *proxyRequestState) error {
	body, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		return err
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(body, &doc); err != nil {
		replaceResponseBody(resp, body) // not ours to judge: pass it on
		return nil
	}
	var name string
	_ = json.Unmarshal(doc["ProcessingJobName"], &name)
	if _, has := doc["ProcessingResources"]; !has && name != "" {
		if res, ok := p.processing(state.region, name); ok {
			doc["ProcessingResources"] = res
			if out, err := json.Marshal(doc); err == nil {
				body = out
				p.counts.restoredOp(state.operation)
			}
		}
	}
	replaceResponseBody(resp, body)
	return nil
}

// serveSearchPage answers a later Search page from the proxy's snapshot
// (see searchpaging.go).
func (p *Proxy) serveSearchPage(w http.ResponseWriter, req searchRequest) {
	page, ok, err := p.searches.page(req)
	switch {
	case err != nil:
		http.Error(w, "bench proxy: "+err.Error(), http.StatusInternalServerError)
	case !ok:
		writeAWSJSONError(w, invalidTokenBody)
	default:
		w.Header().Set("Content-Type", awsJSONType)
		_, _ = w.Write(page)
	}
}

// replaceResponseBody swaps the body of resp, keeping its length headers
// right.
func replaceResponseBody(resp *http.Response, body []byte) {
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	resp.Header.Set("Content-Length", strconv.Itoa(len(body)))
	resp.Header.Del("Content-Encoding")
}

// isMotoHTMLError recognises moto's page for an unimplemented operation.
func isMotoHTMLError(contentType string, body []byte) bool {
	return strings.HasPrefix(contentType, "text/html") && bytes.Contains(body, []byte(motoErrorMarker))
}

func writeAWSJSONError(w http.ResponseWriter, body string) {
	w.Header().Set("Content-Type", awsJSONType)
	w.WriteHeader(http.StatusBadRequest)
	_, _ = io.WriteString(w, body)
}

// ProxyServer is a Proxy listening on a loopback port.
type ProxyServer struct {
	*Proxy
	url string
	srv *http.Server
}

// StartProxy starts p on a free 127.0.0.1 port.
func StartProxy(p *Proxy) (*ProxyServer, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("bench: proxy listen: %w", err)
	}
	srv := &http.Server{Handler: p, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			p.log.Error("proxy: serve", "error", err)
		}
	}()
	return &ProxyServer{Proxy: p, url: "http://" + l.Addr().String(), srv: srv}, nil
}

// URL is the proxy's base URL, to pass as --endpoint-url.
func (s *ProxyServer) URL() string { return s.url }

// Close stops the listener and waits (bounded by ctx) for requests in
// flight.
func (s *ProxyServer) Close(ctx context.Context) error { return s.srv.Shutdown(ctx) }
