package bench

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/sagekey/sagekey/internal/motoserver"
	"github.com/sagekey/sagekey/internal/report"
	"github.com/sagekey/sagekey/internal/trailreport"
)

// trailRunOf is a finished run that read events from objects and found
// skipped objects already read, in wall time, with peak RSS rssMiB.
func trailRunOf(id string, events int64, objects, skipped int, wall time.Duration, rssMiB float64) *TrailRun {
	return &TrailRun{
		ID: id, Name: "run " + id, Wall: wall, WallSeconds: wall.Seconds(),
		PeakRSSKiB: int64(rssMiB * 1024),
		Read: trailreport.ReadStats{Listed: objects + skipped, Read: objects, Skipped: skipped,
			Events: events, Matched: events / 100, Bytes: int64(objects) * 100 << 10},
		EventsPerSecond: float64(events) / wall.Seconds(),
	}
}

// trailResultOf is a result over the default trail's size.
func trailResultOf(first, second, small *TrailRun) *TrailResult {
	r := &TrailResult{
		Config: TrailResultConfig{Latency: "20ms", RSSCheck: small != nil, Seed: 1, Sagekey: "/tmp/sagekey"},
		Trail: &TrailSetup{URI: "s3://" + trailBucket + "/full", Account: trailAccount,
			Regions: []string{"us-east-1", "eu-west-1", "ap-southeast-2"}, Days: 30,
			From: time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 12, 1, 23, 59, 59, 0, time.UTC),
			Events: 1_000_000, Interesting: 20_000, Candidates: 40_000, Files: 2160,
			Bytes: 229 << 20, RawBytes: 1387 << 20, SetupSeconds: 8},
		First: first, Second: second, Small: small,
	}
	if small != nil {
		r.SmallTrail = &TrailSetup{Events: 250_000, Files: 2160, Bytes: 59 << 20, SetupSeconds: 6}
	}
	r.evaluate()
	return r
}

// Target order, as trailTargets lists them.
const (
	tAllRead = iota
	tSpeed
	tRSS1
	tRSS2
	tNoObjects
	tSpeedup
	tGrowth
	numTrailTargets
)

