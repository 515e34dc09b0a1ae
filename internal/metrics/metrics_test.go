package metrics

import (
	"fmt"
	"maps"
	"math"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// scrape fetches /metrics from an httptest server over m.Handler() and
// parses it with the Prometheus text parser.
func scrape(t *testing.T, m *Metrics) map[string]*dto.MetricFamily {
	t.Helper()
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Fatalf("Content-Type %q", ct)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return fams
}

// series maps each series of a family to its value, keyed by its labels
// rendered as `a="x",b="y"` in label-name order ("" without labels).
func series(t *testing.T, fams map[string]*dto.MetricFamily, name string, typ dto.MetricType) map[string]float64 {
	t.Helper()
	f := fams[name]
	if f == nil {
		return nil
	}
	if f.GetType() != typ {
		t.Fatalf("%s: type %v, want %v", name, f.GetType(), typ)
	}
	if f.GetHelp() == "" {
		t.Errorf("%s: no help text", name)
	}
	out := map[string]float64{}
	for _, mt := range f.GetMetric() {
		var ls []string
		for _, lp := range mt.GetLabel() {
			ls = append(ls, fmt.Sprintf("%s=%q", lp.GetName(), lp.GetValue()))
		}
		slices.Sort(ls)
		var v float64
		switch typ {
		case dto.MetricType_GAUGE:
			v = mt.GetGauge().GetValue()
		case dto.MetricType_COUNTER:
			v = mt.GetCounter().GetValue()
		case dto.MetricType_HISTOGRAM:
			v = float64(mt.GetHistogram().GetSampleCount())
		}
		out[strings.Join(ls, ",")] = v
	}
	return out
}

func assertSeries(t *testing.T, fams map[string]*dto.MetricFamily, name string, typ dto.MetricType, want map[string]float64) {
	t.Helper()
	got := series(t, fams, name, typ)
	if len(got) != len(want) {
		t.Errorf("%s: series %v, want %v", name, slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(want)))
	}
	for k, w := range want {
		g, ok := got[k]
		if !ok {
			t.Errorf("%s{%s}: missing", name, k)
			continue
		}
		if math.Abs(g-w) > 1e-9 {
			t.Errorf("%s{%s} = %v, want %v", name, k, g, w)
		}
	}
}

func pct(v float64) *float64 { return &v }

var scanAt = time.Date(2026, 11, 30, 6, 0, 0, 500_000_000, time.UTC)

func fullState() State {
	return State{
		CompliantPercent:          pct(87.5),
		CompliantPercentByAccount: map[string]float64{"111111111111": 75, "222222222222": 100},
		CompliantPercentByRegion:  map[string]float64{"eu-west-1": 87.5},
		CompliantPercentByKind:    map[string]float64{"notebook-instance": 50, "endpoint": 100},
		OpenViolations: []ViolationCount{
			{Account: "111111111111", Region: "eu-west-1", Kind: "notebook-instance", Severity: "high", Count: 2},
			{Account: "111111111111", Region: "eu-west-1", Kind: "notebook-instance", Severity: "high", Count: 1}, // summed
			{Account: "222222222222", Region: "eu-west-1", Kind: "endpoint", Severity: "critical", Count: 1},
		},
		Keys:                map[string]int{"Enabled": 4, "PendingDeletion": 1, "Unknown": 1},
		KeysWithoutRotation: 2,
		MonthlyKMSCostUSD:   map[string]float64{"cc-ml": 3, "(unattributed)": 1.5},
		LastSuccessfulScan:  scanAt,
	}
}

