package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/sagekey/sagekey/internal/motoserver"
)

// upstreamRecorder is an httptest upstream that records what reached it.
type upstreamRecorder struct {
	mu     sync.Mutex
	bodies []string
	answer http.HandlerFunc
}

func (u *upstreamRecorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	u.mu.Lock()
	u.bodies = append(u.bodies, string(body))
	u.mu.Unlock()
	if u.answer != nil {
		u.answer(w, r)
		return
	}
	w.Header().Set("Content-Type", awsJSONType)
	_, _ = io.WriteString(w, "{}")
}

func (u *upstreamRecorder) received() []string {
	u.mu.Lock()
	defer u.mu.Unlock()
	return append([]string(nil), u.bodies...)
}

// startTestProxy starts a proxy in front of up and returns its URL.
func startTestProxy(t *testing.T, up http.Handler, opts ProxyOptions) (*ProxyServer, *upstreamRecorder) {
	t.Helper()
	rec, _ := up.(*upstreamRecorder)
	upstream := httptest.NewServer(up)
	t.Cleanup(upstream.Close)
	return proxyTo(t, upstream.URL, opts), rec
}

// proxyTo starts a proxy to upstream for the test's lifetime.
func proxyTo(t *testing.T, upstream string, opts ProxyOptions) *ProxyServer {
	t.Helper()
	p, err := NewProxy(upstream, opts, nil)
	if err != nil {
		t.Fatal(err)
	}
	ps, err := StartProxy(p)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ps.Close(context.Background()) })
	return ps
}

// post sends a raw request through the proxy and returns status, headers
// and body.
func post(t *testing.T, url string, header map[string]string, body string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url+"/", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, string(b)
}

func jsonTarget(target string) map[string]string {
	return map[string]string{"X-Amz-Target": target, "Content-Type": awsJSONType}
}

func TestProxyAddsLatencyBeforeForwarding(t *testing.T) {
	t.Parallel()
	const latency = 40 * time.Millisecond
	ps, rec := startTestProxy(t, &upstreamRecorder{}, ProxyOptions{Latency: latency})
	start := time.Now()
	status, _, _ := post(t, ps.URL(), jsonTarget("SageMaker.ListEndpoints"), "{}")
	// Only a lower bound: a timer never fires early, so this cannot flake.
	if elapsed := time.Since(start); elapsed < latency {
		t.Errorf("request took %s, want at least the configured latency %s", elapsed, latency)
	}
	if status != http.StatusOK || len(rec.received()) != 1 {
		t.Errorf("status %d, upstream saw %d requests; want 200 and 1", status, len(rec.received()))
	}
}

func TestProxyThrottlesTheConfiguredShareOfJSONRequestsReproducibly(t *testing.T) {
	t.Parallel()
	const requests = 2000
	decisions := func() []bool {
		ps, _ := startTestProxy(t, &upstreamRecorder{}, ProxyOptions{ThrottlePercent: 10, Seed: 42})
		out := make([]bool, requests)
		for i := range out {
			status, header, body := post(t, ps.URL(), jsonTarget("SageMaker.ListTags"), `{"ResourceArn":"x"}`)
			out[i] = status == http.StatusBadRequest
			if out[i] {
				if ct := header.Get("Content-Type"); ct != awsJSONType {
					t.Fatalf("throttled Content-Type = %q, want %q", ct, awsJSONType)
				}
				if body != throttleBody {
					t.Fatalf("throttled body = %s, want %s", body, throttleBody)
				}
			}
		}
		c := ps.Snapshot()
		throttled := 0
		for _, d := range out {
			if d {
				throttled++
			}
		}
		if c.Calls["sagemaker:ListTags"] != requests || c.Throttled["sagemaker:ListTags"] != throttled {
			t.Errorf("counted %d calls, %d throttled; want %d and %d", c.Calls["sagemaker:ListTags"], c.Throttled["sagemaker:ListTags"], requests, throttled)
		}
		// 10 % of 2000 is 200; with this fixed seed the share is fixed too,
		// and the window only guards against a broken percentage.
		if throttled < 150 || throttled > 250 {
			t.Errorf("throttled %d of %d requests, want about 10 %%", throttled, requests)
		}
		return out
	}
	first, second := decisions(), decisions()
	for i := range first {
		if first[i] != second[i] {
			t.Fatalf("decision %d differs between two runs with the same seed", i)
		}
	}
}