func TestTrailTargetsJudgeTheRuns(t *testing.T) {
	t.Parallel()
	const full, quarter = 1_000_000, 250_000
	fast := func() *TrailRun { return trailRunOf("1", full, 2160, 0, 8*time.Second, 60) }
	rerun := func() *TrailRun { return trailRunOf("2", 0, 0, 2160, 300*time.Millisecond, 55) }
	small := func() *TrailRun { return trailRunOf("3", quarter, 2160, 0, 7*time.Second, 58) }
	failed := func(id string) *TrailRun {
		return &TrailRun{ID: id, Name: "run " + id, Failure: "sagekey exited with status 1", ExitCode: 1}
	}
	P, F, S := targetPass, targetFail, targetSkip
	cases := []struct {
		name                 string
		first, second, small *TrailRun
		want                 [numTrailTargets]string
	}{
		{"every target met", fast(), rerun(), small(), [...]string{P, P, P, P, P, P, P}},
		{"slow first run and a slow second run",
			trailRunOf("1", full, 2160, 0, 12*time.Second, 60), trailRunOf("2", 0, 0, 2160, 1200*time.Millisecond, 55), small(),
			[...]string{P, F, P, P, P, F, P}},
		{"second run reads objects again", fast(), trailRunOf("2", 4000, 5, 2155, 300*time.Millisecond, 55), small(),
			[...]string{P, P, P, P, F, P, P}},
		{"memory over the limit and growing with events", trailRunOf("1", full, 2160, 0, 8*time.Second, 160),
			trailRunOf("2", 0, 0, 2160, 300*time.Millisecond, 151), small(),
			[...]string{P, P, F, F, P, P, F}},
		{"RSS check off", fast(), rerun(), nil, [...]string{P, P, P, P, P, P, S}},
		{"first run failed", failed("1"), rerun(), small(), [...]string{F, F, F, P, P, F, F}},
		{"second run failed", fast(), failed("2"), small(), [...]string{P, P, P, F, F, F, P}},
		{"first run missed events", trailRunOf("1", full-1000, 2160, 0, 8*time.Second, 60), rerun(), small(),
			[...]string{F, P, P, P, P, P, P}},
		{"first run missed objects", trailRunOf("1", full, 2159, 0, 8*time.Second, 60), rerun(), small(),
			[...]string{F, P, P, P, P, P, P}},
		// On the thresholds: ≥ passes, RSS must stay strictly below.
		{"exactly on the thresholds", trailRunOf("1", full, 2160, 0, 10*time.Second, 150),
			trailRunOf("2", 0, 0, 2160, 500*time.Millisecond, 149.9), trailRunOf("3", quarter, 2160, 0, 3*time.Second, 120),
			[...]string{P, P, F, P, P, P, P}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := trailResultOf(tc.first, tc.second, tc.small)
			if len(r.Targets) != numTrailTargets {
				t.Fatalf("%d targets, want %d: %+v", len(r.Targets), numTrailTargets, r.Targets)
			}
			anyFail := false
			for i, tg := range r.Targets {
				if tg.Status != tc.want[i] {
					t.Errorf("%s: %s (%s), want %s", tg.Name, tg.Status, tg.Detail, tc.want[i])
				}
				anyFail = anyFail || tc.want[i] == F
			}
			if r.Passed() == anyFail {
				t.Errorf("Passed() = %v with failed targets %v", r.Passed(), anyFail)
			}
			if tc.first.OK() && tc.second.OK() {
				want := fmt.Sprintf("= %.1f×", tc.first.Wall.Seconds()/tc.second.Wall.Seconds())
				if !strings.Contains(r.Targets[tSpeedup].Detail, want) {
					t.Errorf("speed-up detail %q lacks %q", r.Targets[tSpeedup].Detail, want)
				}
			} else if r.Speedup != 0 {
				t.Errorf("speed-up %v with a failed run", r.Speedup)
			}
			if tc.first.OK() {
				want := thousands(int64(float64(tc.first.Read.Events)/tc.first.Wall.Seconds())) + " events/s"
				if !strings.HasSuffix(r.Targets[tSpeed].Detail, want) {
					t.Errorf("speed detail %q, want it to end in %q", r.Targets[tSpeed].Detail, want)
				}
			}
			if tc.first.OK() && tc.small.OK() {
				want := fmt.Sprintf("%.2f×", tc.first.PeakRSSMiB()/tc.small.PeakRSSMiB())
				if !strings.HasSuffix(r.Targets[tGrowth].Detail, want) {
					t.Errorf("growth detail %q, want it to end in %q", r.Targets[tGrowth].Detail, want)
				}
			}
		})
	}
}

func TestTrailTargetsWithoutRuns(t *testing.T) {
	t.Parallel()
	r := &TrailResult{Config: TrailResultConfig{RSSCheck: true}}
	r.evaluate()
	for _, tg := range r.Targets {
		if tg.Status != targetFail || !strings.Contains(tg.Detail, "not made") {
			t.Errorf("%s: %s (%s), want FAIL because the run was not made", tg.Name, tg.Status, tg.Detail)
		}
	}
}

