package bench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/sagekey/sagekey/internal/motoserver"
)

// Phase identifiers, as the issue names them.
const (
	phaseFirst     = "a"
	phaseRescan    = "b"
	phaseFull      = "c"
	phaseNaive     = "d"
	phaseThrottled = "e"
)

// Run executes the benchmark, prints the report to stdout and returns the
// exit status (0 all targets met, 1 otherwise).
func Run(ctx context.Context, cfg Config, stdout io.Writer, log *slog.Logger) int {
	res, err := execute(ctx, cfg, log)
	return finish(stdout, log, res, err, WriteText, cfg.JSONPath)
}

// finish writes a benchmark's result as text and, when asked, as JSON, and
// returns the exit status: 0 when every target is met, 1 otherwise or when
// the benchmark could not run.
func finish[R interface{ Passed() bool }](stdout io.Writer, log *slog.Logger, res R, err error, text func(io.Writer, R) error, jsonPath string) int {
	if err != nil {
		log.Error("benchmark aborted", "error", err)
		return 1
	}
	if err := text(stdout, res); err != nil {
		log.Error("write report", "error", err)
		return 1
	}
	if jsonPath != "" {
		if err := writeJSONFile(jsonPath, res); err != nil {
			log.Error("write -json file", "error", err)
			return 1
		}
	}
	if !res.Passed() {
		return 1
	}
	return 0
}

// execute sets up the emulator, the estate and the proxy, runs the phases
// and evaluates the results. It fails only when the benchmark itself cannot
// run; a failing phase is a result.
func execute(ctx context.Context, cfg Config, log *slog.Logger) (*Result, error) {
	est, err := PlanEstate(cfg.Estate)
	if err != nil {
		return nil, err
	}
	h, stop, err := startHarness(ctx, cfg.KeepDir, cfg.SagekeyPath, log)
	if err != nil {
		return nil, err
	}
	defer stop()
	work, bin, srv := h.work, h.bin, h.srv

	seedStart := time.Now()
	seeded, err := Seed(ctx, func(region string) aws.Config {
		cfg, _ := motoserver.AWSConfig(ctx, srv.URL(), region) // fails only on empty URL or region
		return cfg
	}, est, cfg.SeedConcurrency, log)
	if err != nil {
		return nil, err
	}
	seedEnd := time.Now()
	seedWall := seedEnd.Sub(seedStart)
	log.Info("estate seeded", "elapsed", seedWall.Round(time.Millisecond), "account", seeded.Account)

	// The scans run with --tag-lag and --search-lag cfg.TagLag: wait until
	// the estate is older than that (a second more, for creation times moto
	// rounds), so its tags come from tag:GetResources and a re-scan's
	// Search stops at the last scan as an older estate's would. A lag
	// longer than maxTagLagWait is not waited out: the scans then read the
	// estate's tags with ListTags and Search it all again, and the bounds
	// charge them so.
	if wait := time.Until(seedEnd.Add(cfg.TagLag + time.Second)); wait > 0 && cfg.TagLag <= maxTagLagWait {
		log.Info("waiting for the estate to be older than --tag-lag and --search-lag", "wait", wait.Round(time.Millisecond))
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return nil, context.Cause(ctx)
		}
	}

	proxy, err := NewProxy(srv.URL(), ProxyOptions{Latency: cfg.Latency, Seed: cfg.Seed}, log)
	if err != nil {
		return nil, err
	}
	proxy.RestoreProcessingResources(seeded.ProcessingResources)
	ps, err := StartProxy(proxy)
	if err != nil {
		return nil, err
	}
	defer func() {
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = ps.Close(shutdownCtx)
	}()

	r := &runner{cfg: cfg, work: work, sagekey: bin, proxy: ps, regions: cfg.Estate.Regions}
	res := &Result{
		Config:    resultConfig(cfg, bin, work),
		Estate:    summarizeEstate(seeded, seedStart, seedEnd, cfg.SeedConcurrency),
		Warnings:  []string{},
		tagLag:    cfg.TagLag,
		searchLag: cfg.searchLag(),
	}
	phases := []struct {
		name string
		run  func() *PhaseResult
		dst  **PhaseResult
		skip string // why the phase does not run; "" when it does
	}{
		{"sagekey first scan", func() *PhaseResult {
			return r.sagekeyPhase(ctx, phaseFirst, "sagekey first scan", "history.db", "first.json", cfg.ThrottlePercent)
		}, &res.First, ""},
		{"sagekey re-scan", func() *PhaseResult {
			return r.sagekeyPhase(ctx, phaseRescan, "sagekey re-scan (unchanged estate)", "history.db", "rescan.json", cfg.ThrottlePercent)
		}, &res.Rescan, ""},
		{"sagekey --full scan", func() *PhaseResult {
			return r.sagekeyPhase(ctx, phaseFull, "sagekey --full scan (every tag with ListTags)", "full.db", "full.json", cfg.ThrottlePercent, "--full")
		}, &res.Full, skipIf(cfg.jobHistory(), jobsSkippedCause)},
		{"sagekey throttled scan", func() *PhaseResult {
			return r.sagekeyPhase(ctx, phaseThrottled, fmt.Sprintf("sagekey scan with %g %% throttling", cfg.ThrottleRescanPercent),
				"throttled.db", "throttled.json", cfg.ThrottleRescanPercent)
		}, &res.Throttled, skipIf(cfg.jobHistory(), jobsSkippedCause)},
		{"naive baseline", func() *PhaseResult { return r.naivePhase(ctx, phaseNaive) }, &res.Naive,
			skipIf(cfg.SkipNaive, naiveSkippedCause)},
	}
	for _, ph := range phases {
		if ph.skip != "" {
			log.Info("phase skipped", "phase", ph.name, "why", ph.skip)
			continue
		}
		log.Info("phase started", "phase", ph.name)
		p := ph.run()
		*ph.dst = p
		if ctx.Err() != nil {
			return nil, fmt.Errorf("interrupted during %s: %w", ph.name, context.Cause(ctx))
		}
		log.Info("phase finished", "phase", ph.name, "wall", p.Wall.Round(time.Millisecond),
			"calls", p.Counts.Total(), "exit", p.ExitCode, "failed", !p.OK())
	}
	res.evaluate(seeded)
	return res, nil
}