func TestProxyNeverThrottlesQueryProtocolRequests(t *testing.T) {
	t.Parallel()
	ps, rec := startTestProxy(t, &upstreamRecorder{}, ProxyOptions{ThrottlePercent: 100, Seed: 1})
	for range 20 {
		if status, _, _ := post(t, ps.URL(), map[string]string{"Content-Type": "application/x-www-form-urlencoded"},
			"Action=GetCallerIdentity&Version=2011-06-15"); status != http.StatusOK {
			t.Fatalf("STS request answered %d, want it forwarded", status)
		}
	}
	if status, _, _ := post(t, ps.URL(), jsonTarget("TrentService.DescribeKey"), "{}"); status != http.StatusBadRequest {
		t.Errorf("JSON request at 100 %% answered %d, want 400", status)
	}
	c := ps.Snapshot()
	if c.TotalThrottled() != 1 || len(rec.received()) != 20 {
		t.Errorf("throttled %d, forwarded %d; want 1 and 20", c.TotalThrottled(), len(rec.received()))
	}
}

func TestProxyNamesOperations(t *testing.T) {
	t.Parallel()
	const auth = "AWS4-HMAC-SHA256 Credential=AKID/20260101/eu-west-1/%s/aws4_request, SignedHeaders=host, Signature=x"
	tests := []struct {
		name   string
		header map[string]string
		body   string
		want   string
	}{
		{"sagemaker JSON", jsonTarget("SageMaker.ListTags"), "{}", "sagemaker:ListTags"},
		{"kms JSON", jsonTarget("TrentService.DescribeKey"), "{}", "kms:DescribeKey"},
		{"unknown JSON prefix uses the signing service",
			map[string]string{"X-Amz-Target": "AWSOrganizationsV20161128.ListAccounts", "Authorization": strings.ReplaceAll(auth, "%s", "organizations")},
			"{}", "organizations:ListAccounts"},
		{"sts query body",
			map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Authorization": strings.ReplaceAll(auth, "%s", "sts")},
			"Action=GetCallerIdentity&Version=2011-06-15", "sts:GetCallerIdentity"},
		{"ec2 query body",
			map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Authorization": strings.ReplaceAll(auth, "%s", "ec2")},
			"Action=DescribeRegions&Version=2016-11-15", "ec2:DescribeRegions"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ps, rec := startTestProxy(t, &upstreamRecorder{}, ProxyOptions{})
			post(t, ps.URL(), tt.header, tt.body)
			c := ps.Snapshot()
			if c.Calls[tt.want] != 1 || c.Total() != 1 {
				t.Errorf("calls = %v, want one %s", c.Calls, tt.want)
			}
			// The body was read to name the operation; it must be forwarded intact.
			if got := rec.received(); len(got) != 1 || got[0] != tt.body {
				t.Errorf("upstream received %q, want %q", got, tt.body)
			}
		})
	}
}

