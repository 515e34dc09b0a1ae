package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// PhaseResult is what one measured phase did.
type PhaseResult struct {
	ID              string  `json:"id"`
	Name            string  `json:"name"`
	Command         string  `json:"command"`
	ThrottlePercent float64 `json:"throttle_percent"`
	// Started is when the child was started (the scan starts a moment
	// later): the bound compares it with the seeding times.
	Started     time.Time     `json:"started"`
	Wall        time.Duration `json:"-"`
	WallSeconds float64       `json:"wall_seconds"`
	ExitCode    int           `json:"exit_code"`
	// Failure says why the phase did not produce a usable result; "" when
	// it did.
	Failure    string `json:"failure,omitempty"`
	Counts     Counts `json:"api_calls"`
	PeakRSSKiB int64  `json:"peak_rss_kib"`
	ReportPath string `json:"report,omitempty"`
	LogPath    string `json:"log"`
	// SelfReported is sagekey's own count from its report, when present.
	SelfReported *APICalls    `json:"sagekey_api_calls,omitempty"`
	Naive        *NaiveResult `json:"naive,omitempty"`
}

// OK reports whether the phase produced a usable result.
func (p *PhaseResult) OK() bool { return p != nil && p.Failure == "" }

// PeakRSSMiB is the child's peak RSS in MiB.
func (p *PhaseResult) PeakRSSMiB() float64 { return float64(p.PeakRSSKiB) / 1024 }

// runner runs the phases against one seeded emulator behind one proxy.
type runner struct {
	cfg     Config
	work    string
	sagekey string
	proxy   *ProxyServer
	regions []string
}

// scanCompleted reports whether a sagekey exit status means the scan ran
// to the end: 0 clean, 1 gaps (moto leaves some List calls unimplemented),
// 3 violations (the estate is seeded with them).
func scanCompleted(exitCode int) bool {
	return exitCode == 0 || exitCode == 1 || exitCode == 3
}

// sagekeyPhase runs one `sagekey scan` through the proxy. The proxy is
// reconfigured and its counts reset first, so the phase is counted alone.
func (r *runner) sagekeyPhase(ctx context.Context, id, name, db, report string, throttle float64, extra ...string) *PhaseResult {
	reportPath := filepath.Join(r.work, report)
	args := []string{"scan", "--endpoint-url", r.proxy.URL(), "--regions", strings.Join(r.regions, ","),
		"--db", filepath.Join(r.work, db), "--format", "json", "--output", reportPath, "--tag-lag", r.cfg.TagLag.String(), "--search-lag", r.cfg.searchLag().String()}
	args = append(args, extra...)
	p := &PhaseResult{
		ID: id, Name: name, ThrottlePercent: throttle, ReportPath: reportPath,
		Command: "sagekey " + strings.Join(args, " "),
		LogPath: filepath.Join(r.work, "phase-"+id+".log"),
	}
	_ = os.Remove(reportPath) // a stale report must not pass for this run's
	run, err := r.measure(ctx, p, r.sagekey, args)
	switch {
	case err != nil:
		p.Failure = err.Error()
	case !scanCompleted(run.exitCode):
		p.Failure = fmt.Sprintf("sagekey exited with status %d (want 0, 1 or 3); log %s:\n%s", run.exitCode, p.LogPath, tailOf(p.LogPath, 15))
	default:
		rep, err := ReadScanReport(reportPath)
		if err != nil {
			p.Failure = fmt.Sprintf("no usable report: %v; log %s:\n%s", err, p.LogPath, tailOf(p.LogPath, 15))
			break
		}
		p.SelfReported = rep.APICalls
	}
	return p
}

// naivePhase runs the naive baseline as `sagekey-bench naive` in a child
// process.
func (r *runner) naivePhase(ctx context.Context, id string) *PhaseResult {
	self, err := os.Executable()
	p := &PhaseResult{ID: id, Name: "naive baseline", ThrottlePercent: r.cfg.ThrottlePercent,
		LogPath: filepath.Join(r.work, "phase-"+id+".log")}
	if err != nil {
		p.Failure = "locate own executable: " + err.Error()
		return p
	}
	args := []string{naiveCommand, "-endpoint-url", r.proxy.URL(), "-regions", strings.Join(r.regions, ","),
		"-workers", fmt.Sprint(NaiveWorkers)}
	p.Command = "sagekey-bench " + strings.Join(args, " ")
	run, err := r.measure(ctx, p, self, args)
	switch {
	case err != nil:
		p.Failure = err.Error()
	case run.exitCode != 0:
		p.Failure = fmt.Sprintf("exited with status %d; log %s:\n%s", run.exitCode, p.LogPath, tailOf(p.LogPath, 15))
	default:
		var res NaiveResult
		if err := json.Unmarshal(run.stdout, &res); err != nil {
			p.Failure = "unreadable result: " + err.Error()
			break
		}
		p.Naive = &res
	}
	return p
}

// measure runs a scanner child with the phase's proxy settings and records
// wall time, exit status, peak RSS and the proxy's counts.
func (r *runner) measure(ctx context.Context, p *PhaseResult, bin string, args []string) (childRun, error) {
	r.proxy.Configure(ProxyOptions{Latency: r.cfg.Latency, ThrottlePercent: p.ThrottlePercent, Seed: r.cfg.Seed})
	r.proxy.Reset()
	p.Started = time.Now()
	run, err := runChild(ctx, childSpec{
		bin: bin, args: args, dir: r.work, stderrPath: p.LogPath,
		env: scannerEnv(r.work, r.regions[0]),
	})
	p.Counts = r.proxy.Snapshot()
	p.Wall, p.WallSeconds = run.wall, run.wall.Seconds()
	p.ExitCode, p.PeakRSSKiB = run.exitCode, run.peakRSSKiB
	return run, err
}
