package metrics

import (
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
)

// TestEventMetrics: the queue consumer's counts, and each check with the
// lag of every event it stands for.
func TestEventMetrics(t *testing.T) {
	m := New()
	fams := scrape(t, m)
	// Exported at zero from the start, so rate() works before any event.
	assertSeries(t, fams, "sagekey_events_total", dto.MetricType_COUNTER, map[string]float64{
		`outcome="received"`: 0, `outcome="unrecognised"`: 0, `outcome="handled"`: 0, `outcome="failed_call"`: 0, `outcome="outside_scope"`: 0,
	})
	m.Received(10)
	m.Unrecognised(1)
	m.Handled(7)
	m.Failed(1)
	m.OutsideScope(1)
	m.ObserveCheck(ScanOK, 300*time.Millisecond, []time.Duration{2 * time.Second, 3 * time.Second})
	m.ObserveCheck(ScanFailed, time.Second, nil)
	fams = scrape(t, m)
	assertSeries(t, fams, "sagekey_events_total", dto.MetricType_COUNTER, map[string]float64{
		`outcome="received"`: 10, `outcome="unrecognised"`: 1, `outcome="handled"`: 7, `outcome="failed_call"`: 1, `outcome="outside_scope"`: 1,
	})
	assertSeries(t, fams, "sagekey_event_checks_total", dto.MetricType_COUNTER, map[string]float64{
		`result="ok"`: 1, `result="incomplete"`: 0, `result="failed"`: 1,
	})
	assertSeries(t, fams, "sagekey_event_check_duration_seconds", dto.MetricType_HISTOGRAM, map[string]float64{"": 2})
	assertSeries(t, fams, "sagekey_event_lag_seconds", dto.MetricType_HISTOGRAM, map[string]float64{"": 2})
}