// TestProxyNamesSDKRequests checks naming against requests the AWS SDK
// really builds, STS's query protocol included.
func TestProxyNamesSDKRequests(t *testing.T) {
	t.Parallel()
	up := &upstreamRecorder{answer: func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Amz-Target") == "" {
			w.Header().Set("Content-Type", "text/xml")
			_, _ = io.WriteString(w, `<GetCallerIdentityResponse><GetCallerIdentityResult><Account>123456789012</Account>`+
				`<Arn>arn:aws:iam::123456789012:user/bench</Arn><UserId>AIDA</UserId></GetCallerIdentityResult></GetCallerIdentityResponse>`)
			return
		}
		w.Header().Set("Content-Type", awsJSONType)
		_, _ = io.WriteString(w, "{}")
	}}
	ps, _ := startTestProxy(t, up, ProxyOptions{})
	cfg := naiveConfig(ps.URL(), "us-east-1")
	ctx := context.Background()
	if _, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatal(err)
	}
	if _, err := sagemaker.NewFromConfig(cfg).ListEndpoints(ctx, &sagemaker.ListEndpointsInput{}); err != nil {
		t.Fatal(err)
	}
	if _, err := kms.NewFromConfig(cfg).GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: aws.String("k")}); err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"sts:GetCallerIdentity": 1, "sagemaker:ListEndpoints": 1, "kms:GetKeyRotationStatus": 1}
	if got := ps.Snapshot().Calls; !maps.Equal(got, want) {
		t.Errorf("calls = %v, want %v", got, want)
	}
	q := ps.Snapshot().Queries
	if len(q) != 1 || q[0].Operation != "sagemaker:ListEndpoints" || q[0].Region != "us-east-1" {
		t.Errorf("listing queries = %+v, want one ListEndpoints in us-east-1", q)
	}
}

func TestProxyRewritesMotoUnimplementedPages(t *testing.T) {
	t.Parallel()
	const motoPage = "<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n<h1>Internal Server Error</h1>\n"
	up := &upstreamRecorder{answer: func(w http.ResponseWriter, r *http.Request) {
		switch r.Header.Get("X-Amz-Target") {
		case "SageMaker.ListUserProfiles":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = io.WriteString(w, motoPage)
			return
		case "SageMaker.ListDeviceFleets": // the launcher's own answer
			w.Header().Set("Content-Type", awsJSONType)
			w.WriteHeader(http.StatusBadRequest)
			_, _ = io.WriteString(w, `{"__type": "UnknownOperationException", "message": "ListDeviceFleets: `+motoserver.UnimplementedMessage+`"}`)
			return
		case "SageMaker.DescribeDomain": // a real validation error
			w.Header().Set("Content-Type", awsJSONType)
			w.WriteHeader(http.StatusBadRequest)
			_, _ = io.WriteString(w, `{"__type": "ValidationException", "message": "no such domain"}`)
			return
		}
		w.Header().Set("Content-Type", awsJSONType)
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = io.WriteString(w, `{"__type":"InternalFailure"}`)
	}}
	ps, _ := startTestProxy(t, up, ProxyOptions{})

	status, header, body := post(t, ps.URL(), jsonTarget("SageMaker.ListUserProfiles"), "{}")
	if status != http.StatusBadRequest || header.Get("Content-Type") != awsJSONType || body != unimplementedBody {
		t.Errorf("moto HTML 500 became %d %q %s, want 400 %q %s", status, header.Get("Content-Type"), body, awsJSONType, unimplementedBody)
	}
	// A genuine 500 is passed on: it is the emulator failing, not missing.
	status, _, body = post(t, ps.URL(), jsonTarget("SageMaker.ListDomains"), "{}")
	if status != http.StatusInternalServerError || body != `{"__type":"InternalFailure"}` {
		t.Errorf("JSON 500 became %d %s, want it untouched", status, body)
	}
	// The launcher's UnknownOperationException is counted and passed on;
	// another 400 is only passed on.
	if status, _, body = post(t, ps.URL(), jsonTarget("SageMaker.ListDeviceFleets"), "{}"); status != http.StatusBadRequest || !strings.Contains(body, "UnknownOperationException") {
		t.Errorf("launcher's 400 became %d %s, want it untouched", status, body)
	}
	if status, _, body = post(t, ps.URL(), jsonTarget("SageMaker.DescribeDomain"), "{}"); status != http.StatusBadRequest || !strings.Contains(body, "no such domain") {
		t.Errorf("validation error became %d %s, want it untouched", status, body)
	}
	c := ps.Snapshot()
	if c.Unimplemented["sagemaker:ListUserProfiles"] != 1 || c.Unimplemented["sagemaker:ListDeviceFleets"] != 1 || c.TotalUnimplemented() != 2 || c.Total() != 4 {
		t.Errorf("counts = %+v, want 4 calls, unimplemented ListUserProfiles and ListDeviceFleets", c)
	}
}

