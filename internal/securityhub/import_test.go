package securityhub

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	"github.com/aws/aws-sdk-go-v2/service/securityhub/types"
	"github.com/aws/smithy-go"

	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/report"
)

const account = "111122223333"

// fakeAPI is BatchImportFindings as a function.
type fakeAPI func(ctx context.Context, in *securityhub.BatchImportFindingsInput) (*securityhub.BatchImportFindingsOutput, error)

func (f fakeAPI) BatchImportFindings(ctx context.Context, in *securityhub.BatchImportFindingsInput, _ ...func(*securityhub.Options)) (*securityhub.BatchImportFindingsOutput, error) {
	return f(ctx, in)
}

// recorder is a fake Security Hub that remembers every request and answers
// with refuse(attempt, id): an error code, or "" to accept.
type recorder struct {
	mu       sync.Mutex
	requests [][]string // finding ids per request
	regions  []string   // client region per request
	refuse   func(attempt int, id string) string
	seen     map[string]int
}

func (r *recorder) client(region string) API {
	return fakeAPI(func(_ context.Context, in *securityhub.BatchImportFindingsInput) (*securityhub.BatchImportFindingsOutput, error) {
		r.mu.Lock()
		defer r.mu.Unlock()
		if r.seen == nil {
			r.seen = map[string]int{}
		}
		var ids []string
		out := &securityhub.BatchImportFindingsOutput{}
		for _, f := range in.Findings {
			id := aws.ToString(f.Id)
			ids = append(ids, id)
			r.seen[id]++
			if r.refuse != nil {
				if code := r.refuse(r.seen[id], id); code != "" {
					out.FailedFindings = append(out.FailedFindings, types.ImportFindingsError{
						Id: aws.String(id), ErrorCode: aws.String(code), ErrorMessage: aws.String(code + " for " + id)})
				}
			}
		}
		r.requests = append(r.requests, ids)
		r.regions = append(r.regions, region)
		return out, nil
	})
}

func (r *recorder) sizes() []int {
	var n []int
	for _, ids := range r.requests {
		n = append(n, len(ids))
	}
	return n
}

// findings builds n ASFF findings of account in region through the report
// package, so the importer is tested with what the writer produces.
func findings(n int, acct, region string) []report.ASFFFinding {
	r := &report.Report{Started: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)}
	r.Finished = r.Started.Add(time.Second)
	var fs []finding.Finding
	for i := range n {
		name := fmt.Sprintf("nb-%s-%04d", region, i)
		fs = append(fs, finding.Finding{
			CheckID: "notebook-instance.cmk", Status: finding.Fail, Severity: finding.High, Message: "no key",
			Resource: finding.Resource{ARN: "arn:aws:sagemaker:" + region + ":" + acct + ":notebook-instance/" + name,
				Kind: "notebook-instance", Name: name, Account: acct, Region: region},
		})
	}
	r.Findings = finding.NewList(fs)
	return report.ASFFFindings(r)
}

// noSleep records the waits instead of waiting.
func noSleep(waits *[]time.Duration) func(context.Context, time.Duration) error {
	return func(ctx context.Context, d time.Duration) error {
		*waits = append(*waits, d)
		return ctx.Err()
	}
}

// accounted checks that every finding is either imported or failed.
func accounted(t *testing.T, res Result, total int) {
	t.Helper()
	if res.Imported+len(res.Failed) != total {
		t.Errorf("imported %d + failed %d != %d findings", res.Imported, len(res.Failed), total)
	}
}

func TestBatchesOfAHundred(t *testing.T) {
	rec := &recorder{}
	fs := findings(250, account, "us-east-1")
	res, err := Import(context.Background(), rec.client, fs, Options{Account: account})
	if err != nil {
		t.Fatal(err)
	}
	if got := rec.sizes(); !slices.Equal(got, []int{100, 100, 50}) {
		t.Errorf("batch sizes %v, want [100 100 50]", got)
	}
	if res.Imported != 250 || res.Batches != 3 || len(res.Failed) != 0 {
		t.Errorf("result %+v", res)
	}
	// Order is kept: the first request starts with the first finding.
	if rec.requests[0][0] != fs[0].Id || rec.requests[2][49] != fs[249].Id {
		t.Error("findings were reordered")
	}
}