func TestScrapeEveryMetric(t *testing.T) {
	m := New()
	m.SetState(fullState())
	m.ObserveScan(ScanOK, 90*time.Second)
	m.ObserveScan(ScanIncomplete, 30*time.Minute)
	m.ObserveScan(ScanOK, 2*time.Hour) // beyond the last bucket: +Inf
	m.AddAPICalls(map[string]APICalls{
		"sagemaker:Search":  {Calls: 10, Retries: 3, Throttles: 2},
		"kms:DescribeKey":   {Calls: 4},
		"sagemaker:ListTag": {Calls: -1}, // ignored
	})
	m.AddAPICalls(map[string]APICalls{"sagemaker:Search": {Calls: 5, Throttles: 1}})
	m.AlertSent("security-slack")
	m.AlertSent("security-slack")
	m.AlertSent("finops-sns")
	m.AlertFailed("security-slack")

	fams := scrape(t, m)
	G, C := dto.MetricType_GAUGE, dto.MetricType_COUNTER

	assertSeries(t, fams, "sagekey_compliance_ratio", G, map[string]float64{"": 0.875})
	assertSeries(t, fams, "sagekey_account_compliance_ratio", G, map[string]float64{
		`account="111111111111"`: 0.75, `account="222222222222"`: 1})
	assertSeries(t, fams, "sagekey_region_compliance_ratio", G, map[string]float64{`region="eu-west-1"`: 0.875})
	assertSeries(t, fams, "sagekey_kind_compliance_ratio", G, map[string]float64{
		`kind="notebook-instance"`: 0.5, `kind="endpoint"`: 1})
	assertSeries(t, fams, "sagekey_open_violations", G, map[string]float64{
		`account="111111111111",kind="notebook-instance",region="eu-west-1",severity="high"`: 3,
		`account="222222222222",kind="endpoint",region="eu-west-1",severity="critical"`:      1})
	assertSeries(t, fams, "sagekey_kms_keys", G, map[string]float64{
		`state="Enabled"`: 4, `state="PendingDeletion"`: 1, `state="Unknown"`: 1})
	assertSeries(t, fams, "sagekey_kms_keys_without_rotation", G, map[string]float64{"": 2})
	assertSeries(t, fams, "sagekey_kms_monthly_cost_usd", G, map[string]float64{
		`cost_center="cc-ml"`: 3, `cost_center="(unattributed)"`: 1.5})
	assertSeries(t, fams, "sagekey_last_successful_scan_timestamp_seconds", G, map[string]float64{"": 1796018400.5})

	assertSeries(t, fams, "sagekey_scans_total", C, map[string]float64{
		`result="ok"`: 2, `result="incomplete"`: 1, `result="failed"`: 0})
	assertSeries(t, fams, "sagekey_aws_api_calls_total", C, map[string]float64{
		`operation="sagemaker:Search"`: 15, `operation="kms:DescribeKey"`: 4})
	assertSeries(t, fams, "sagekey_aws_api_retries_total", C, map[string]float64{`operation="sagemaker:Search"`: 3})
	assertSeries(t, fams, "sagekey_aws_api_throttles_total", C, map[string]float64{`operation="sagemaker:Search"`: 3})
	assertSeries(t, fams, "sagekey_alerts_sent_total", C, map[string]float64{
		`sink="security-slack"`: 2, `sink="finops-sns"`: 1})
	assertSeries(t, fams, "sagekey_alerts_failed_total", C, map[string]float64{`sink="security-slack"`: 1})

	// The histogram: count, sum and cumulative buckets from 1 s to 1 h.
	assertSeries(t, fams, "sagekey_scan_duration_seconds", dto.MetricType_HISTOGRAM, map[string]float64{"": 3})
	h := fams["sagekey_scan_duration_seconds"].GetMetric()[0].GetHistogram()
	if got, want := h.GetSampleSum(), 90.0+1800+7200; got != want {
		t.Errorf("histogram sum %v, want %v", got, want)
	}
	var bounds []float64
	cum := map[float64]uint64{}
	for _, b := range h.GetBucket() {
		if math.IsInf(b.GetUpperBound(), 1) {
			continue // the text format spells out +Inf
		}
		bounds = append(bounds, b.GetUpperBound())
		cum[b.GetUpperBound()] = b.GetCumulativeCount()
	}
	if !slices.Equal(bounds, ScanDurationBuckets()) || bounds[0] != 1 || bounds[len(bounds)-1] != 3600 {
		t.Errorf("buckets %v", bounds)
	}
	for le, want := range map[float64]uint64{60: 0, 120: 1, 1800: 2, 3600: 2} {
		if cum[le] != want {
			t.Errorf("bucket le=%v: %d, want %d", le, cum[le], want)
		}
	}

	// Every sagekey metric is covered above, and has a conventional name.
	var names []string
	for name := range fams {
		if strings.HasPrefix(name, "sagekey_") {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	want := []string{
		"sagekey_account_compliance_ratio", "sagekey_alerts_failed_total", "sagekey_alerts_sent_total",
		"sagekey_aws_api_calls_total", "sagekey_aws_api_retries_total", "sagekey_aws_api_throttles_total",
		"sagekey_compliance_ratio", "sagekey_event_check_duration_seconds", "sagekey_event_checks_total",
		"sagekey_event_lag_seconds", "sagekey_events_total", "sagekey_kind_compliance_ratio", "sagekey_kms_keys",
		"sagekey_kms_keys_without_rotation", "sagekey_kms_monthly_cost_usd",
		"sagekey_last_successful_scan_timestamp_seconds", "sagekey_open_violations",
		"sagekey_region_compliance_ratio", "sagekey_scan_duration_seconds", "sagekey_scans_total",
	}
	if !slices.Equal(names, want) {
		t.Errorf("metrics %v\nwant    %v", names, want)
	}
	if fams["go_goroutines"] == nil || fams["process_cpu_seconds_total"] == nil {
		t.Error("Go runtime and process collectors not registered")
	}
}

func TestSetStateDropsStaleSeries(t *testing.T) {
	m := New()
	m.SetState(fullState())
	m.SetState(State{
		// No percent: the overall ratio is not exported.
		CompliantPercentByAccount: map[string]float64{"222222222222": 50},
		OpenViolations: []ViolationCount{
			{Account: "222222222222", Region: "us-east-1", Kind: "endpoint", Severity: "medium", Count: 4},
		},
		Keys:              map[string]int{"Enabled": 5},
		MonthlyKMSCostUSD: map[string]float64{"cc-ml": 4},
	})
	fams := scrape(t, m)
	G := dto.MetricType_GAUGE
	if fams["sagekey_compliance_ratio"] != nil {
		t.Errorf("overall ratio exported without a percent: %v", fams["sagekey_compliance_ratio"])
	}
	assertSeries(t, fams, "sagekey_account_compliance_ratio", G, map[string]float64{`account="222222222222"`: 0.5})
	for _, gone := range []string{"sagekey_region_compliance_ratio", "sagekey_kind_compliance_ratio"} {
		if fams[gone] != nil {
			t.Errorf("%s: stale series %v", gone, fams[gone].GetMetric())
		}
	}
	assertSeries(t, fams, "sagekey_open_violations", G, map[string]float64{
		`account="222222222222",kind="endpoint",region="us-east-1",severity="medium"`: 4})
	assertSeries(t, fams, "sagekey_kms_keys", G, map[string]float64{`state="Enabled"`: 5})
	assertSeries(t, fams, "sagekey_kms_keys_without_rotation", G, map[string]float64{"": 0})
	assertSeries(t, fams, "sagekey_kms_monthly_cost_usd", G, map[string]float64{`cost_center="cc-ml"`: 4})
	assertSeries(t, fams, "sagekey_last_successful_scan_timestamp_seconds", G, map[string]float64{"": 0})

	// Set again: the ratio comes back.
	m.SetState(fullState())
	assertSeries(t, scrape(t, m), "sagekey_compliance_ratio", G, map[string]float64{"": 0.875})
}

func TestCardinalityCap(t *testing.T) {
	m := New()
	costs := map[string]float64{}
	ratios := map[string]float64{}
	ops := map[string]APICalls{}
	for i := range MaxLabelValues + 20 {
		costs[fmt.Sprintf("cc-%04d", i)] = 1
		ratios[fmt.Sprintf("%012d", i)] = 100
		ops[fmt.Sprintf("svc:Op%04d", i)] = APICalls{Calls: 2}
	}
	costs[""] = 7 // empty: "unknown", and beyond the cap too
	m.SetState(State{MonthlyKMSCostUSD: costs, CompliantPercentByAccount: ratios})
	m.AddAPICalls(ops)
	for i := range MaxLabelValues + 5 {
		m.AlertSent(fmt.Sprintf("sink-%d", i))
	}

	fams := scrape(t, m)
	cost := series(t, fams, "sagekey_kms_monthly_cost_usd", dto.MetricType_GAUGE)
	if len(cost) != MaxLabelValues+1 {
		t.Errorf("cost centers: %d series, want %d", len(cost), MaxLabelValues+1)
	}
	// Sorted order: "" (unknown) and cc-0000..cc-0498 keep their series;
	// the other 21 fold into "other", summed.
	if got := cost[`cost_center="other"`]; got != 21 {
		t.Errorf(`cost_center="other" = %v, want 21`, got)
	}
	if got := cost[`cost_center="unknown"`]; got != 7 {
		t.Errorf(`cost_center="unknown" = %v, want 7`, got)
	}
	if _, ok := cost[`cost_center="cc-0498"`]; !ok {
		t.Error("cc-0498 folded")
	}
	if _, ok := cost[`cost_center="cc-0499"`]; ok {
		t.Error("cc-0499 not folded")
	}

	// Ratios are not summable: groups beyond the cap are left out.
	acc := series(t, fams, "sagekey_account_compliance_ratio", dto.MetricType_GAUGE)
	if _, ok := acc[`account="other"`]; len(acc) != MaxLabelValues || ok {
		t.Errorf("account ratios: %d series (other: %v), want %d without other", len(acc), ok, MaxLabelValues)
	}

	calls := series(t, fams, "sagekey_aws_api_calls_total", dto.MetricType_COUNTER)
	if len(calls) != MaxLabelValues+1 || calls[`operation="other"`] != 40 {
		t.Errorf("operations: %d series, other = %v; want %d, 40", len(calls), calls[`operation="other"`], MaxLabelValues+1)
	}
	sent := series(t, fams, "sagekey_alerts_sent_total", dto.MetricType_COUNTER)
	if len(sent) != MaxLabelValues+1 || sent[`sink="other"`] != 5 {
		t.Errorf("sinks: %d series, other = %v; want %d, 5", len(sent), sent[`sink="other"`], MaxLabelValues+1)
	}

	// A new state starts a fresh allowance: the cap is per state, not for life.
	m.SetState(State{MonthlyKMSCostUSD: map[string]float64{"cc-9999": 1}})
	cost = series(t, scrape(t, m), "sagekey_kms_monthly_cost_usd", dto.MetricType_GAUGE)
	if len(cost) != 1 || cost[`cost_center="cc-9999"`] != 1 {
		t.Errorf("after a new state: %v", cost)
	}
	// Counters keep theirs: a known operation still counts, a new one folds.
	m.AddAPICalls(map[string]APICalls{"svc:Op0000": {Calls: 1}, "svc:New": {Calls: 1}})
	calls = series(t, scrape(t, m), "sagekey_aws_api_calls_total", dto.MetricType_COUNTER)
	if calls[`operation="svc:Op0000"`] != 3 || calls[`operation="other"`] != 41 {
		t.Errorf("after more calls: Op0000 = %v, other = %v", calls[`operation="svc:Op0000"`], calls[`operation="other"`])
	}
}

func TestUnknownScanResult(t *testing.T) {
	m := New()
	m.ObserveScan("weird", time.Second)
	assertSeries(t, scrape(t, m), "sagekey_scans_total", dto.MetricType_COUNTER, map[string]float64{
		`result="ok"`: 0, `result="incomplete"`: 0, `result="failed"`: 0, `result="other"`: 1})
}

// Separate instances share nothing: there is no global registry.
func TestInstancesAreIndependent(t *testing.T) {
	a, b := New(), New()
	a.AlertSent("x")
	if got := series(t, scrape(t, b), "sagekey_alerts_sent_total", dto.MetricType_COUNTER); len(got) != 0 {
		t.Errorf("b sees a's alerts: %v", got)
	}
}

// Scrapes racing SetState see one whole state: the series count of a state
// is either the first's or the second's, never a mix (run with -race).
func TestSetStateIsAtomic(t *testing.T) {
	m := New()
	small := State{Keys: map[string]int{"Enabled": 1}}
	big := State{Keys: map[string]int{"Enabled": 1, "Disabled": 1, "PendingDeletion": 1}}
	m.SetState(small)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 200 {
			if i%2 == 0 {
				m.SetState(big)
			} else {
				m.SetState(small)
			}
		}
	}()
	for {
		select {
		case <-done:
			return
		default:
		}
		fams, err := m.Registry().Gather()
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range fams {
			if f.GetName() == "sagekey_kms_keys" {
				if n := len(f.GetMetric()); n != 1 && n != 3 {
					t.Fatalf("half-set state: %d key series", n)
				}
			}
		}
	}
}