func TestProxyCountsSnapshotAndReset(t *testing.T) {
	t.Parallel()
	ps, _ := startTestProxy(t, &upstreamRecorder{}, ProxyOptions{})
	for range 3 {
		post(t, ps.URL(), jsonTarget("SageMaker.ListNotebookInstances"), `{"MaxResults":100}`)
	}
	post(t, ps.URL(), jsonTarget("SageMaker.ListNotebookInstances"), `{"MaxResults":100,"NextToken":"abc"}`)
	post(t, ps.URL(), jsonTarget("SageMaker.ListJobs"), `{"JobCategory":"A"}`)
	post(t, ps.URL(), jsonTarget("SageMaker.ListJobs"), `{"JobCategory":"B"}`)

	snap := ps.Snapshot()
	if snap.Total() != 6 || snap.Calls["sagemaker:ListNotebookInstances"] != 4 || snap.Calls["sagemaker:ListJobs"] != 2 {
		t.Errorf("calls = %v, want 4 ListNotebookInstances and 2 ListJobs", snap.Calls)
	}
	// Paging fields do not make a new question; other parameters do.
	if len(snap.Queries) != 3 {
		t.Fatalf("queries = %+v, want 3 distinct", snap.Queries)
	}
	if q := snap.Queries[2]; q.Operation != "sagemaker:ListNotebookInstances" || q.Calls != 4 || len(q.MaxResults) != 1 || q.MaxResults[0] != 100 {
		t.Errorf("notebook query = %+v, want 4 calls with MaxResults [100]", q)
	}

	// The snapshot is a copy: later requests do not change it.
	post(t, ps.URL(), jsonTarget("SageMaker.ListTags"), "{}")
	if snap.Total() != 6 {
		t.Errorf("snapshot changed after a later request: %v", snap.Calls)
	}
	ps.Reset()
	if after := ps.Snapshot(); after.Total() != 0 || len(after.Queries) != 0 {
		t.Errorf("after Reset: %+v, want nothing", after)
	}
	post(t, ps.URL(), jsonTarget("SageMaker.ListTags"), "{}")
	if got := ps.Snapshot().Calls; !maps.Equal(got, map[string]int{"sagemaker:ListTags": 1}) {
		t.Errorf("after Reset and one call: %v", got)
	}
}

func TestProxyPagesSearchLikeAWS(t *testing.T) {
	t.Parallel()
	const jobs = 250
	up := &upstreamRecorder{answer: func(w http.ResponseWriter, r *http.Request) {
		// Like moto: every match at once, whatever MaxResults says.
		var results []map[string]any
		for i := range jobs {
			results = append(results, map[string]any{"TrainingJob": map[string]any{
				"TrainingJobName": fmt.Sprintf("job-%03d", i), "CreationTime": 1.7e9 + float64(i)}})
		}
		w.Header().Set("Content-Type", awsJSONType)
		_ = json.NewEncoder(w).Encode(map[string]any{"Results": results, "NextToken": nil})
	}}
	ps, rec := startTestProxy(t, up, ProxyOptions{})
	sm := sagemaker.NewFromConfig(naiveConfig(ps.URL(), "us-east-1"))
	p := sagemaker.NewSearchPaginator(sm, &sagemaker.SearchInput{Resource: smtypes.ResourceTypeTrainingJob, MaxResults: aws.Int32(100),
		SortBy: aws.String("CreationTime"), SortOrder: smtypes.SearchSortOrderDescending})
	var sizes []int
	var order []string
	seen := map[string]bool{}
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		sizes = append(sizes, len(page.Results))
		for _, r := range page.Results {
			seen[aws.ToString(r.TrainingJob.TrainingJobName)] = true
			order = append(order, aws.ToString(r.TrainingJob.TrainingJobName))
		}
	}
	// moto ignores SortOrder; the proxy sorts newest first as asked.
	if len(order) != jobs || order[0] != "job-249" || order[jobs-1] != "job-000" {
		t.Errorf("order starts %v, ends %v; want job-249 first and job-000 last", order[:min(3, len(order))], order[max(0, len(order)-3):])
	}
	if len(sizes) != 3 || sizes[0] != 100 || sizes[1] != 100 || sizes[2] != 50 || len(seen) != jobs {
		t.Errorf("pages of %v with %d distinct jobs, want [100 100 50] and %d", sizes, len(seen), jobs)
	}
	// Later pages come from the proxy's snapshot: moto is asked once.
	if got := rec.received(); len(got) != 1 || strings.Contains(got[0], searchTokenPrefix) {
		t.Errorf("upstream received %d requests (%q), want one first-page request", len(got), got)
	}
	if c := ps.Snapshot(); c.Calls[searchOperation] != 3 || c.searchCalls(searchTraining) != 3 {
		t.Errorf("counted %d Search calls (%d for training jobs), want 3", c.Calls[searchOperation], c.searchCalls(searchTraining))
	}
}

