package lookup_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"

	"github.com/sagekey/sagekey/internal/awsclient"
	"github.com/sagekey/sagekey/internal/awserr"
	"github.com/sagekey/sagekey/internal/motoserver/mototest"
	"github.com/sagekey/sagekey/internal/trail"
	"github.com/sagekey/sagekey/internal/trail/lookup"
)

const (
	account = "111111111111"
	region  = "us-east-1"
	keyARN  = "arn:aws:kms:us-east-1:111111111111:key/k1"
	roleARN = "arn:aws:iam::111111111111:role/trainer"
	// target is the operation as the SDK names it in X-Amz-Target (the
	// API reference spells it with the "com.amazonaws.cloudtrail.v20131101."
	// namespace in front; CloudTrail accepts both).
	target = "CloudTrail_20131101.LookupEvents"
)

var day = time.Date(2025, 3, 3, 0, 0, 0, 0, time.UTC)

// TestReadDay reads a day of three KMS pages and two SageMaker pages from a
// loopback CloudTrail, through the SDK client a scan builds (awsclient's
// retryer, meter and rate limits), with one request of each source
// throttled.
func TestReadDay(t *testing.T) {
	f := newFake(t, map[string][][]event{
		trail.SourceKMS: {
			{denial("e1"), denial("e2")},
			{denial("e3"), {ID: "bad", JSON: "not json"}},
			{denial("e4"), {ID: "missing"}},
		},
		trail.SourceSageMaker: {
			{create("c1", "nb-1")},
			{create("c2", "nb-2")},
		},
	})
	f.throttleOnce(trail.SourceKMS, token(trail.SourceKMS, 1))
	f.throttleOnce(trail.SourceSageMaker, "")
	api, meter := client(t, f.URL)

	agg := trail.NewAggregator(trail.NewContext([]trail.KeyFacts{{ARN: keyARN}}, nil))
	until := day.Add(36 * time.Hour) // the day is over
	pages, err := lookup.ReadDay(context.Background(), api, account, region, day, until, agg)
	if err != nil {
		t.Fatal(err)
	}
	if pages != 5 {
		t.Errorf("pages = %d, want 5", pages)
	}

	// What was sent: one source per query, KMS first, the whole day with
	// both ends inclusive, 50 per page, each page's token once it was
	// served (a throttled request is sent again as it was).
	type sent struct{ source, token string }
	var got []sent
	for _, r := range f.requests() {
		if !strings.HasSuffix(r.Target, target) || r.MaxResults != 50 || !r.Start.Equal(day) || !r.End.Equal(day.Add(24*time.Hour-time.Second)) {
			t.Errorf("request %+v: want %s, 50 results, %s to %s", r, target, day, day.Add(24*time.Hour-time.Second))
		}
		got = append(got, sent{r.Source, r.Token})
	}
	kms, sm := trail.SourceKMS, trail.SourceSageMaker
	want := []sent{{kms, ""}, {kms, token(kms, 1)}, {kms, token(kms, 1)}, {kms, token(kms, 2)}, {sm, ""}, {sm, ""}, {sm, token(sm, 1)}}
	if !slices.Equal(got, want) {
		t.Errorf("requests:\n got %v\nwant %v", got, want)
	}
	if ops := meter.Operations(); len(ops) != 1 ||
		ops[0] != (awsclient.OperationCalls{Operation: "cloudtrail:LookupEvents", Calls: 5, Retries: 2, Throttles: 2}) {
		t.Errorf("meter = %+v, want 5 calls, 2 retries, 2 throttles", ops)
	}

	// What was aggregated: every event, through the record decoder.
	res := agg.Result()
	var denied int64
	for _, d := range res.Denials {
		if d.KeyARN != keyARN || d.Principal != roleARN || d.Account != account || !d.Day.Equal(day) {
			t.Errorf("denial %+v", d)
		}
		denied += d.Count
	}
	var created []string
	for _, c := range res.Creators {
		created = append(created, c.ResourceARN)
	}
	slices.Sort(created)
	if denied != 4 || !slices.Equal(created, []string{notebook("nb-1"), notebook("nb-2")}) {
		t.Errorf("denied %d (want 4), creators %v (want nb-1, nb-2)", denied, created)
	}
	unit := lookup.Unit(account, region, day, until).Key
	if len(res.Problems) != 2 {
		t.Errorf("problems = %+v, want the bad and the missing record", res.Problems)
	}
	for _, p := range res.Problems {
		if p.Unit != unit || p.Kind != trail.ProblemBadRecord || p.Count != 1 {
			t.Errorf("problem %+v, want one bad record of %s", p, unit)
		}
	}
	if res.Events != 8 || res.Matched != 6 {
		t.Errorf("events %d, matched %d; want 8 read, 6 of interest", res.Events, res.Matched)
	}
}

