// Package metrics exposes sagekey's Prometheus metrics for `sagekey serve`
// (/metrics): gauges that describe the latest state of the estate
// (compliance, open violations, keys, KMS cost), counters of what the
// process did (scans, AWS API calls, alerts), and a scan duration histogram.
// Every metric is listed with its type, labels and meaning in
// docs/metrics.md.
//
// A Metrics owns its own registry (never the global default one), so tests
// and several servers in one process do not share state. It is safe for
// concurrent use.
//
// Label cardinality is bounded by construction: no label ever carries a
// resource ARN or name. Labels hold accounts, regions, kinds, severities,
// key states, cost centers, API operations, sink names and scan results;
// the caller must pass values from bounded sets (the configured accounts
// and regions, catalog kinds, sink names from config, "service:Operation"
// names, cost-center tag values). As a last defence each label of each
// metric accepts at most MaxLabelValues distinct values; further values are
// folded into the value "other" (OtherLabelValue). Empty label values are
// reported as "unknown" (UnknownLabelValue), because Prometheus treats an
// empty label as an absent one.
package metrics

import (
	"maps"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Namespace prefixes every sagekey metric name.
const Namespace = "sagekey"

// MaxLabelValues is the most distinct values one label of one metric takes;
// further values are reported as OtherLabelValue.
const MaxLabelValues = 500

// OtherLabelValue replaces a label value beyond MaxLabelValues.
const OtherLabelValue = "other"

// UnknownLabelValue replaces an empty label value.
const UnknownLabelValue = "unknown"

// ScanResult is how a scan ended: the value of the result label.
type ScanResult string

// Scan results.
const (
	// ScanOK is a scan that read everything in scope and was stored.
	ScanOK ScanResult = "ok"
	// ScanIncomplete is a scan that was stored with gaps (parts of the
	// estate it could not read).
	ScanIncomplete ScanResult = "incomplete"
	// ScanFailed is a scan that did not complete and was not stored.
	ScanFailed ScanResult = "failed"
)

// ScanResults lists every ScanResult.
func ScanResults() []ScanResult { return []ScanResult{ScanOK, ScanIncomplete, ScanFailed} }

// scanDurationBuckets are the upper bounds, in seconds, of the scan
// duration histogram: 1 s to 1 h (longer scans land in +Inf).
var scanDurationBuckets = []float64{1, 5, 10, 30, 60, 120, 300, 600, 900, 1800, 2700, 3600}

// ScanDurationBuckets returns the histogram's bucket upper bounds in
// seconds.
func ScanDurationBuckets() []float64 { return append([]float64(nil), scanDurationBuckets...) }

// State is the latest state of the estate, as the store and the KPIs know
// it after the last stored scan. The caller fills it and passes it to
// SetState, which replaces every state gauge with it: a group absent from
// State is absent from /metrics.
type State struct {
	// CompliantPercent is percent compliant over every resource (0 to 100,
	// as compliance.Tally.Percent); nil when nothing was PASS or FAIL, and
	// then the gauge is not exported.
	CompliantPercent *float64
	// CompliantPercentByAccount, ByRegion and ByKind are percent compliant
	// per group; a group without a percent (nothing PASS or FAIL) is left
	// out by the caller.
	CompliantPercentByAccount map[string]float64
	CompliantPercentByRegion  map[string]float64
	CompliantPercentByKind    map[string]float64
	// OpenViolations counts the open violations per account, region, kind
	// and severity; a cell with the same labels twice is summed.
	OpenViolations []ViolationCount
	// Keys counts the KMS keys protecting SageMaker data by key state
	// ("Enabled", "Disabled", "PendingDeletion", ... and "Unknown" for keys
	// that could not be described).
	Keys map[string]int
	// KeysWithoutRotation counts customer-managed keys without automatic
	// rotation.
	KeysWithoutRotation int
	// MonthlyKMSCostUSD is the estimated monthly KMS cost in US dollars by
	// cost center (cost.CenterCost), "(unattributed)" included.
	MonthlyKMSCostUSD map[string]float64
	// LastSuccessfulScan is when the last successful (stored) scan
	// finished; the zero time exports 0 (never).
	LastSuccessfulScan time.Time
}

// ViolationCount is the open violations of one account, region, kind and
// severity.
type ViolationCount struct {
	Account  string
	Region   string
	Kind     string // "notebook-instance"
	Severity string // "critical", "high", ...
	Count    int
}

// APICalls is what one AWS API operation cost, in the shape
// awsclient.OperationCalls reports it: Calls are the operations asked for
// (one per page), Retries every further attempt, Throttles the throttled
// attempts among all attempts.
type APICalls struct {
	Calls     int64
	Retries   int64
	Throttles int64
}

// Metrics holds sagekey's metrics and the registry that serves them.
type Metrics struct {
	registry *prometheus.Registry
	handler  http.Handler

	// state guards the state gauges so a scrape sees either the previous
	// State or the next one, never a half-set mix.
	state               sync.RWMutex
	compliance          prometheus.Gauge
	complianceByAccount *limitedGaugeVec
	complianceByRegion  *limitedGaugeVec
	complianceByKind    *limitedGaugeVec
	openViolations      *limitedGaugeVec
	keys                *limitedGaugeVec
	keysWithoutRotation prometheus.Gauge
	monthlyCost         *limitedGaugeVec
	lastSuccessfulScan  prometheus.Gauge
	complianceKnown     bool // whether compliance is exported

	scans        *prometheus.CounterVec
	scanDuration prometheus.Histogram
	apiCalls     *limitedCounterVec
	apiRetries   *limitedCounterVec
	apiThrottles *limitedCounterVec
	alertsSent   *limitedCounterVec
	alertsFailed *limitedCounterVec
	ev           eventMetrics
}

// New returns Metrics registered in a registry of their own, together with
// the Go runtime and process collectors.
func New() *Metrics {
	m := &Metrics{registry: prometheus.NewRegistry()}
	gauge := func(name, help string) prometheus.Gauge {
		return prometheus.NewGauge(prometheus.GaugeOpts{Namespace: Namespace, Name: name, Help: help})
	}
	gaugeVec := func(name, help string, labels ...string) *limitedGaugeVec {
		return newLimitedGaugeVec(prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: Namespace, Name: name, Help: help}, labels), len(labels))
	}
	counterVec := func(name, help string, labels ...string) *limitedCounterVec {
		return &limitedCounterVec{vec: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: Namespace, Name: name, Help: help}, labels), limits: newLimits(len(labels))}
	}

	m.compliance = gauge("compliance_ratio",
		"Share of resources compliant (PASS / (PASS + FAIL) of the <kind>.cmk checks), 0 to 1, in the latest state. Absent when nothing was PASS or FAIL.")
	m.complianceByAccount = gaugeVec("account_compliance_ratio",
		"Share of resources compliant per AWS account, 0 to 1, in the latest state.", "account")
	m.complianceByRegion = gaugeVec("region_compliance_ratio",
		"Share of resources compliant per AWS region, 0 to 1, in the latest state.", "region")
	m.complianceByKind = gaugeVec("kind_compliance_ratio",
		"Share of resources compliant per SageMaker resource kind, 0 to 1, in the latest state.", "kind")
	m.openViolations = gaugeVec("open_violations",
		"Open violations in the latest state, by account, region, resource kind and severity.", "account", "region", "kind", "severity")
	m.keys = gaugeVec("kms_keys",
		"KMS keys protecting SageMaker data in the latest state, by key state.", "state")
	m.keysWithoutRotation = gauge("kms_keys_without_rotation",
		"Customer-managed KMS keys protecting SageMaker data without automatic key rotation, in the latest state.")
	m.monthlyCost = gaugeVec("kms_monthly_cost_usd",
		"Estimated monthly KMS cost in US dollars of the keys protecting SageMaker data, by cost center, in the latest state.", "cost_center")
	m.lastSuccessfulScan = gauge("last_successful_scan_timestamp_seconds",
		"Unix time when the last successful (stored) scan finished; 0 if none.")
	state := &stateCollector{mu: &m.state, cs: []prometheus.Collector{
		&optionalCollector{c: m.compliance, on: &m.complianceKnown}, m.complianceByAccount.vec, m.complianceByRegion.vec, m.complianceByKind.vec,
		m.openViolations.vec, m.keys.vec, m.keysWithoutRotation, m.monthlyCost.vec, m.lastSuccessfulScan,
	}}

	m.scans = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: Namespace, Name: "scans_total",
		Help: "Scans finished since the process started, by result (ok, incomplete, failed)."}, []string{"result"})
	for _, r := range ScanResults() {
		m.scans.WithLabelValues(string(r)) // export zeros so rate() works from the start
	}
	m.scanDuration = prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: Namespace, Name: "scan_duration_seconds",
		Help: "Wall time of scans, whatever their result, in seconds.", Buckets: ScanDurationBuckets()})
	m.apiCalls = counterVec("aws_api_calls_total",
		"AWS API calls made by scans (one per request asked for, retries excluded), by operation (service:Operation).", "operation")
	m.apiRetries = counterVec("aws_api_retries_total",
		"AWS API attempts retried by scans, by operation (service:Operation).", "operation")
	m.apiThrottles = counterVec("aws_api_throttles_total",
		"AWS API attempts throttled during scans, by operation (service:Operation).", "operation")
	m.alertsSent = counterVec("alerts_sent_total",
		"Alerts delivered, by sink (its configured name).", "sink")
	m.alertsFailed = counterVec("alerts_failed_total",
		"Alert deliveries that failed (each failed attempt), by sink (its configured name).", "sink")

	m.ev = newEventMetrics()
	m.registry.MustRegister(m.ev.collectors()...)
	m.registry.MustRegister(
		state,
		m.scans, m.scanDuration,
		m.apiCalls.vec, m.apiRetries.vec, m.apiThrottles.vec,
		m.alertsSent.vec, m.alertsFailed.vec,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	m.handler = promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{
		ErrorHandling: promhttp.ContinueOnError,
	})
	return m
}

