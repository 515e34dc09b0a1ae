package bench

import (
	"fmt"
	"math"
	"slices"
	"time"
)

// EventsResult is everything one events benchmark measured and concluded.
type EventsResult struct {
	Config EventsResultConfig `json:"config"`
	Seed   EventsSeed         `json:"seed"`
	// Serve is the sagekey serve process; nil when it could not start.
	Serve *EventsServe `json:"serve"`
	// FirstScanSeconds is from serve's start to its first stored scan.
	FirstScanSeconds float64 `json:"first_scan_seconds"`
	// BaseAlerts were delivered for the base estate by the first scan,
	// before any event.
	BaseAlerts int             `json:"base_alerts"`
	Generator  EventsGenerator `json:"generator"`
	Alerts     EventsAlerts    `json:"alerts"`
	// Latency is from SendMessage's return to the violation_opened alert's
	// arrival at the webhook, one sample per alerted event.
	Latency LatencyStats  `json:"latency"`
	Metrics EventsMetrics `json:"serve_metrics"`
	// Proxy is every AWS request sagekey made during the event phase (SQS
	// included), by operation.
	Proxy Counts `json:"proxy"`
	// AnswerTimes are, by operation, how long sagekey's requests took
	// from the proxy's point of view: its added latency plus moto's time
	// (ReceiveMessage includes its long poll).
	AnswerTimes map[string]LatencyStats `json:"answer_times"`
	// CPU is what moto_server, sagekey serve and the benchmark process
	// (generator, proxy, receiver) used from the first event to the end
	// of the wait for alerts; nil where it cannot be measured.
	CPU      *EventsCPU `json:"cpu,omitempty"`
	Warnings []string   `json:"warnings"`
	Targets  []Target   `json:"targets"`
}

// EventsResultConfig records the conditions of the run.
type EventsResultConfig struct {
	Rate     float64 `json:"rate"`
	Duration string  `json:"duration"`
	Events   int     `json:"events"`
	Latency  string  `json:"latency"`
	Base     int     `json:"base_notebooks"`
	// Accounts the events were spread over, round-robin; the first is
	// the caller's (queue, base estate).
	Accounts  []string `json:"accounts"`
	Pollers   int      `json:"pollers"`
	TargetP99 string   `json:"target_p99"`
	Store     string   `json:"store"`
	Sagekey   string   `json:"sagekey"`
	WorkDir   string   `json:"work_dir,omitempty"` // only when kept
}

// EventsSeed is what was seeded in moto before serve started.
type EventsSeed struct {
	Key          string  `json:"key"`
	Notebooks    int     `json:"notebooks"`
	Keyed        int     `json:"keyed"`
	Queue        string  `json:"queue"`
	DLQ          string  `json:"dead_letter_queue"`
	SetupSeconds float64 `json:"setup_seconds"`
}

// EventsServe is the measured sagekey serve process.
type EventsServe struct {
	Command    string `json:"command"`
	LogPath    string `json:"log"`
	ExitCode   int    `json:"exit_code"`
	PeakRSSKiB int64  `json:"peak_rss_kib"`
	// Failure says what went wrong with the process; "" when it ran and
	// stopped cleanly.
	Failure string `json:"failure,omitempty"`
}

// OK reports whether serve ran and exited 0 on SIGTERM.
func (s *EventsServe) OK() bool { return s != nil && s.Failure == "" }

// EventsGenerator is what the event generator achieved.
type EventsGenerator struct {
	Planned int `json:"planned"`
	Sent    int `json:"sent"`
	Errors  int `json:"errors"`
	// FirstError is the first failed event's error.
	FirstError string `json:"first_error,omitempty"`
	// WallSeconds is from the first scheduled event to the last send.
	WallSeconds  float64 `json:"wall_seconds"`
	AchievedRate float64 `json:"achieved_rate"`
	// Slip is how late each event started against its schedule.
	SlipP50Seconds float64 `json:"slip_p50_seconds"`
	SlipP99Seconds float64 `json:"slip_p99_seconds"`
	SlipMaxSeconds float64 `json:"slip_max_seconds"`
	// Create and Send are how long moto took to answer the generator's
	// CreateNotebookInstance and SendMessage (no proxy in between): how
	// loaded moto was.
	Create LatencyStats `json:"create_notebook"`
	Send   LatencyStats `json:"send_message"`
}

