package bench

import (
	"bytes"
	"io"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/sagekey/sagekey/internal/alert"
)

func TestPercentileNearestRank(t *testing.T) {
	ms := func(ns ...int) []time.Duration {
		var out []time.Duration
		for _, n := range ns {
			out = append(out, time.Duration(n)*time.Millisecond)
		}
		return out
	}
	hundred := make([]time.Duration, 100)
	for i := range hundred {
		hundred[i] = time.Duration(i+1) * time.Millisecond // 1ms … 100ms
	}
	tests := []struct {
		name   string
		sorted []time.Duration
		q      float64
		want   time.Duration
	}{
		{"empty", nil, 0.99, 0},
		{"one sample is every percentile", ms(7), 0.5, 7 * time.Millisecond},
		{"one sample p99", ms(7), 0.99, 7 * time.Millisecond},
		{"p50 of 1..100", hundred, 0.50, 50 * time.Millisecond},
		{"p90 of 1..100", hundred, 0.90, 90 * time.Millisecond},
		{"p99 of 1..100", hundred, 0.99, 99 * time.Millisecond},
		{"p100 of 1..100", hundred, 1, 100 * time.Millisecond},
		// 99 % of 10 samples is 9.9: the 10th, the max, not the 9th.
		{"p99 of 10 is the max", ms(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 0.99, 10 * time.Millisecond},
		{"p50 of 4 is the 2nd", ms(1, 2, 3, 4), 0.5, 2 * time.Millisecond},
	}
	for _, tt := range tests {
		if got := percentile(tt.sorted, tt.q); got != tt.want {
			t.Errorf("%s: percentile(%v) = %s, want %s", tt.name, tt.q, got, tt.want)
		}
	}
}

func TestDurationStatsSortsAndSummarizes(t *testing.T) {
	var ds []time.Duration
	for i := 200; i >= 1; i-- { // unsorted on purpose
		ds = append(ds, time.Duration(i)*10*time.Millisecond)
	}
	s := durationStats(ds)
	if s.Count != 200 || s.P50 != 1.0 || s.P90 != 1.8 || s.P99 != 1.98 || s.Max != 2.0 || math.Abs(s.Mean-1.005) > 1e-9 {
		t.Errorf("durationStats = %+v", s)
	}
	if ds[0] != 2*time.Second {
		t.Error("durationStats sorted its argument in place")
	}
	if z := durationStats(nil); z != (LatencyStats{}) {
		t.Errorf("durationStats(nil) = %+v", z)
	}
}

func TestHistogramQuantileInterpolates(t *testing.T) {
	h := histogram{bounds: []float64{0.1, 0.5, 1, math.Inf(1)}, cumulative: []float64{10, 60, 100, 100}, count: 100, sum: 40}
	for _, tt := range []struct{ q, want float64 }{
		{0.05, 0.05}, // halfway into the first bucket, from 0
		{0.10, 0.1},
		{0.35, 0.3}, // halfway into (0.1, 0.5]
		{0.99, 0.9875},
	} {
		if got := h.quantile(tt.q); math.Abs(got-tt.want) > 1e-9 {
			t.Errorf("quantile(%v) = %v, want %v", tt.q, got, tt.want)
		}
	}
	over := histogram{bounds: []float64{1, math.Inf(1)}, cumulative: []float64{1, 10}, count: 10}
	if got := over.quantile(0.99); got != 1 {
		t.Errorf("quantile in +Inf bucket = %v, want the last finite bound 1", got)
	}
	if !math.IsNaN((histogram{}).quantile(0.5)) {
		t.Error("quantile of an empty histogram is not NaN")
	}
	d := h.minus(histogram{bounds: h.bounds, cumulative: []float64{10, 10, 10, 10}, count: 10, sum: 1})
	if d.count != 90 || d.cumulative[0] != 0 || d.cumulative[1] != 50 || math.Abs(d.quantile(0.5)-0.46) > 1e-9 {
		t.Errorf("minus = %+v, quantile(0.5) = %v", d, d.quantile(0.5))
	}
}

func TestParseEventsConfig(t *testing.T) {
	cfg, err := ParseEventsConfig(nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Rate != 50 || cfg.Duration != time.Minute || cfg.Events() != 3000 || cfg.Latency != 20*time.Millisecond ||
		cfg.Base != 200 || cfg.Accounts != 5 || cfg.Pollers != 4 || cfg.TargetP99 != 5*time.Second || cfg.Postgres != "" {
		t.Errorf("defaults = %+v", cfg)
	}
	for _, bad := range [][]string{{"-rate", "0"}, {"-duration", "0s"}, {"-pollers", "0"}, {"-base", "-1"}, {"-accounts", "0"}, {"-accounts", "101"},
		{"-postgres", "host=x"}, {"-target-p99", "0s"}, {"-rate", "0.01", "-duration", "1s"}, {"extra"}} {
		if _, err := ParseEventsConfig(bad, io.Discard); err == nil {
			t.Errorf("ParseEventsConfig(%v) accepted", bad)
		}
	}
	var out bytes.Buffer
	if code := Main(t.Context(), []string{"events", "-h"}, io.Discard, &out); code != 0 || !strings.Contains(out.String(), "sagekey-bench events") {
		t.Errorf("events -h: exit %d\n%s", code, out.String())
	}
	if code := Main(t.Context(), []string{"events", "-rate", "-1"}, io.Discard, io.Discard); code != 2 {
		t.Errorf("events -rate -1: exit %d, want 2", code)
	}
}

func TestEventsAccountIDs(t *testing.T) {
	ids := eventsAccountIDs(3)
	if len(ids) != 3 || ids[0] != eventsAccount || ids[1] != "210000000001" || ids[2] != "210000000002" {
		t.Errorf("eventsAccountIDs(3) = %v", ids)
	}
	if ids := eventsAccountIDs(1); len(ids) != 1 || ids[0] != eventsAccount {
		t.Errorf("eventsAccountIDs(1) = %v", ids)
	}
	c := EventsResultConfig{Rate: 50, Accounts: eventsAccountIDs(5)}
	if got := c.PerAccountRate(); got != 10 {
		t.Errorf("PerAccountRate = %v, want 10", got)
	}
	var out bytes.Buffer
	r := &EventsResult{Config: c}
	r.evaluate()
	if err := WriteEventsText(&out, r); err != nil || !strings.Contains(out.String(), "5 accounts × 10 events/s") {
		t.Errorf("report lacks the per-account rate (%v):\n%s", err, out.String())
	}
}

func TestMatchAlertsLatencyMissingDuplicates(t *testing.T) {
	t0 := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	arn := func(n string) string { return "arn:aws:sagemaker:us-east-1:123456789012:notebook-instance/" + n }
	sent := []sentEvent{
		{name: "ev-00000", arn: arn("ev-00000"), account: "123456789012", sent: t0},
		{name: "ev-00001", arn: arn("ev-00001"), account: "210000000001", sent: t0.Add(time.Second)},
		{name: "ev-00002", arn: arn("ev-00002"), sent: t0.Add(2 * time.Second)},
		{name: "ev-00003", err: "create notebook: boom"},
	}
	opened := func(id, name, check string) alert.Alert {
		return alert.Alert{ID: id, Kind: alert.ViolationOpened, CheckID: check,
			Resource: &alert.Resource{ARN: strings.ToUpper(arn(name)[:3]) + arn(name)[3:], Name: name}}
	}
	hook := hookSnapshot{alerts: []receivedAlert{
		{alert: opened("a0", "ev-00000", "notebook-instance.cmk"), first: t0.Add(300 * time.Millisecond), count: 1},
		// ev-00001: delivered twice, and a second id for the same check.
		{alert: opened("a1", "ev-00001", "notebook-instance.cmk"), first: t0.Add(1500 * time.Millisecond), count: 2},
		{alert: opened("a1b", "ev-00001", "notebook-instance.cmk"), first: t0.Add(1200 * time.Millisecond), count: 1},
		// ev-00002: nothing but an unrelated kind.
		{alert: alert.Alert{ID: "k", Kind: alert.KeyStateChanged, Key: &alert.Key{ARN: "arn:aws:kms:us-east-1:123456789012:key/x"}}, first: t0, count: 1},
	}, bad: []string{"signature: nope"}}
	a, lat := matchAlerts(sent, hook)
	if a.Received != 4 || a.Matched != 2 || a.Missing != 1 || a.MissingExamples[0] != "ev-00002" ||
		a.Redelivered != 1 || a.Duplicates != 2 || a.PerEvent != 2 || a.Refused != 1 ||
		len(a.ByAccount) != 2 || a.ByAccount["123456789012"] != 1 || a.ByAccount["210000000001"] != 1 {
		t.Errorf("alerts = %+v", a)
	}
	// ev-00001's latency is to its earliest alert: 200ms.
	if lat.Count != 2 || lat.P50 != 0.2 || lat.Max != 0.3 {
		t.Errorf("latency = %+v", lat)
	}
}

func TestEventsResultEvaluate(t *testing.T) {
	base := func() *EventsResult {
		return &EventsResult{
			Config:    EventsResultConfig{Rate: 50, TargetP99: "5s"},
			Serve:     &EventsServe{},
			Generator: EventsGenerator{Planned: 3000, Sent: 3000, AchievedRate: 49.9},
			Alerts:    EventsAlerts{Matched: 3000},
			Latency:   LatencyStats{Count: 3000, P50: 0.5, P99: 4.9, Max: 6},
		}
	}
	tests := []struct {
		name   string
		change func(*EventsResult)
		pass   bool
		failed []int // indexes of failing targets
	}{
		{"all met", func(*EventsResult) {}, true, nil},
		{"p99 exactly the target", func(r *EventsResult) { r.Latency.P99 = 5 }, true, nil},
		{"p99 over", func(r *EventsResult) { r.Latency.P99 = 5.001 }, false, []int{0}},
		{"one missing", func(r *EventsResult) { r.Alerts.Missing, r.Alerts.Matched, r.Latency.Count = 1, 2999, 2999 }, false, []int{1}},
		{"many missing fail the p99 too", func(r *EventsResult) { r.Alerts.Missing, r.Alerts.Matched, r.Latency.Count = 100, 2900, 2900 }, false, []int{0, 1}},
		{"a duplicate", func(r *EventsResult) { r.Alerts.Duplicates, r.Alerts.Redelivered = 1, 1 }, false, []int{2}},
		{"a refused delivery", func(r *EventsResult) { r.Alerts.Refused = 1 }, false, []int{2}},
		{"nothing sent", func(r *EventsResult) { r.Generator.Sent, r.Alerts.Matched, r.Latency = 0, 0, LatencyStats{} }, false, []int{0, 1, 2}},
		{"no alert arrived", func(r *EventsResult) { r.Alerts.Matched, r.Alerts.Missing, r.Latency = 0, 3000, LatencyStats{} }, false, []int{0, 1}},
		{"serve failed", func(r *EventsResult) { r.Serve.Failure = "exited 1" }, false, nil},
		{"serve never started", func(r *EventsResult) { r.Serve = nil }, false, nil},
		{"an event not sent", func(r *EventsResult) { r.Generator.Errors, r.Generator.Sent = 1, 2999 }, false, nil},
		{"a slow generator only warns", func(r *EventsResult) { r.Generator.AchievedRate = 30 }, true, nil},
	}
	for _, tt := range tests {
		r := base()
		tt.change(r)
		r.evaluate()
		if len(r.Targets) != 3 {
			t.Fatalf("%s: %d targets", tt.name, len(r.Targets))
		}
		if r.Passed() != tt.pass {
			t.Errorf("%s: Passed = %v, want %v (%+v)", tt.name, r.Passed(), tt.pass, r.Targets)
		}
		for i, tg := range r.Targets {
			want := targetPass
			for _, f := range tt.failed {
				if f == i {
					want = targetFail
				}
			}
			if tg.Status != want {
				t.Errorf("%s: target %q = %s (%s), want %s", tt.name, tg.Name, tg.Status, tg.Detail, want)
			}
		}
		var out bytes.Buffer
		if err := WriteEventsText(&out, r); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), "== Targets ==") {
			t.Errorf("%s: report:\n%s", tt.name, out.String())
		}
	}
	r := base()
	r.Generator.AchievedRate = 30
	r.evaluate()
	if len(r.Warnings) != 1 || !strings.Contains(r.Warnings[0], "30.0 events/s") {
		t.Errorf("warnings = %q", r.Warnings)
	}
	// A busy machine only warns, and the report shows the others' share.
	r = base()
	others, moto := 30.0, 20.0
	r.CPU = &EventsCPU{WallSeconds: 60, MotoSeconds: &moto, OthersSeconds: &others, CPUs: 2}
	r.evaluate()
	var out bytes.Buffer
	if err := WriteEventsText(&out, r); err != nil {
		t.Fatal(err)
	}
	if !r.Passed() || len(r.Warnings) != 1 || !strings.Contains(r.Warnings[0], "50 % of one CPU") ||
		!strings.Contains(out.String(), "others        30.00s (50 % of one CPU)") {
		t.Errorf("warnings = %q, report:\n%s", r.Warnings, out.String())
	}
	others = 10
	if r.evaluate(); len(r.Warnings) != 0 {
		t.Errorf("warnings at 17 %% of one CPU = %q", r.Warnings)
	}
}