// TestReadDayToday reads a day that is not over: the query ends at until,
// and the requests are spaced by the account's LookupEvents rate (2 per
// second, burst 1).
func TestReadDayToday(t *testing.T) {
	f := newFake(t, map[string][][]event{
		trail.SourceKMS:       {{denial("e1")}, {denial("e2")}, {denial("e3")}},
		trail.SourceSageMaker: {{create("c1", "nb-1")}},
	})
	api, _ := client(t, f.URL)
	until := day.Add(15*time.Hour + 30*time.Minute + 250*time.Millisecond)
	agg := trail.NewAggregator(trail.NewContext(nil, nil))
	if _, err := lookup.ReadDay(context.Background(), api, account, region, day, until, agg); err != nil {
		t.Fatal(err)
	}
	reqs := f.requests()
	if len(reqs) != 4 {
		t.Fatalf("%d requests, want 4", len(reqs))
	}
	for _, r := range reqs {
		if !r.Start.Equal(day) || !r.End.Equal(until) {
			t.Errorf("request window %s to %s, want %s to %s", r.Start, r.End, day, until)
		}
	}
	// A lower bound only, which load cannot break: after the first request
	// each waits half a second for its token (allowing 10% for the time a
	// request takes from the limiter to the server).
	if span, least := reqs[len(reqs)-1].At.Sub(reqs[0].At), time.Duration(float64(len(reqs)-1)*0.9*float64(500*time.Millisecond)); span < least {
		t.Errorf("4 requests within %s, want at least %s at 2 per second", span, least)
	}
}

func TestReadDayDenied(t *testing.T) {
	f := newFake(t, nil)
	f.deny = true
	api, meter := client(t, f.URL)
	agg := trail.NewAggregator(trail.NewContext(nil, nil))
	pages, err := lookup.ReadDay(context.Background(), api, account, region, day, day.AddDate(0, 0, 2), agg)
	if awserr.Classify(err) != awserr.AccessDenied || pages != 0 {
		t.Fatalf("ReadDay = %d, %v; want access denied", pages, err)
	}
	if ops := meter.Operations(); len(ops) != 1 || ops[0].Calls != 1 || ops[0].Retries != 0 {
		t.Errorf("meter = %+v, want one call, not retried", ops)
	}
}

func TestReadDayOutsideHistory(t *testing.T) {
	t.Parallel()
	agg := trail.NewAggregator(trail.NewContext(nil, nil))
	for _, until := range []time.Time{
		day.Add(-time.Second),                  // the day has not begun
		day.AddDate(0, 0, 90).Add(time.Minute), // its start has left the 90 days
	} {
		_, err := lookup.ReadDay(context.Background(), noCalls{t}, account, region, day, until, agg)
		if !errors.Is(err, lookup.ErrOutsideRetention) {
			t.Errorf("ReadDay(until %s) = %v, want ErrOutsideRetention", until, err)
		}
	}
}

func TestUnit(t *testing.T) {
	t.Parallel()
	at := day.Add(10 * time.Hour) // a time inside the day names the day
	tests := []struct {
		until time.Time
		etag  string
	}{
		{day.Add(15 * time.Hour), "until 2025-03-03T15:00:00Z"},
		{day.Add(24*time.Hour + 30*time.Minute), "until 2025-03-04T00:30:00Z"}, // events may still arrive
		{day.Add(25 * time.Hour), "final"},
	}
	for _, tt := range tests {
		want := trail.Unit{Source: lookup.Source, Key: "111111111111/us-east-1/2025-03-03", ETag: tt.etag,
			Account: account, Region: region, Day: day}
		if got := lookup.Unit(account, region, at, tt.until); got != want {
			t.Errorf("Unit(until %s) = %+v, want %+v", tt.until, got, want)
		}
	}
}

// client is a CloudTrail client for url built as a scan builds one:
// awsclient.Load (its retryer), Instrument with a meter and the account's
// rate limits.
func client(t *testing.T, url string) (*cloudtrail.Client, *awsclient.Meter) {
	t.Helper()
	mototest.DummyCredentials(t)
	cfg, err := awsclient.Load(context.Background(), awsclient.Options{Region: region, EndpointURL: url})
	if err != nil {
		t.Fatal(err)
	}
	meter := awsclient.NewMeter()
	return cloudtrail.NewFromConfig(awsclient.Instrument(cfg, meter, awsclient.NewRateLimits(1))), meter
}

// event is one entry of a LookupEvents page; JSON is its CloudTrailEvent,
// absent when empty.
type event struct{ ID, JSON string }

func denial(id string) event {
	return record(id, `"eventSource":"kms.amazonaws.com","eventName":"Decrypt","errorCode":"AccessDenied",
		"errorMessage":"not authorized","resources":[{"ARN":"`+keyARN+`","type":"AWS::KMS::Key"}]`)
}