// maxTagLagWait is the longest -tag-lag the bench waits out after seeding.
const maxTagLagWait = time.Minute

func skipIf(skip bool, cause string) string {
	if skip {
		return cause
	}
	return ""
}

// workDir returns the directory for the run's files and a cleanup that
// removes it unless it was asked to be kept.
func workDir(keep string) (string, func(), error) {
	if keep != "" {
		abs, err := filepath.Abs(keep)
		if err != nil {
			return "", nil, err
		}
		if err := os.MkdirAll(abs, 0o755); err != nil {
			return "", nil, err
		}
		return abs, func() {}, nil
	}
	dir, err := os.MkdirTemp("", "sagekey-bench-")
	if err != nil {
		return "", nil, err
	}
	return dir, func() { _ = os.RemoveAll(dir) }, nil
}

// sagekeyBinary returns the binary to benchmark: the given one, or a fresh
// build of ./cmd/sagekey (this module's, so the run must start inside the
// repository).
func sagekeyBinary(ctx context.Context, given, work string, log *slog.Logger) (string, error) {
	if given != "" {
		abs, err := filepath.Abs(given)
		if err != nil {
			return "", err
		}
		if _, err := os.Stat(abs); err != nil {
			return "", fmt.Errorf("-sagekey: %w", err)
		}
		return abs, nil
	}
	out := filepath.Join(work, "sagekey")
	start := time.Now()
	cmd := exec.CommandContext(ctx, "go", "build", "-o", out, "github.com/sagekey/sagekey/cmd/sagekey")
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("build sagekey (run from the repository, or pass -sagekey PATH): %w", err)
	}
	log.Info("built sagekey", "path", out, "elapsed", time.Since(start).Round(time.Millisecond))
	return out, nil
}

// harness is what every benchmark runs in: a work directory, the sagekey
// binary to measure, and a moto_server logging into the work directory.
type harness struct {
	work, bin string
	srv       *motoserver.Server
}

// startHarness sets the harness up; stop undoes it (moto first, then the
// work directory unless it is kept).
func startHarness(ctx context.Context, keepDir, sagekeyPath string, log *slog.Logger) (*harness, func(), error) {
	work, cleanup, err := workDir(keepDir)
	if err != nil {
		return nil, nil, err
	}
	log.Info("work directory", "path", work, "kept", keepDir != "")
	bin, err := sagekeyBinary(ctx, sagekeyPath, work, log)
	if err != nil {
		cleanup()
		return nil, nil, err
	}
	motoLog, err := os.Create(filepath.Join(work, "moto.log"))
	if err != nil {
		cleanup()
		return nil, nil, err
	}
	srv, err := motoserver.Start(ctx, motoLog)
	if err != nil {
		motoLog.Close()
		cleanup()
		return nil, nil, err
	}
	log.Info("moto_server started", "url", srv.URL())
	stop := func() {
		if err := srv.Stop(); err != nil {
			log.Warn("stop moto_server", "error", err)
		}
		motoLog.Close()
		cleanup()
	}
	return &harness{work: work, bin: bin, srv: srv}, stop, nil
}
