package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// EventOutcomes are the values of events_total's outcome label: what
// became of each message read from the event queue.
func EventOutcomes() []string {
	return []string{"received", "unrecognised", "handled", "failed_call", "outside_scope"}
}

// eventMetrics are the event-driven checks' metrics (serve --queue).
type eventMetrics struct {
	events       *prometheus.CounterVec
	checks       *prometheus.CounterVec
	checkSeconds prometheus.Histogram
	lagSeconds   prometheus.Histogram
}

func newEventMetrics() eventMetrics {
	m := eventMetrics{
		events: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: Namespace, Name: "events_total",
			Help: "Event queue messages by outcome: received, unrecognised (left for the dead-letter queue), handled, " +
				"failed_call (the call failed, nothing to check), outside_scope (an account or region serve does not scan)."}, []string{"outcome"}),
		checks: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: Namespace, Name: "event_checks_total",
			Help: "Event-driven checks (targeted runs) by result (ok, incomplete, failed)."}, []string{"result"}),
		checkSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: Namespace, Name: "event_check_duration_seconds",
			Help: "Wall time of one event-driven check: describe, keys, evaluate and store.", Buckets: prometheus.ExponentialBuckets(0.05, 2, 10)}),
		lagSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: Namespace, Name: "event_lag_seconds",
			Help: "From the call (CloudTrail's eventTime) to its check stored, in seconds.", Buckets: prometheus.ExponentialBuckets(0.5, 2, 12)}),
	}
	for _, o := range EventOutcomes() {
		m.events.WithLabelValues(o)
	}
	for _, r := range ScanResults() {
		m.checks.WithLabelValues(string(r))
	}
	return m
}

func (m eventMetrics) collectors() []prometheus.Collector {
	return []prometheus.Collector{m.events, m.checks, m.checkSeconds, m.lagSeconds}
}

// Received, Unrecognised, Handled and Failed count queue messages
// (consumer.Meter).
func (m *Metrics) Received(n int)     { m.ev.events.WithLabelValues("received").Add(float64(n)) }
func (m *Metrics) Unrecognised(n int) { m.ev.events.WithLabelValues("unrecognised").Add(float64(n)) }
func (m *Metrics) Handled(n int)      { m.ev.events.WithLabelValues("handled").Add(float64(n)) }
func (m *Metrics) Failed(n int)       { m.ev.events.WithLabelValues("failed_call").Add(float64(n)) }

// OutsideScope counts events about accounts or regions serve does not scan.
func (m *Metrics) OutsideScope(n int) { m.ev.events.WithLabelValues("outside_scope").Add(float64(n)) }

// ObserveCheck records one event-driven check and, for each event it
// stands for, how long after the call it was stored.
func (m *Metrics) ObserveCheck(result ScanResult, d time.Duration, lags []time.Duration) {
	m.ev.checks.WithLabelValues(string(result)).Inc()
	m.ev.checkSeconds.Observe(d.Seconds())
	for _, l := range lags {
		m.ev.lagSeconds.Observe(l.Seconds())
	}
}