func create(id, name string) event {
	return record(id, `"eventSource":"sagemaker.amazonaws.com","eventName":"CreateNotebookInstance",
		"responseElements":{"notebookInstanceArn":"`+notebook(name)+`"}`)
}

func notebook(name string) string {
	return "arn:aws:sagemaker:us-east-1:111111111111:notebook-instance/" + name
}

func record(id, fields string) event {
	return event{ID: id, JSON: `{"eventVersion":"1.09","eventID":"` + id + `","eventTime":"2025-03-03T10:00:00Z",
		"awsRegion":"us-east-1","recipientAccountId":"111111111111","sourceIPAddress":"10.0.0.1",
		"userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::111111111111:assumed-role/trainer/s",
		"accountId":"111111111111","sessionContext":{"sessionIssuer":{"type":"Role","arn":"` + roleARN + `"}}},` + fields + `}`}
}

func token(source string, page int) string { return fmt.Sprintf("%s#%d", source, page) }

// request is what the fake received, decoded.
type request struct {
	At         time.Time
	Target     string
	Source     string
	Token      string
	MaxResults int
	Start, End time.Time
}

// fake is CloudTrail's awsJson1.1 LookupEvents over loopback HTTP: it pages
// through its events per event source, throttles the requests it was told
// to once, and refuses everything when deny is set.
type fake struct {
	*httptest.Server
	t        *testing.T
	pages    map[string][][]event
	deny     bool
	mu       sync.Mutex
	throttle map[string]bool
	reqs     []request
}

func newFake(t *testing.T, pages map[string][][]event) *fake {
	f := &fake{t: t, pages: pages, throttle: map[string]bool{}}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

func (f *fake) throttleOnce(source, token string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.throttle[source+"|"+token] = true
}

func (f *fake) requests() []request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.reqs)
}

func (f *fake) serve(w http.ResponseWriter, r *http.Request) {
	var in struct {
		StartTime, EndTime float64
		LookupAttributes   []struct{ AttributeKey, AttributeValue string }
		MaxResults         int
		NextToken          string
	}
	body, _ := io.ReadAll(r.Body)
	if err := json.Unmarshal(body, &in); err != nil {
		f.t.Errorf("request body %q: %v", body, err)
	}
	req := request{At: time.Now(), Target: r.Header.Get("X-Amz-Target"), Token: in.NextToken, MaxResults: in.MaxResults,
		Start: epoch(in.StartTime), End: epoch(in.EndTime)}
	if len(in.LookupAttributes) != 1 || in.LookupAttributes[0].AttributeKey != "EventSource" {
		f.t.Errorf("lookup attributes %+v, want one EventSource", in.LookupAttributes)
	} else {
		req.Source = in.LookupAttributes[0].AttributeValue
	}
	f.mu.Lock()
	f.reqs = append(f.reqs, req)
	throttled := f.throttle[req.Source+"|"+req.Token]
	delete(f.throttle, req.Source+"|"+req.Token)
	f.mu.Unlock()

	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	switch {
	case f.deny:
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, `{"__type":"AccessDeniedException","message":"User is not authorized to perform: cloudtrail:LookupEvents"}`)
		return
	case throttled:
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, `{"__type":"ThrottlingException","message":"Rate exceeded"}`)
		return
	}
	pages := f.pages[req.Source]
	i := 0
	if req.Token != "" {
		if _, err := fmt.Sscanf(req.Token[len(req.Source)+1:], "%d", &i); err != nil || i >= len(pages) {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = io.WriteString(w, `{"__type":"InvalidNextTokenException","message":"bad token"}`)
			return
		}
	}
	type outEvent struct {
		EventId         string
		CloudTrailEvent *string `json:",omitempty"`
	}
	var out struct {
		Events    []outEvent
		NextToken string `json:",omitempty"`
	}
	out.Events = []outEvent{}
	if i < len(pages) {
		for _, e := range pages[i] {
			oe := outEvent{EventId: e.ID}
			if e.JSON != "" {
				oe.CloudTrailEvent = &e.JSON
			}
			out.Events = append(out.Events, oe)
		}
		if i+1 < len(pages) {
			out.NextToken = token(req.Source, i+1)
		}
	}
	_ = json.NewEncoder(w).Encode(out)
}

// epoch reads awsJson's timestamps: seconds since the epoch, with a
// fraction.
func epoch(s float64) time.Time {
	sec, frac := math.Modf(s)
	return time.Unix(int64(sec), int64(math.Round(frac*1e3))*1e6).UTC()
}

// noCalls fails the test if ReadDay calls it.
type noCalls struct{ t *testing.T }

func (n noCalls) LookupEvents(context.Context, *cloudtrail.LookupEventsInput, ...func(*cloudtrail.Options)) (*cloudtrail.LookupEventsOutput, error) {
	n.t.Error("LookupEvents called for a day outside the event history")
	return nil, errors.New("unexpected call")
}