func TestProxyRejectsSearchTokensFromBeforeAReset(t *testing.T) {
	t.Parallel()
	up := &upstreamRecorder{answer: func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", awsJSONType)
		_, _ = io.WriteString(w, `{"Results":[{"TrainingJob":{}},{"TrainingJob":{}},{"TrainingJob":{}}]}`)
	}}
	ps, _ := startTestProxy(t, up, ProxyOptions{})
	_, _, body := post(t, ps.URL(), jsonTarget("SageMaker.Search"), `{"Resource":"TrainingJob","MaxResults":2}`)
	var first struct{ NextToken string }
	if err := json.Unmarshal([]byte(body), &first); err != nil || !strings.HasPrefix(first.NextToken, searchTokenPrefix) {
		t.Fatalf("first page %s: want a proxy NextToken (%v)", body, err)
	}
	ps.Reset()
	status, _, body := post(t, ps.URL(), jsonTarget("SageMaker.Search"), `{"Resource":"TrainingJob","MaxResults":2,"NextToken":"`+first.NextToken+`"}`)
	if status != http.StatusBadRequest || body != invalidTokenBody {
		t.Errorf("stale token answered %d %s, want 400 %s", status, body, invalidTokenBody)
	}
}

// TestProxyWidensGetResourcesTagsPerPage: a GetResources request without
// TagsPerPage reaches moto with the largest one, so moto pages by
// ResourcesPerPage as AWS does; one that sets it is left alone. Both are
// counted as tag:GetResources.
func TestProxyWidensGetResourcesTagsPerPage(t *testing.T) {
	t.Parallel()
	up := &upstreamRecorder{answer: func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", awsJSONType)
		_, _ = io.WriteString(w, `{"ResourceTagMappingList":[]}`)
	}}
	ps, rec := startTestProxy(t, up, ProxyOptions{})
	target := jsonTarget("ResourceGroupsTaggingAPI_20170126.GetResources")
	post(t, ps.URL(), target, `{"ResourceTypeFilters":["sagemaker:notebook-instance"],"ResourcesPerPage":100}`)
	post(t, ps.URL(), target, `{"ResourcesPerPage":100,"TagsPerPage":200}`)
	got := rec.received()
	want := []string{
		`{"ResourceTypeFilters":["sagemaker:notebook-instance"],"ResourcesPerPage":100,"TagsPerPage":500}`,
		`{"ResourcesPerPage":100,"TagsPerPage":200}`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("moto received\n %q\nwant\n %q", got, want)
	}
	if n := ps.Snapshot().Calls[getResourcesOp]; n != 2 {
		t.Errorf("counted %d tag:GetResources calls, want 2", n)
	}
}
