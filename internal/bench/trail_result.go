package bench

import (
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/sagekey/sagekey/internal/report"
	"github.com/sagekey/sagekey/internal/trailreport"
)

// The trail benchmark's targets. Peak RSS shares maxPeakRSSMiB with the
// scan benchmark.
const (
	minTrailEventsPerSecond = 100_000
	minTrailSpeedup         = 20.0
	// maxRSSGrowth bounds peak RSS at -events over peak RSS at a quarter of
	// them. A reader that held anything per event would grow by about the
	// 4× more events it saw (on top of the fixed part: the binary, the
	// buffers of the files read in parallel, the database); a streaming one
	// stays level, give or take the garbage collector's timing.
	maxRSSGrowth = 1.25
)

// TrailRun is what one measured `sagekey trail` run did.
type TrailRun struct {
	ID      string        `json:"id"`
	Name    string        `json:"name"`
	Command string        `json:"command"`
	Wall    time.Duration `json:"-"`
	// WallSeconds is Wall, for the JSON.
	WallSeconds float64 `json:"wall_seconds"`
	ExitCode    int     `json:"exit_code"`
	// Failure says why the run did not produce a usable result; "" when
	// it did.
	Failure    string `json:"failure,omitempty"`
	PeakRSSKiB int64  `json:"peak_rss_kib"`
	// Read is the report's read statistics (objects listed, read, already
	// read; events read).
	Read trailreport.ReadStats `json:"read"`
	// APICalls is sagekey's own count, by operation, from its report.
	APICalls []report.OperationCalls `json:"sagekey_api_calls"`
	// Proxy is what the proxy saw, with S3 operations named (s3Counts).
	Proxy Counts `json:"proxy"`
	// CPU is what sagekey, moto_server and the proxy used during the run;
	// nil where it cannot be measured.
	CPU *TrailCPU `json:"cpu,omitempty"`
	// EventsPerSecond is events read over wall time.
	EventsPerSecond float64 `json:"events_per_second"`
	ReportPath      string  `json:"report,omitempty"`
	LogPath         string  `json:"log"`
}

// OK reports whether the run produced a usable result.
func (r *TrailRun) OK() bool { return r != nil && r.Failure == "" }

// PeakRSSMiB is the child's peak RSS in MiB.
func (r *TrailRun) PeakRSSMiB() float64 { return float64(r.PeakRSSKiB) / 1024 }

// SelfTotal is sagekey's own count of its calls, retries and throttles.
func (r *TrailRun) SelfTotal() report.APICalls {
	return (&report.Report{APICalls: r.APICalls}).Calls()
}

// trailDoc is the part of the sagekey.trail/v1 document the benchmark
// reads, with the report's own types.
type trailDoc struct {
	Read     trailreport.ReadStats `json:"read"`
	APICalls report.APICalls       `json:"api_calls"`
}

// readTrailDoc reads a run's --output.
func readTrailDoc(path string) (trailDoc, error) {
	var doc trailDoc
	data, err := os.ReadFile(path)
	if err != nil {
		return doc, err
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return doc, fmt.Errorf("%s is not a sagekey trail JSON report: %w", path, err)
	}
	return doc, nil
}

// TrailResult is everything one trail benchmark measured and concluded.
type TrailResult struct {
	Config TrailResultConfig `json:"config"`
	Trail  *TrailSetup       `json:"trail"`
	First  *TrailRun         `json:"first_run"`
	Second *TrailRun         `json:"second_run"`
	// SmallTrail and Small are the RSS check's trail and first run; nil
	// without -rss-check.
	SmallTrail *TrailSetup `json:"rss_check_trail,omitempty"`
	Small      *TrailRun   `json:"rss_check_run,omitempty"`
	// Speedup is run 1's wall time over run 2's; 0 when either failed.
	Speedup float64  `json:"speedup"`
	Targets []Target `json:"targets"`
}

// TrailResultConfig records the conditions of the run.
type TrailResultConfig struct {
	Latency         string  `json:"latency"`
	ThrottlePercent float64 `json:"throttle_percent"`
	Seed            uint64  `json:"seed"`
	RSSCheck        bool    `json:"rss_check"`
	Sagekey         string  `json:"sagekey"`
	WorkDir         string  `json:"work_dir,omitempty"` // only when kept
}

// Passed reports whether every run worked and no target failed.
func (r *TrailResult) Passed() bool {
	for _, run := range []*TrailRun{r.First, r.Second, r.Small} {
		if run != nil && !run.OK() {
			return false
		}
	}
	for _, t := range r.Targets {
		if t.Status == targetFail {
			return false
		}
	}
	return true
}

// evaluate computes the speed-up and the targets from the runs.
func (r *TrailResult) evaluate() {
	r.Speedup = 0
	if r.First.OK() && r.Second.OK() && r.Second.Wall > 0 {
		r.Speedup = r.First.Wall.Seconds() / r.Second.Wall.Seconds()
	}
	r.Targets = r.trailTargets()
}

