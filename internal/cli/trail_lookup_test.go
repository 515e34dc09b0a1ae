package cli_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sagekey/sagekey/internal/cli"
	"github.com/sagekey/sagekey/internal/motoserver/mototest"
)

// lookupFake is a loopback AWS for `sagekey trail --lookup-events`: STS
// answers who the caller is, and CloudTrail's LookupEvents serves a day of
// SageMaker creates in pages, throttling the first request, as AWS does
// past 2 requests per second. moto has no LookupEvents.
type lookupFake struct {
	mu       sync.Mutex
	calls    int
	throttle bool
	sources  []string
}

func (f *lookupFake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if strings.Contains(string(body), "Action=GetCallerIdentity") {
		w.Header().Set("Content-Type", "text/xml")
		fmt.Fprint(w, `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>`+
			`<Arn>arn:aws:iam::111122223333:user/auditor</Arn><UserId>AIDA</UserId><Account>111122223333</Account>`+
			`</GetCallerIdentityResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></GetCallerIdentityResponse>`)
		return
	}
	if !strings.HasSuffix(r.Header.Get("X-Amz-Target"), "LookupEvents") {
		http.Error(w, `{"__type":"UnknownOperationException"}`, http.StatusBadRequest)
		return
	}
	var in struct {
		LookupAttributes []struct{ AttributeValue string }
		NextToken        string
		StartTime        float64
	}
	_ = json.Unmarshal(body, &in)
	f.mu.Lock()
	f.calls++
	throttle := !f.throttle
	f.throttle = true
	if in.NextToken == "" && !throttle {
		f.sources = append(f.sources, in.LookupAttributes[0].AttributeValue)
	}
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	if throttle {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `{"__type":"ThrottlingException","message":"Rate exceeded"}`)
		return
	}
	day := time.Unix(int64(in.StartTime), 0).UTC()
	var events []map[string]any
	next := ""
	if in.LookupAttributes[0].AttributeValue == "sagemaker.amazonaws.com" && day.Equal(time.Date(2026, 11, 10, 0, 0, 0, 0, time.UTC)) {
		page := 1
		if in.NextToken == "p2" {
			page = 2
		} else {
			next = "p2"
		}
		ev := fmt.Sprintf(`{"eventVersion":"1.11","eventID":"e%d","eventTime":"2026-11-10T1%d:00:00Z","eventSource":"sagemaker.amazonaws.com",`+
			`"eventName":"CreateNotebookInstance","awsRegion":"us-east-1","recipientAccountId":"111122223333","userAgent":"aws-cli/2.15.0",`+
			`"userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/alice","accountId":"111122223333"},`+
			`"responseElements":{"notebookInstanceArn":"arn:aws:sagemaker:us-east-1:111122223333:notebook-instance/nb-%d"}}`, page, page, page)
		events = append(events, map[string]any{"EventId": fmt.Sprintf("e%d", page), "CloudTrailEvent": ev})
	}
	out := map[string]any{"Events": events}
	if next != "" {
		out["NextToken"] = next
	}
	_ = json.NewEncoder(w).Encode(out)
}

// LookupEvents reads the caller's account day by day, one query per event
// source, through throttling and pages, and a second run reads only the
// days that had not settled.
func TestTrailLookupEvents(t *testing.T) {
	mototest.DummyCredentials(t)
	f := &lookupFake{}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	db := filepath.Join(t.TempDir(), "h.db")
	now := time.Date(2026, 11, 12, 12, 0, 0, 0, time.UTC)
	args := []string{"trail", "--lookup-events", "--regions", "us-east-1", "--endpoint-url", srv.URL, "--db", db,
		"--from", "2026-11-09", "--format", "json", "--discover-guardrails=false"}
	out, stderr, code := runAt(t, now, args...)
	if code != cli.ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var doc struct {
		Source string `json:"source"`
		Read   struct {
			Read int `json:"units_read"`
		} `json:"read"`
		Coverage struct {
			Cells int `json:"cells"`
		} `json:"coverage"`
		Creators []struct {
			ResourceARN string `json:"resource_arn"`
			Tool        string `json:"tool"`
		} `json:"creators"`
		APICalls struct {
			Retries    int64 `json:"retries"`
			Throttles  int64 `json:"throttles"`
			Operations []struct {
				Operation string
				Calls     int64
			}
		} `json:"api_calls"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	// 2026-11-09 .. 11-12: four day units; today (11-12) has not settled.
	if doc.Source != "lookup-events" || doc.Read.Read != 4 || doc.Coverage.Cells != 3 {
		t.Errorf("source %q read %d units, %d cells covered; want 4 and 3", doc.Source, doc.Read.Read, doc.Coverage.Cells)
	}
	if len(doc.Creators) != 2 || doc.Creators[0].Tool != "aws-cli" {
		t.Errorf("creators %+v, want nb-1 and nb-2 from both pages", doc.Creators)
	}
	if doc.APICalls.Throttles != 1 || doc.APICalls.Retries != 1 {
		t.Errorf("api_calls %+v: the throttled request is not accounted", doc.APICalls)
	}
	// Two sources × four days, plus the second page; the throttled
	// request is a retry, not a call.
	for _, op := range doc.APICalls.Operations {
		if op.Operation == "cloudtrail:LookupEvents" && op.Calls != 9 {
			t.Errorf("cloudtrail:LookupEvents calls %d, want 9", op.Calls)
		}
	}
	kms, sm := 0, 0
	for _, s := range f.sources {
		switch s {
		case "kms.amazonaws.com":
			kms++
		case "sagemaker.amazonaws.com":
			sm++
		}
	}
	if kms != 4 || sm != 4 {
		t.Errorf("queries by event source: kms %d, sagemaker %d, want 4 each", kms, sm)
	}

	out, stderr, code = runAt(t, now.Add(time.Hour), args...)
	if code != cli.ExitOK {
		t.Fatalf("second run exit %d: %s", code, stderr)
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Read.Read != 1 || len(doc.Creators) != 2 {
		t.Errorf("second run read %d units (want only today's) and shows %d creators", doc.Read.Read, len(doc.Creators))
	}
}