// Handler serves the metrics in the Prometheus exposition formats.
func (m *Metrics) Handler() http.Handler { return m.handler }

// Registry returns the registry the metrics are registered in, for
// gathering them without HTTP.
func (m *Metrics) Registry() *prometheus.Registry { return m.registry }

// SetState replaces every state gauge with s. Series of groups that s does
// not have any more (an account no longer scanned, a severity with nothing
// open) disappear; a scrape sees either the previous state or s, whole.
func (m *Metrics) SetState(s State) {
	m.state.Lock()
	defer m.state.Unlock()

	m.complianceKnown = s.CompliantPercent != nil
	if s.CompliantPercent != nil {
		m.compliance.Set(ratio(*s.CompliantPercent))
	} else {
		m.compliance.Set(0)
	}
	setRatios(m.complianceByAccount, s.CompliantPercentByAccount)
	setRatios(m.complianceByRegion, s.CompliantPercentByRegion)
	setRatios(m.complianceByKind, s.CompliantPercentByKind)

	m.openViolations.reset()
	for _, v := range s.OpenViolations {
		m.openViolations.add(float64(v.Count), v.Account, v.Region, v.Kind, v.Severity)
	}
	m.keys.reset()
	for _, state := range slices.Sorted(maps.Keys(s.Keys)) {
		m.keys.add(float64(s.Keys[state]), state)
	}
	m.keysWithoutRotation.Set(float64(s.KeysWithoutRotation))
	m.monthlyCost.reset()
	for _, center := range slices.Sorted(maps.Keys(s.MonthlyKMSCostUSD)) {
		m.monthlyCost.add(s.MonthlyKMSCostUSD[center], center)
	}
	if s.LastSuccessfulScan.IsZero() {
		m.lastSuccessfulScan.Set(0)
	} else {
		m.lastSuccessfulScan.Set(float64(s.LastSuccessfulScan.UnixNano()) / 1e9)
	}
}