func TestWriteTrailText(t *testing.T) {
	t.Parallel()
	first := trailRunOf("1", 1_000_000, 2160, 0, 8*time.Second, 60)
	first.Command = "sagekey trail --s3-uri s3://b/full"
	first.APICalls = []report.OperationCalls{
		{Operation: "s3:ListObjectsV2", Calls: 95},
		{Operation: "s3:GetObject", Calls: 2160, Retries: 3, Throttles: 3},
	}
	first.Proxy = Counts{Calls: map[string]int{"s3:GetObject": 2163, "s3:ListObjectsV2": 95, "s3:HeadObject": 1},
		Throttled: map[string]int{"s3:GetObject": 3}}
	moto := 5.0
	first.CPU = &TrailCPU{SagekeySeconds: 6, MotoSeconds: &moto, ProxySeconds: 1.5, CPUs: 2}
	second := trailRunOf("2", 0, 0, 2160, 300*time.Millisecond, 55)
	second.APICalls = []report.OperationCalls{{Operation: "s3:ListObjectsV2", Calls: 95}}
	second.Proxy = Counts{Calls: map[string]int{"s3:ListObjectsV2": 95}}
	small := trailRunOf("3", 250_000, 2160, 0, 7*time.Second, 58)
	r := trailResultOf(first, second, small)

	var out bytes.Buffer
	if err := WriteTrailText(&out, r); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	throughput := thousands(int64(1_000_000 / first.Wall.Seconds()))
	cpuTotal := 6 + moto + 1.5
	for _, want := range []string{
		"1,000,000 events in 2,160 gzipped hourly log files: 30 days × 3 regions (us-east-1, eu-west-1, ap-southeast-2), account " + trailAccount,
		"20,000 KMS or SageMaker events (2.00 %); 40,000 records",
		"229.0 MiB gzipped, 1387.0 MiB of JSON",
		"window 2026-11-02T00:00:00Z to 2026-12-01T23:59:59Z",
		"generated and uploaded in 8s",
		"== 1. run 1 ==",
		"  throughput    " + throughput + " events/s",
		"2,255 by sagekey's count (3 retries, 3 throttled); the proxy saw 2,259 requests (3 answered SlowDown)",
		fmt.Sprintf("%s of the %s that 2 CPUs had (%.0f %%)", seconds(cpuTotal), seconds(16), 100*cpuTotal/16),
		"0 read, 2,160 already read, 0 failed, of 2,160 listed",
		fmt.Sprintf("8s / 300ms: run 2 is %.1f× faster", 8/0.3),
		"the smaller trail: 250,000 events in 2,160 files",
		"All targets met.",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("report lacks %q:\n%s", want, text)
		}
	}
	// Operation rows: sagekey's count, retries, throttles, the proxy's;
	// "-" where only one side saw the operation.
	for op, cols := range map[string][]string{
		"s3:GetObject":     {"2,160", "3", "3", "2,163"},
		"s3:ListObjectsV2": {"95", "0", "0", "95"},
		"s3:HeadObject":    {"-", "-", "-", "1"},
	} {
		re := regexp.MustCompile(`(?m)^    ` + regexp.QuoteMeta(op) + `\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)$`)
		m := re.FindStringSubmatch(text)
		if m == nil || !slices.Equal(m[1:], cols) {
			t.Errorf("row %s = %v, want %v", op, m, cols)
		}
	}
	// The RSS table has one row per first run, events first, RSS last.
	for _, run := range []struct {
		events string
		rss    string
	}{{"1,000,000", "60.0 MiB"}, {"250,000", "58.0 MiB"}} {
		re := regexp.MustCompile(`(?m)^\s+` + regexp.QuoteMeta(run.events) + `\s+2,160\s.*\s` + regexp.QuoteMeta(run.rss) + `$`)
		if !re.MatchString(text) {
			t.Errorf("RSS table lacks the row of %s events with %s:\n%s", run.events, run.rss, text)
		}
	}
}