// bodySize is the request body as the importer counts it.
func bodySize(t *testing.T, byID map[string]report.ASFFFinding, ids []string) int {
	n := envelope
	for i, id := range ids {
		b, err := json.Marshal(byID[id])
		if err != nil {
			t.Fatal(err)
		}
		n += len(b)
		if i > 0 {
			n++
		}
	}
	return n
}

func padded(fs []report.ASFFFinding, bytes int) map[string]report.ASFFFinding {
	byID := map[string]report.ASFFFinding{}
	for i := range fs {
		fs[i].ProductFields = map[string]string{"sagekey/Pad": strings.Repeat("x", bytes)}
		byID[fs[i].Id] = fs[i]
	}
	return byID
}

// Large findings are split by bytes before the count limit is reached,
// under the 6 MB default and under a smaller limit such as 240 KB.
func TestBatchesSplitByBytes(t *testing.T) {
	for _, limit := range []int{0, 240_000} {
		want := limit
		if want == 0 {
			want = MaxBatchBytes
		}
		rec := &recorder{}
		fs := findings(100, account, "us-east-1")
		byID := padded(fs, 100_000) // about 101 KB each
		res, err := Import(context.Background(), rec.client, fs, Options{Account: account, MaxBatchBytes: limit})
		if err != nil {
			t.Fatal(err)
		}
		if len(rec.requests) < 2 || res.Imported != 100 {
			t.Errorf("limit %d: %d requests, %d imported", want, len(rec.requests), res.Imported)
		}
		for i, ids := range rec.requests {
			size := bodySize(t, byID, ids)
			if size > want {
				t.Errorf("limit %d: request %d is %d bytes", want, i, size)
			}
			// A request is cut only when the next finding would not fit.
			if i < len(rec.requests)-1 && size+1+bodySize(t, byID, rec.requests[i+1][:1])-envelope <= want {
				t.Errorf("limit %d: request %d was cut early at %d bytes", want, i, size)
			}
		}
	}
}

// A finding over 240 KB is refused before sending: the API would reject it.
func TestFindingTooLarge(t *testing.T) {
	rec := &recorder{}
	fs := findings(3, account, "us-east-1")
	fs[1].ProductFields = map[string]string{"sagekey/Pad": strings.Repeat("x", MaxFindingBytes)}
	res, err := Import(context.Background(), rec.client, fs, Options{Account: account})
	if !errors.Is(err, ErrIncomplete) || res.Imported != 2 || len(res.Failed) != 1 || res.Failed[0].ErrorCode != CodeTooLarge || res.Failed[0].Id != fs[1].Id {
		t.Fatalf("result %+v, err %v", res, err)
	}
	if slices.Contains(rec.requests[0], fs[1].Id) {
		t.Error("oversized finding was sent")
	}
}

// Findings Security Hub refuses with a transient code are sent again, alone,
// after an exponential backoff, until accepted.
func TestRetriesFailedFindings(t *testing.T) {
	fs := findings(5, account, "us-east-1")
	flaky := map[string]bool{fs[1].Id: true, fs[3].Id: true}
	rec := &recorder{refuse: func(attempt int, id string) string {
		if flaky[id] && attempt <= 2 {
			return "InternalException"
		}
		return ""
	}}
	var waits []time.Duration
	res, err := Import(context.Background(), rec.client, fs, Options{Account: account, Sleep: noSleep(&waits)})
	if err != nil {
		t.Fatal(err)
	}
	if res.Imported != 5 || res.Batches != 3 || len(res.Failed) != 0 {
		t.Errorf("result %+v", res)
	}
	if want := [][]string{ids(fs), {fs[1].Id, fs[3].Id}, {fs[1].Id, fs[3].Id}}; !slices.EqualFunc(rec.requests, want, slices.Equal) {
		t.Errorf("requests %v, want %v", rec.requests, want)
	}
	if !slices.Equal(waits, []time.Duration{time.Second, 2 * time.Second}) {
		t.Errorf("waits %v", waits)
	}
}

