package bench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/sagekey/sagekey/internal/motoserver"
)

// Run identifiers.
const (
	trailRunFirst  = "1"
	trailRunSecond = "2"
	trailRunSmall  = "3"
)

// RunTrail executes the trail benchmark, prints the report to stdout and
// returns the exit status (0 all targets met, 1 otherwise).
func RunTrail(ctx context.Context, cfg TrailConfig, stdout io.Writer, log *slog.Logger) int {
	res, err := executeTrail(ctx, cfg, log)
	return finish(stdout, log, res, err, WriteTrailText, cfg.JSONPath)
}

// executeTrail sets up moto, the trail and the proxy, makes the runs and
// evaluates them. It fails only when the benchmark itself cannot run; a
// failing run is a result.
func executeTrail(ctx context.Context, cfg TrailConfig, log *slog.Logger) (*TrailResult, error) {
	h, stop, err := startHarness(ctx, cfg.KeepDir, cfg.SagekeyPath, log)
	if err != nil {
		return nil, err
	}
	defer stop()
	work, bin, srv := h.work, h.bin, h.srv
	awsCfg, err := motoserver.AWSConfig(ctx, srv.URL(), cfg.Regions[0])
	if err != nil {
		return nil, err
	}
	// Path-style, as sagekey addresses an endpoint override: moto's
	// loopback address has no bucket subdomains.
	client := s3.NewFromConfig(awsCfg, func(o *s3.Options) { o.UsePathStyle = true })

	proxy, err := NewProxy(srv.URL(), ProxyOptions{Latency: cfg.Latency, Seed: cfg.Seed}, log)
	if err != nil {
		return nil, err
	}
	ps, err := startTrailProxy(proxy)
	if err != nil {
		return nil, err
	}
	defer func() {
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = ps.Close(shutdownCtx)
	}()

	r := &trailRunner{cfg: cfg, work: work, sagekey: bin, proxy: ps, motoPID: findMotoPID(portOf(srv.URL()))}
	res := &TrailResult{Config: TrailResultConfig{
		Latency: cfg.Latency.String(), ThrottlePercent: cfg.ThrottlePercent, Seed: cfg.Seed,
		RSSCheck: cfg.RSSCheck, Sagekey: bin,
	}}
	if cfg.KeepDir != "" {
		res.Config.WorkDir = work
	}

	now := time.Now()
	setup := func(prefix string, events int) (*TrailSetup, error) {
		log.Info("generating and uploading trail", "prefix", prefix, "events", events, "days", cfg.Days, "regions", len(cfg.Regions))
		s, err := setupTrail(ctx, client, prefix, events, cfg.Days, cfg.Regions, now)
		if err != nil {
			return nil, err
		}
		log.Info("trail uploaded", "files", s.Files, "gzip_bytes", s.Bytes, "elapsed", time.Duration(s.SetupSeconds*float64(time.Second)).Round(time.Millisecond))
		return s, nil
	}
	if res.Trail, err = setup("full", cfg.Events); err != nil {
		return nil, err
	}
	do := func(id, name string, t *TrailSetup, db string) (*TrailRun, error) {
		log.Info("run started", "run", id, "name", name)
		p := r.run(ctx, id, name, t, db)
		if ctx.Err() != nil {
			return nil, fmt.Errorf("interrupted during run %s: %w", id, context.Cause(ctx))
		}
		log.Info("run finished", "run", id, "wall", p.Wall.Round(time.Millisecond), "events", p.Read.Events,
			"objects_read", p.Read.Read, "peak_rss_mib", fmt.Sprintf("%.1f", p.PeakRSSMiB()), "exit", p.ExitCode, "failed", !p.OK())
		return p, nil
	}
	if res.First, err = do(trailRunFirst, "first run (fresh database)", res.Trail, "history.db"); err != nil {
		return nil, err
	}
	if res.Second, err = do(trailRunSecond, "second run (same database)", res.Trail, "history.db"); err != nil {
		return nil, err
	}
	if cfg.RSSCheck {
		// Uploaded only now, so that moto holds one trail while the main
		// runs are measured.
		if res.SmallTrail, err = setup("quarter", cfg.Events/rssCheckDivisor); err != nil {
			return nil, err
		}
		name := fmt.Sprintf("first run over 1/%d of the events (RSS check, fresh database)", rssCheckDivisor)
		if res.Small, err = do(trailRunSmall, name, res.SmallTrail, "rss-check.db"); err != nil {
			return nil, err
		}
	}
	res.evaluate()
	return res, nil
}

// trailRunner makes the measured runs against one moto behind one proxy.
type trailRunner struct {
	cfg     TrailConfig
	work    string
	sagekey string
	proxy   *trailProxyServer
	motoPID int // 0: moto_server's CPU time is not sampled
}

// run makes one `sagekey trail` run over t as a child process, so that
// its peak RSS is its own, with the proxy's counts reset first so the run
// is counted alone.
func (r *trailRunner) run(ctx context.Context, id, name string, t *TrailSetup, db string) *TrailRun {
	reportPath := filepath.Join(r.work, "trail-run-"+id+".json")
	args := []string{"trail", "--s3-uri", t.URI, "--endpoint-url", r.proxy.URL(),
		"--db", filepath.Join(r.work, db), "--from", t.From.Format(time.RFC3339), "--to", t.To.Format(time.RFC3339),
		"--format", "json", "--output", reportPath}
	p := &TrailRun{ID: id, Name: name, Command: "sagekey " + strings.Join(args, " "), ReportPath: reportPath,
		LogPath: filepath.Join(r.work, "trail-run-"+id+".log")}
	_ = os.Remove(reportPath) // a stale report must not pass for this run's

	r.proxy.Configure(ProxyOptions{Latency: r.cfg.Latency, Seed: r.cfg.Seed})
	r.proxy.throttler.configure(r.cfg.ThrottlePercent, r.cfg.Seed)
	r.proxy.Reset()
	before := cpuNow(r.motoPID)
	child, err := runChild(ctx, childSpec{
		bin: r.sagekey, args: args, dir: r.work, stderrPath: p.LogPath,
		env: scannerEnv(r.work, t.Regions[0]),
	})
	p.CPU = cpuBetween(before, cpuNow(r.motoPID), runtime.NumCPU())
	p.Proxy = s3Counts(r.proxy.Snapshot())
	p.Wall, p.WallSeconds = child.wall, child.wall.Seconds()
	p.ExitCode, p.PeakRSSKiB = child.exitCode, child.peakRSSKiB
	switch {
	case err != nil:
		p.Failure = err.Error()
	case child.exitCode != 0:
		// 1 is an incomplete read (unreadable objects, gaps): a benchmark
		// trail must be read completely.
		p.Failure = fmt.Sprintf("sagekey exited with status %d (want 0); log %s:\n%s", child.exitCode, p.LogPath, tailOf(p.LogPath, 15))
	default:
		doc, err := readTrailDoc(reportPath)
		if err != nil {
			p.Failure = fmt.Sprintf("no usable report: %v; log %s:\n%s", err, p.LogPath, tailOf(p.LogPath, 15))
			break
		}
		p.Read, p.APICalls = doc.Read, doc.APICalls.Operations
		if p.Wall > 0 {
			p.EventsPerSecond = float64(p.Read.Events) / p.Wall.Seconds()
		}
	}
	return p
}