func ratio(percent float64) float64 { return percent / 100 }

// setRatios replaces v with percents as ratios. A ratio cannot be summed,
// so groups beyond MaxLabelValues (in sorted order) are left out instead of
// being folded into "other".
func setRatios(v *limitedGaugeVec, percents map[string]float64) {
	v.reset()
	for _, group := range slices.Sorted(maps.Keys(percents)) {
		v.setIfRoom(ratio(percents[group]), group)
	}
}

// ObserveScan counts a finished scan by result and records its duration.
// A result other than the ScanResult constants is counted as "other".
func (m *Metrics) ObserveScan(result ScanResult, d time.Duration) {
	r := string(result)
	switch result {
	case ScanOK, ScanIncomplete, ScanFailed:
	default:
		r = OtherLabelValue
	}
	m.scans.WithLabelValues(r).Inc()
	m.scanDuration.Observe(max(d.Seconds(), 0))
}

// AddAPICalls adds one scan's AWS API counts, keyed by operation
// ("sagemaker:Search"), as awsclient.Meter.Operations reports them. Pass
// each scan's meter once (the counts are added, not set). Negative counts
// are ignored.
func (m *Metrics) AddAPICalls(ops map[string]APICalls) {
	for _, op := range slices.Sorted(maps.Keys(ops)) {
		c := ops[op]
		m.apiCalls.add(c.Calls, op)
		m.apiRetries.add(c.Retries, op)
		m.apiThrottles.add(c.Throttles, op)
	}
}

// AlertSent counts an alert delivered by the sink named sink.
func (m *Metrics) AlertSent(sink string) { m.alertsSent.add(1, sink) }

// AlertFailed counts a failed delivery attempt by the sink named sink.
func (m *Metrics) AlertFailed(sink string) { m.alertsFailed.add(1, sink) }

// stateCollector collects the state gauges under the read lock that
// SetState holds for writing, so a scrape never sees a half-replaced state.
type stateCollector struct {
	mu *sync.RWMutex
	cs []prometheus.Collector
}

func (c *stateCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, col := range c.cs {
		col.Describe(ch)
	}
}

func (c *stateCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	for _, col := range c.cs {
		col.Collect(ch)
	}
}

// optionalCollector exports c only while *on; it is read under the state
// lock held by stateCollector.
type optionalCollector struct {
	c  prometheus.Collector
	on *bool
}

func (o *optionalCollector) Describe(ch chan<- *prometheus.Desc) { o.c.Describe(ch) }

func (o *optionalCollector) Collect(ch chan<- prometheus.Metric) {
	if *o.on {
		o.c.Collect(ch)
	}
}