func ids(fs []report.ASFFFinding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Id)
	}
	return out
}

// A finding that keeps failing is reported after the last attempt; one
// refused as invalid is reported at once, since resending cannot help.
func TestPermanentFailuresReported(t *testing.T) {
	fs := findings(4, account, "us-east-1")
	rec := &recorder{refuse: func(_ int, id string) string {
		switch id {
		case fs[0].Id:
			return "InternalException"
		case fs[2].Id:
			return "InvalidInput"
		}
		return ""
	}}
	var waits []time.Duration
	res, err := Import(context.Background(), rec.client, fs, Options{Account: account, Attempts: 3, Sleep: noSleep(&waits)})
	if !errors.Is(err, ErrIncomplete) {
		t.Fatalf("err = %v, want ErrIncomplete", err)
	}
	accounted(t, res, 4)
	if res.Imported != 2 || res.Batches != 3 {
		t.Errorf("result %+v", res)
	}
	failed := map[string]FailedFinding{}
	for _, f := range res.Failed {
		failed[f.Id] = f
	}
	if f := failed[fs[0].Id]; f.ErrorCode != "InternalException" || !strings.Contains(f.ErrorMessage, "InternalException") {
		t.Errorf("transient failure reported as %+v", f)
	}
	if f := failed[fs[2].Id]; f.ErrorCode != "InvalidInput" {
		t.Errorf("invalid finding reported as %+v", f)
	}
	if rec.seen[fs[2].Id] != 1 || rec.seen[fs[0].Id] != 3 {
		t.Errorf("sent invalid %d times, transient %d times; want 1 and 3", rec.seen[fs[2].Id], rec.seen[fs[0].Id])
	}
	if !slices.Equal(waits, []time.Duration{time.Second, 2 * time.Second}) {
		t.Errorf("waits %v", waits)
	}
}

// A request that fails as a whole marks its own findings and the other
// batches still go.
func TestFailedRequestDoesNotStopOthers(t *testing.T) {
	fs := findings(250, account, "us-east-1")
	calls := 0
	api := fakeAPI(func(_ context.Context, in *securityhub.BatchImportFindingsInput) (*securityhub.BatchImportFindingsOutput, error) {
		calls++
		if calls == 2 {
			return nil, &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "no"}
		}
		return &securityhub.BatchImportFindingsOutput{}, nil
	})
	res, err := Import(context.Background(), func(string) API { return api }, fs, Options{Account: account})
	if !errors.Is(err, ErrIncomplete) || calls != 3 {
		t.Fatalf("err %v after %d calls", err, calls)
	}
	accounted(t, res, 250)
	if res.Imported != 150 || len(res.Failed) != 100 || res.Failed[0].Id != fs[100].Id || res.Failed[0].ErrorCode != "AccessDeniedException" {
		t.Errorf("imported %d, failed %d, first %+v", res.Imported, len(res.Failed), res.Failed[0])
	}
}

// Canceling stops sending: what was not sent is reported as canceled.
func TestCancel(t *testing.T) {
	fs := findings(250, account, "us-east-1")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rec := &recorder{}
	first := true
	res, err := Import(ctx, func(region string) API {
		inner := rec.client(region)
		return fakeAPI(func(ctx context.Context, in *securityhub.BatchImportFindingsInput) (*securityhub.BatchImportFindingsOutput, error) {
			out, err := inner.BatchImportFindings(ctx, in)
			if first {
				first = false
				cancel()
			}
			return out, err
		})
	}, fs, Options{Account: account})
	if !errors.Is(err, context.Canceled) || !errors.Is(err, ErrIncomplete) {
		t.Fatalf("err = %v", err)
	}
	accounted(t, res, 250)
	if res.Imported != 100 || len(res.Failed) != 150 || res.Failed[0].ErrorCode != CodeCanceled || len(rec.requests) != 1 {
		t.Errorf("imported %d, failed %d (%+v), %d requests", res.Imported, len(res.Failed), res.Failed[0], len(rec.requests))
	}
}