// trailTargets judges the runs. A target whose run did not produce a usable
// result fails; the RSS-growth one is skipped without -rss-check.
func (r *TrailResult) trailTargets() []Target {
	var ts []Target

	all := Target{Name: "run 1 reads every generated event and object"}
	switch {
	case !r.First.OK():
		all.Status, all.Detail = targetFail, trailFailedCause(r.First)
	case r.Trail == nil:
		all.Status, all.Detail = targetFail, "no trail was set up"
	default:
		rd := r.First.Read
		all.Status = passIf(rd.Events == int64(r.Trail.Events) && rd.Read == r.Trail.Files && rd.Failed == 0)
		all.Detail = fmt.Sprintf("%s of %s events, %s of %s objects, %d failed",
			thousands(rd.Events), thousands(int64(r.Trail.Events)), thousands(int64(rd.Read)), thousands(int64(r.Trail.Files)), rd.Failed)
	}
	ts = append(ts, all)

	speed := Target{Name: fmt.Sprintf("run 1 reads ≥ %s events/s", thousands(minTrailEventsPerSecond))}
	if !r.First.OK() {
		speed.Status, speed.Detail = targetFail, trailFailedCause(r.First)
	} else {
		speed.Status = passIf(r.First.EventsPerSecond >= minTrailEventsPerSecond)
		speed.Detail = fmt.Sprintf("%s events in %s: %s events/s",
			thousands(r.First.Read.Events), roundWall(r.First.Wall), thousands(int64(r.First.EventsPerSecond)))
	}
	ts = append(ts, speed)

	for _, run := range []*TrailRun{r.First, r.Second} {
		id := "?"
		if run != nil {
			id = run.ID
		}
		ts = append(ts, rssTarget(fmt.Sprintf("peak RSS of run %s < %.0f MiB", id, maxPeakRSSMiB), run))
	}

	none := Target{Name: "run 2 reads 0 objects"}
	if !r.Second.OK() {
		none.Status, none.Detail = targetFail, trailFailedCause(r.Second)
	} else {
		rd := r.Second.Read
		none.Status = passIf(rd.Read == 0)
		none.Detail = fmt.Sprintf("%d read, %s already read of %s listed, %s account-region-days not listed again; %d GetObject requests",
			rd.Read, thousands(int64(rd.Skipped)), thousands(int64(rd.Listed)), thousands(int64(rd.CellsKnown)), r.Second.Proxy.Calls["s3:GetObject"])
	}
	ts = append(ts, none)

	faster := Target{Name: fmt.Sprintf("run 2 is ≥ %.0f× faster than run 1", minTrailSpeedup)}
	if r.Speedup == 0 {
		faster.Status, faster.Detail = targetFail, trailFailedCause(r.First, r.Second)
	} else {
		faster.Status = passIf(r.Speedup >= minTrailSpeedup)
		faster.Detail = fmt.Sprintf("%s / %s = %.1f×", roundWall(r.First.Wall), roundWall(r.Second.Wall), r.Speedup)
	}
	ts = append(ts, faster)

	growth := Target{Name: fmt.Sprintf("peak RSS does not grow with events (≤ %.2f× at %d× the events)", maxRSSGrowth, rssCheckDivisor)}
	switch {
	case !r.Config.RSSCheck:
		growth.Status, growth.Detail = targetSkip, "RSS check skipped (-rss-check=false)"
	case !r.First.OK() || !r.Small.OK():
		growth.Status, growth.Detail = targetFail, trailFailedCause(r.First, r.Small)
	case r.First.PeakRSSKiB == 0 || r.Small.PeakRSSKiB == 0:
		growth.Status, growth.Detail = targetFail, "not measured"
	default:
		ratio := float64(r.First.PeakRSSKiB) / float64(r.Small.PeakRSSKiB)
		growth.Status = passIf(ratio <= maxRSSGrowth)
		growth.Detail = fmt.Sprintf("%.1f MiB at %s events vs %.1f MiB at %s: %.2f×",
			r.First.PeakRSSMiB(), thousands(r.First.Read.Events), r.Small.PeakRSSMiB(), thousands(r.Small.Read.Events), ratio)
	}
	ts = append(ts, growth)
	return ts
}

func rssTarget(name string, run *TrailRun) Target {
	t := Target{Name: name}
	switch {
	case !run.OK():
		t.Status, t.Detail = targetFail, trailFailedCause(run)
	case run.PeakRSSKiB == 0:
		t.Status, t.Detail = targetFail, "not measured"
	default:
		t.Status = passIf(run.PeakRSSMiB() < maxPeakRSSMiB)
		t.Detail = fmt.Sprintf("%.1f MiB", run.PeakRSSMiB())
	}
	return t
}

// trailFailedCause names the first of runs that did not run or failed.
func trailFailedCause(runs ...*TrailRun) string {
	for _, r := range runs {
		if r == nil {
			return "run not made"
		}
		if !r.OK() {
			return "run " + r.ID + " failed"
		}
	}
	return "not measured"
}