func TestWriteTrailTextOfFailures(t *testing.T) {
	t.Parallel()
	first := &TrailRun{ID: "1", Name: "first run", Command: "sagekey trail", ExitCode: 1, Wall: time.Second,
		Failure: "sagekey exited with status 1 (want 0); log x:\nline one\nline two"}
	r := trailResultOf(first, trailRunOf("2", 0, 0, 2160, time.Second, 50), nil)
	var out bytes.Buffer
	if err := WriteTrailText(&out, r); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	for _, want := range []string{
		"result        exit status 1, FAILED: sagekey exited with status 1 (want 0); log x:\n                line one\n                line two",
		"== Run 2 / run 1 ==\n  not available (run 1 failed)",
		"skipped (-rss-check=false)",
		"FAIL  run 1 reads ≥ 100,000 events/s",
		"SKIP  peak RSS does not grow with events",
		fmt.Sprintf("%d of %d targets failed.", 4, numTrailTargets),
		"rerun with -keep DIR",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("report lacks %q:\n%s", want, text)
		}
	}
	run1, _, _ := strings.Cut(text, "== 2.")
	if strings.Contains(run1, "throughput") {
		t.Errorf("a failed run reports a throughput:\n%s", run1)
	}
}

func TestThousands(t *testing.T) {
	t.Parallel()
	for n, want := range map[int64]string{
		0: "0", 7: "7", 999: "999", 1000: "1,000", 12345: "12,345", 999_999: "999,999",
		1_000_000: "1,000,000", -1234: "-1,234", -999: "-999",
	} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestS3OperationNames(t *testing.T) {
	t.Parallel()
	for op, want := range map[string]string{
		"s3:GET /bucket":                          "s3:ListObjectsV2",
		"s3:GET /bucket/":                         "s3:ListObjectsV2",
		"s3:GET /bucket/AWSLogs/1/x.json.gz":      "s3:GetObject",
		"s3:HEAD /bucket/key":                     "s3:HeadObject",
		"s3:PUT /bucket/key":                      "s3:PutObject",
		"s3:PUT /bucket":                          "s3:PUT bucket",
		"s3:DELETE /bucket/key":                   "s3:DELETE object",
		"sts:GetCallerIdentity":                   "sts:GetCallerIdentity",
		"kms:DescribeKey":                         "kms:DescribeKey",
		"s3:ListBuckets":                          "s3:ListBuckets", // named by its action: kept
		"unknown:GET /bucket/AWSLogs/1/x.json.gz": "unknown:GET /bucket/AWSLogs/1/x.json.gz",
	} {
		if got := s3OperationName(op); got != want {
			t.Errorf("s3OperationName(%q) = %q, want %q", op, got, want)
		}
	}
	c := s3Counts(Counts{
		Calls:     map[string]int{"s3:GET /b/k1": 2, "s3:GET /b/k2": 3, "s3:GET /b": 4, "sts:GetCallerIdentity": 1},
		Throttled: map[string]int{"s3:GET /b/k1": 1, "s3:GET /b/k2": 1},
	})
	want := map[string]int{"s3:GetObject": 5, "s3:ListObjectsV2": 4, "sts:GetCallerIdentity": 1}
	if fmt.Sprint(c.Calls) != fmt.Sprint(want) || c.Throttled["s3:GetObject"] != 2 || len(c.Unimplemented) != 0 {
		t.Errorf("s3Counts: calls %v throttled %v unimplemented %v", c.Calls, c.Throttled, c.Unimplemented)
	}
}

func TestParseTrailConfig(t *testing.T) {
	t.Parallel()
	cfg, err := ParseTrailConfig(nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	want := TrailConfig{Events: 1_000_000, Days: 30, Regions: []string{"us-east-1", "eu-west-1", "ap-southeast-2"},
		Latency: 20 * time.Millisecond, RSSCheck: true, Seed: 1}
	if fmt.Sprintf("%+v", cfg) != fmt.Sprintf("%+v", want) {
		t.Errorf("defaults %+v, want %+v", cfg, want)
	}
	cfg, err = ParseTrailConfig([]string{"-events", "3", "-rss-check=false", "-regions", " eu-west-1 ,", "-throttle", "100"}, io.Discard)
	if err != nil || cfg.Events != 3 || cfg.RSSCheck || !slices.Equal(cfg.Regions, []string{"eu-west-1"}) || cfg.ThrottlePercent != 100 {
		t.Errorf("got %+v, %v", cfg, err)
	}
	for _, args := range [][]string{
		{"-events", "0"}, {"-events", "3"}, {"-days", "0"}, {"-regions", " , "}, {"-latency", "-1ms"},
		{"-throttle", "-1"}, {"-throttle", "100.5"}, {"extra"}, {"-no-such-flag"},
	} {
		if _, err := ParseTrailConfig(args, io.Discard); err == nil {
			t.Errorf("%v: no error", args)
		}
	}
	if _, err := ParseTrailConfig([]string{"-h"}, io.Discard); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("-h: %v, want flag.ErrHelp", err)
	}
}

func TestTrailWindowIsWholeSettledDays(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 2, 7, 23, 0, 0, time.UTC)
	from, to := trailWindow(now, 30)
	if want := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC); !from.Equal(want) {
		t.Errorf("from %s, want %s", from, want)
	}
	if want := time.Date(2026, 12, 1, 23, 59, 59, 0, time.UTC); !to.Equal(want) {
		t.Errorf("to %s, want %s", to, want)
	}
}