// Canceling during the backoff reports the findings waiting to be resent.
func TestCancelDuringBackoff(t *testing.T) {
	fs := findings(3, account, "us-east-1")
	rec := &recorder{refuse: func(_ int, id string) string {
		if id == fs[1].Id {
			return "InternalException"
		}
		return ""
	}}
	// Canceled before the first request: nothing is sent.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res, err := Import(ctx, rec.client, fs, Options{Account: account})
	if !errors.Is(err, context.Canceled) || len(rec.requests) != 0 || len(res.Failed) != 3 {
		t.Errorf("err %v, %d requests, result %+v", err, len(rec.requests), res)
	}

	// Canceled while waiting to resend: the default sleep returns at once
	// instead of waiting the hour.
	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	res, err = Import(ctx, rec.client, fs, Options{Account: account, Backoff: time.Hour,
		Sleep: func(ctx context.Context, d time.Duration) error { cancel(); return sleep(ctx, d) }})
	if !errors.Is(err, context.Canceled) || res.Imported != 2 || len(res.Failed) != 1 {
		t.Fatalf("result %+v, err %v", res, err)
	}
	if f := res.Failed[0]; f.Id != fs[1].Id || f.ErrorCode != CodeCanceled || !strings.Contains(f.ErrorMessage, "InternalException") {
		t.Errorf("failed %+v", f)
	}
}

// Findings go to the region of their ProductArn; other accounts' findings
// and findings without a region are reported, never sent.
func TestRegionsAndAccounts(t *testing.T) {
	east := findings(3, account, "us-east-1")
	west := findings(2, account, "eu-west-1")
	other := findings(2, "444455556666", "us-east-1")
	broken := findings(1, account, "us-east-1")
	broken[0].Id += "-broken"
	broken[0].ProductArn = "arn:aws:securityhub:::product/" + account + "/default"
	all := slices.Concat(west, other, east, broken)
	rec := &recorder{}
	res, err := Import(context.Background(), rec.client, all, Options{Account: account})
	if !errors.Is(err, ErrIncomplete) {
		t.Fatalf("err = %v", err)
	}
	accounted(t, res, len(all))
	if res.Imported != 5 || !slices.Equal(rec.regions, []string{"eu-west-1", "us-east-1"}) {
		t.Errorf("imported %d, request regions %v", res.Imported, rec.regions)
	}
	for i, ids := range rec.requests {
		for _, id := range ids {
			for _, f := range all {
				if f.Id == id && productRegion(f.ProductArn) != rec.regions[i] {
					t.Errorf("%s sent to %s", f.ProductArn, rec.regions[i])
				}
			}
		}
	}
	codes := map[string]string{}
	for _, f := range res.Failed {
		codes[f.Id] = f.ErrorCode
	}
	if codes[other[0].Id] != CodeOtherAccount || codes[other[1].Id] != CodeOtherAccount || codes[broken[0].Id] != CodeNoRegion {
		t.Errorf("failed %+v", res.Failed)
	}
	if !strings.Contains(res.Failed[0].ErrorMessage, "444455556666") {
		t.Errorf("reason does not name the account: %s", res.Failed[0].ErrorMessage)
	}
}

func TestImportNeedsAccount(t *testing.T) {
	if _, err := Import(context.Background(), (&recorder{}).client, nil, Options{}); err == nil {
		t.Error("no error without Options.Account")
	}
	res, err := Import(context.Background(), (&recorder{}).client, nil, Options{Account: account})
	if err != nil || res.Batches != 0 {
		t.Errorf("empty import: %+v, %v", res, err)
	}
}

func TestBackoffIsCapped(t *testing.T) {
	if got := backoff(time.Second, 10); got != maxBackoff {
		t.Errorf("backoff = %v", got)
	}
}