// EventsCPU is CPU time used during the event phase.
type EventsCPU struct {
	WallSeconds  float64  `json:"wall_seconds"`
	MotoSeconds  *float64 `json:"moto_server_seconds"`
	ServeSeconds *float64 `json:"serve_seconds"`
	BenchSeconds float64  `json:"bench_seconds"`
	// OthersSeconds is what every other process of the machine used (the
	// machine's busy time less the above): load that skews the run.
	OthersSeconds *float64 `json:"others_seconds,omitempty"`
	CPUs          int      `json:"cpus"`
}

// EventsAlerts is what the webhook received.
type EventsAlerts struct {
	// Received distinct alert ids, the event phase's and the base
	// estate's.
	Received int `json:"received"`
	// Matched events have at least one violation_opened for their notebook.
	Matched int `json:"matched"`
	// Missing events have none.
	Missing int `json:"missing"`
	// ByAccount counts the matched events by the account of their notebook.
	ByAccount       map[string]int `json:"matched_by_account,omitempty"`
	MissingExamples []string       `json:"missing_examples,omitempty"`
	// Duplicates are deliveries beyond the first of one alert id, plus
	// second alert ids for the same notebook and check.
	Duplicates int `json:"duplicates"`
	// Redelivered alert ids arrived more than once.
	Redelivered int `json:"redelivered"`
	// PerEvent is the most violation_opened alerts one notebook got.
	PerEvent int `json:"max_alerts_per_event"`
	// Refused deliveries failed the signature, timestamp or document
	// checks.
	Refused      int    `json:"refused"`
	FirstRefused string `json:"first_refused,omitempty"`
}

// PerAccountRate is the events per second each account sends.
func (c EventsResultConfig) PerAccountRate() float64 {
	return c.Rate / float64(max(1, len(c.Accounts)))
}

// LatencyStats summarizes durations; seconds in the JSON.
type LatencyStats struct {
	Count int     `json:"count"`
	P50   float64 `json:"p50_seconds"`
	P90   float64 `json:"p90_seconds"`
	P99   float64 `json:"p99_seconds"`
	Max   float64 `json:"max_seconds"`
	Mean  float64 `json:"mean_seconds"`
}

// EventsMetrics is what serve's /metrics counted during the event phase.
type EventsMetrics struct {
	// Events by outcome (sagekey_events_total) and checks by result
	// (sagekey_event_checks_total).
	Events map[string]float64 `json:"events"`
	Checks map[string]float64 `json:"checks"`
	// Scans stored during the event phase (none expected).
	Scans         float64          `json:"scans"`
	CheckDuration HistogramSummary `json:"check_duration"`
	Lag           HistogramSummary `json:"event_lag"`
}

// HistogramSummary is a Prometheus histogram's count, mean and estimated
// quantiles (interpolated inside buckets).
type HistogramSummary struct {
	Count       int64   `json:"count"`
	MeanSeconds float64 `json:"mean_seconds"`
	P50Seconds  float64 `json:"p50_seconds"`
	P99Seconds  float64 `json:"p99_seconds"`
}

// percentile is the q-quantile (0 < q ≤ 1) of sorted by the nearest-rank
// method: the smallest sample with at least q of the samples at or below
// it. It is 0 for no samples.
func percentile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[min(max(rank, 0), len(sorted)-1)]
}

// durationStats summarizes ds (in any order).
func durationStats(ds []time.Duration) LatencyStats {
	s := LatencyStats{Count: len(ds)}
	if len(ds) == 0 {
		return s
	}
	sorted := slices.Clone(ds)
	slices.Sort(sorted)
	var total time.Duration
	for _, d := range sorted {
		total += d
	}
	s.P50 = percentile(sorted, 0.50).Seconds()
	s.P90 = percentile(sorted, 0.90).Seconds()
	s.P99 = percentile(sorted, 0.99).Seconds()
	s.Max = sorted[len(sorted)-1].Seconds()
	s.Mean = (total / time.Duration(len(sorted))).Seconds()
	return s
}

// minRateShare is the share of -rate below which the generator did not
// hold the schedule: the run then did not test the stated rate.
const minRateShare = 0.95

// maxOthersShare is the share of one CPU other processes may use during
// the events before the run warns that it was measured on a busy machine.
const maxOthersShare = 0.25