// The SDK must read the throttler's answer as S3's own SlowDown and retry
// it; requests it does not throttle, and every non-S3 request, reach the
// upstream through the Proxy.
func TestS3ThrottlerAnswersSlowDown(t *testing.T) {
	t.Parallel()
	rec := &upstreamRecorder{answer: func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			_, _ = io.WriteString(w, "log file")
			return
		}
		w.Header().Set("Content-Type", awsJSONType)
		_, _ = io.WriteString(w, "{}")
	}}
	upstream := httptest.NewServer(rec)
	t.Cleanup(upstream.Close)
	p, err := NewProxy(upstream.URL, ProxyOptions{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ps, err := startTrailProxy(p)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ps.Close(context.Background()) })

	ctx := context.Background()
	cfg, err := motoserver.AWSConfig(ctx, ps.URL(), "us-east-1") // two attempts per call
	if err != nil {
		t.Fatal(err)
	}
	client := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	get := func() (string, error) {
		out, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("b"), Key: aws.String("AWSLogs/x.json.gz")})
		if err != nil {
			return "", err
		}
		defer out.Body.Close()
		body, err := io.ReadAll(out.Body)
		return string(body), err
	}

	ps.throttler.configure(100, 1)
	_, err = get()
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "SlowDown" {
		t.Fatalf("throttled GetObject: %v, want a SlowDown error", err)
	}
	c := s3Counts(ps.Snapshot())
	if c.Calls["s3:GetObject"] != 2 || c.Throttled["s3:GetObject"] != 2 || len(rec.received()) != 0 {
		t.Errorf("calls %v throttled %v upstream %d: want 2 attempts, both throttled, none forwarded", c.Calls, c.Throttled, len(rec.received()))
	}
	// Not S3: the throttler stands aside, and the Proxy forwards it.
	status, _, _ := post(t, ps.URL(), map[string]string{"X-Amz-Target": "TrentService.DescribeKey", "Content-Type": awsJSONType,
		"Authorization": "AWS4-HMAC-SHA256 Credential=AK/20260101/us-east-1/kms/aws4_request, SignedHeaders=host, Signature=x"}, "{}")
	if status != http.StatusOK || len(rec.received()) != 1 {
		t.Errorf("KMS request: status %d, %d forwarded; want 200 and 1", status, len(rec.received()))
	}

	ps.throttler.configure(0, 1)
	ps.Reset()
	body, err := get()
	if err != nil || body != "log file" {
		t.Fatalf("unthrottled GetObject: %q, %v", body, err)
	}
	if c := s3Counts(ps.Snapshot()); c.Calls["s3:GetObject"] != 1 || c.TotalThrottled() != 0 {
		t.Errorf("calls %v throttled %v, want one GetObject, none throttled", c.Calls, c.Throttled)
	}
}