// Passed reports whether serve ran cleanly, every planned event was sent
// and no target failed.
func (r *EventsResult) Passed() bool {
	if !r.Serve.OK() || r.Generator.Errors > 0 {
		return false
	}
	for _, t := range r.Targets {
		if t.Status == targetFail {
			return false
		}
	}
	return len(r.Targets) > 0
}

// evaluate judges the targets: p99 within the target, no alert missing,
// no alert delivered twice; and notes what makes the run less telling.
func (r *EventsResult) evaluate() {
	target, _ := time.ParseDuration(r.Config.TargetP99)
	r.Warnings = []string{}
	ran := r.Generator.Sent > 0

	p99 := Target{Name: fmt.Sprintf("p99 event-to-alert latency ≤ %s", target)}
	switch {
	case !ran:
		p99.Status, p99.Detail = targetFail, "no event was sent"
	case r.Latency.Count == 0:
		p99.Status, p99.Detail = targetFail, "no alert arrived"
	default:
		// Missing alerts count as slower than any that arrived: a p99
		// over the arrived ones alone would flatter a run that lost some.
		p99.Status = passIf(r.Latency.P99 <= target.Seconds() && r.Alerts.Missing*100 <= r.Generator.Sent)
		p99.Detail = fmt.Sprintf("p99 %s over %s alerted events (p50 %s, max %s)",
			secondsText(r.Latency.P99), thousands(int64(r.Latency.Count)), secondsText(r.Latency.P50), secondsText(r.Latency.Max))
		if r.Alerts.Missing*100 > r.Generator.Sent {
			p99.Detail += fmt.Sprintf("; %d missing alerts are more than 1 %%", r.Alerts.Missing)
		}
	}

	missing := Target{Name: "every event alerted (violation_opened for its notebook)"}
	if !ran {
		missing.Status, missing.Detail = targetFail, "no event was sent"
	} else {
		missing.Status = passIf(r.Alerts.Missing == 0)
		missing.Detail = fmt.Sprintf("%s of %s sent events alerted, %d missing", thousands(int64(r.Alerts.Matched)), thousands(int64(r.Generator.Sent)), r.Alerts.Missing)
		if len(r.Alerts.MissingExamples) > 0 {
			missing.Detail += fmt.Sprintf(" (e.g. %v)", r.Alerts.MissingExamples)
		}
	}

	dup := Target{Name: "no duplicate delivery"}
	if !ran {
		dup.Status, dup.Detail = targetFail, "no event was sent"
	} else {
		dup.Status = passIf(r.Alerts.Duplicates == 0 && r.Alerts.Refused == 0)
		dup.Detail = fmt.Sprintf("%d duplicates (%d alert ids delivered more than once)", r.Alerts.Duplicates, r.Alerts.Redelivered)
		if r.Alerts.Refused > 0 {
			dup.Detail += fmt.Sprintf("; %d deliveries refused by the receiver, first: %s", r.Alerts.Refused, r.Alerts.FirstRefused)
		}
	}
	r.Targets = []Target{p99, missing, dup}

	if g := r.Generator; g.Sent > 0 && g.AchievedRate < minRateShare*r.Config.Rate {
		r.Warnings = append(r.Warnings, fmt.Sprintf("the generator sent %.1f events/s, under %.0f %% of -rate %g: moto could not keep up, and the run measured a lighter load",
			g.AchievedRate, 100*minRateShare, r.Config.Rate))
	}
	if r.Generator.Errors > 0 {
		r.Warnings = append(r.Warnings, fmt.Sprintf("%d of %d events could not be sent (first: %s)", r.Generator.Errors, r.Generator.Planned, r.Generator.FirstError))
	}
	if c := r.CPU; c != nil && c.OthersSeconds != nil && c.WallSeconds > 0 && *c.OthersSeconds > maxOthersShare*c.WallSeconds {
		r.Warnings = append(r.Warnings, fmt.Sprintf("other processes of the machine used %.0f %% of one CPU (of %d) during the events: the latencies are pessimistic",
			100**c.OthersSeconds/c.WallSeconds, c.CPUs))
	}
	if r.Metrics.Scans > 0 {
		r.Warnings = append(r.Warnings, fmt.Sprintf("%g scans ran during the event phase", r.Metrics.Scans))
	}
}

// secondsText formats seconds as a duration rounded to the millisecond.
func secondsText(s float64) string {
	if math.IsNaN(s) {
		return "n/a"
	}
	return time.Duration(s * float64(time.Second)).Round(time.Millisecond).String()
}
