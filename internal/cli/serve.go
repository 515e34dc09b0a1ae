package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/sagekey/sagekey/internal/alert/compose"
	"github.com/sagekey/sagekey/internal/alert/detect"
	"github.com/sagekey/sagekey/internal/config"
	"github.com/sagekey/sagekey/internal/dashboard"
	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/metrics"
	"github.com/sagekey/sagekey/internal/scan"
	"github.com/sagekey/sagekey/internal/schedule"
	"github.com/sagekey/sagekey/internal/serve"
	"github.com/sagekey/sagekey/internal/store"
	"github.com/sagekey/sagekey/internal/trailscan"
)

// serveOptions binds the serve command's flags. Scan options are scan's
// own (scanScope); secrets have no flags.
type serveOptions struct {
	scope               scanScope
	db                  dbOptions
	trail               trailSourceOptions
	trailWindow         string
	listen              string
	authTokenFile       string
	every, cron         string
	jitter              time.Duration
	fullEvery           string
	runAtStart          bool
	alertSeverity       string
	complianceThreshold float64
	alertMaxAttempts    int
	alertRetryMin       time.Duration
	alertRetryMax       time.Duration
	dashboardURL        string
	readyGrace          time.Duration
	shutdownTimeout     time.Duration
	queue               queueFlags
	scan                bool
}

// authTokenEnv holds the bearer token when no file is given.
const authTokenEnv = "SAGEKEY_AUTH_TOKEN"

func newServeCommand(e Env) *cobra.Command {
	o := &serveOptions{}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run continuously: scheduled scans, alerts on changes, a live dashboard and Prometheus metrics",
		Long: "serve scans on a schedule (--every with jitter, or --cron), incrementally with a full scan every " +
			"--full-every, one replica at a time under a lock in the store. It alerts on transitions only (a new or " +
			"reopened violation, a key disabled or scheduled for deletion, compliance falling below a threshold, a " +
			"failed scan or new gaps, CloudTrail key events and denial spikes) through an outbox in the store to " +
			"webhooks, Slack and SNS, and serves a read-only dashboard, /metrics, /healthz, /readyz and POST /api/scan.\n\n" +
			"Options come from flags and the serve: section of sagekey.yaml (same names; flags win). Sinks and routes " +
			"are configured only in the file, with their URLs and secrets in files or environment variables.\n\n" +
			"It listens on 127.0.0.1 unless --auth-token-file is given. Exit status: 0 after SIGTERM or Ctrl-C, " +
			"1 runtime error, 2 usage error.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runServe(cmd, o, e) },
	}
	f := cmd.Flags()
	o.scope.register(f)
	o.db.register(f, "")
	o.trail.register(f)
	f.StringVar(&o.trailWindow, "trail-window", "2d", "with a trail source, how far back each read after a scan reaches (units already read are skipped)")
	f.StringVar(&o.listen, "listen", "127.0.0.1:8080", "HTTP address of the dashboard, /metrics and the probes")
	f.StringVar(&o.authTokenFile, "auth-token-file", "", "file holding the bearer token required by the dashboard, /metrics and POST /api/scan (or $"+authTokenEnv+"); needed to listen beyond loopback")
	f.StringVar(&o.every, "every", "", `scan every interval, e.g. "6h" (default 6h unless --cron)`)
	f.StringVar(&o.cron, "cron", "", `scan on a cron expression instead, e.g. "0 */6 * * *" or "CRON_TZ=Europe/Paris 0 7 * * *"`)
	f.DurationVar(&o.jitter, "jitter", 0, "with --every, add a random delay up to this (default a tenth of the interval, at most 10m)")
	f.StringVar(&o.fullEvery, "full-every", "7d", "run a full scan (describe everything again) this often; other scans are incremental")
	f.BoolVar(&o.runAtStart, "run-at-start", true, "scan as soon as serve starts instead of waiting for the first scheduled time")
	f.StringVar(&o.alertSeverity, "alert-severity", "high", "alert on new or reopened violations of this severity or higher: critical, high, medium, low, info")
	f.Float64Var(&o.complianceThreshold, "compliance-threshold", 0, "alert when percent compliant drops below this (0: never)")
	f.IntVar(&o.alertMaxAttempts, "alert-max-attempts", 8, "delivery attempts per alert and sink before it becomes a dead letter (shown on the dashboard)")
	f.DurationVar(&o.alertRetryMin, "alert-retry-min", 30*time.Second, "first retry delay of a failed alert delivery (doubling, with jitter)")
	f.DurationVar(&o.alertRetryMax, "alert-retry-max", 30*time.Minute, "longest delay between retries of a failed alert delivery")
	f.StringVar(&o.dashboardURL, "dashboard-url", "", "external URL of this dashboard, for links in alerts")
	f.DurationVar(&o.readyGrace, "ready-grace", time.Hour, "how late the scheduled scan may be before /readyz fails")
	f.DurationVar(&o.shutdownTimeout, "shutdown-timeout", 20*time.Second, "on SIGTERM, how long to drain requests and flush the alert outbox")
	o.queue.register(f)
	f.BoolVar(&o.scan, "scan", true, "scan on the schedule; --scan=false leaves scanning to other processes (sagekey scan --shard sweeps "+
		"from deploy/kubernetes/cronjob-sweep.yaml or deploy/aws-batch) and only alerts on, shows and exports what they store, and consumes --queue")
	return cmd
}

func runServe(cmd *cobra.Command, o *serveOptions, e Env) error {
	ctx := cmd.Context()
	file, err := applyServeConfig(cmd.Flags(), o.scope.configPath)
	if err != nil {
		return err
	}
	if o.scope.shard.spec != "" || o.scope.shard.sweep != "" {
		return usagef("--shard and --sweep do not apply to serve: run the shards as sagekey scan --shard (a Kubernetes " +
			"Indexed Job or an AWS Batch array job, see deploy/) and serve --scan=false alerts on each sweep once it is complete")
	}
	sched, err := o.schedule()
	if err != nil {
		return err
	}
	fullEvery, err := schedule.ParseDuration(o.fullEvery)
	if err != nil {
		return usagef("--full-every: %v", err)
	}
	minSeverity, err := finding.ParseSeverity(o.alertSeverity)
	if err != nil {
		return usagef("--alert-severity: %v", err)
	}
	token, err := readAuthToken(o.authTokenFile)
	if err != nil {
		return err
	}
	if err := serve.CheckListen(o.listen, token); err != nil {
		return usageError{err}
	}
	base, err := o.scope.options(e.Now) // validates now; rebuilt per scan for --since
	if err != nil {
		return err
	}
	var trailRun func(context.Context) error
	if o.trailConfigured() && !o.scan {
		return usagef("a trail source (--trail, --s3-uri, --from-dir, --lookup-events) is read after each scan; " +
			"with --scan=false run sagekey trail on its own schedule")
	}
	if o.trailConfigured() {
		if err := o.trail.validate(); err != nil {
			return err
		}
		if o.trail.printSQL {
			return usagef("--print-sql does not apply to serve")
		}
		if _, err := parseTime(o.trailWindow, e.Now()); err != nil {
			return usagef("--trail-window: %v", err)
		}
	}
	if err := o.queue.validate(); err != nil {
		return err
	}
	if err := file.Alerts.Validate(); err != nil {
		return usageError{fmt.Errorf("%s serve: %w", o.configName(), err)}
	}

	st, err := o.db.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	router, err := buildRouter(ctx, file.Alerts, base.AWS)
	if err != nil {
		return err
	}
	if o.trailConfigured() {
		trailRun = o.trailRunner(st, e)
	}
	queue, err := o.queueOptions(ctx, st, e)
	if err != nil {
		return err
	}
	ownerTag := base.Settings.OwnerTag
	dash, err := dashboard.New(dashboard.Options{Store: st, OwnerTag: ownerTag, Now: e.Now})
	if err != nil {
		return err
	}
	return serve.Run(ctx, serve.Options{
		Store: st,
		Scan:  o.scanRunner(st, e),
		Load: func(ctx context.Context, id int64) (serve.Stored, error) {
			s, err := loadStoredScan(ctx, st, id, o.scope.configPath, e)
			return serve.Stored{Run: s.Run, Snapshot: s.Snapshot, Findings: s.Findings}, err
		},
		Trail:            trailRun,
		Queue:            queue,
		NoScan:           !o.scan,
		Schedule:         sched,
		FullEvery:        fullEvery,
		RunAtStart:       o.runAtStart,
		Detect:           detect.Options{MinSeverity: minSeverity, ComplianceThreshold: o.complianceThreshold},
		Compose:          compose.Options{OwnerTag: ownerTag, DashboardURL: o.dashboardURL, ComplianceThreshold: o.complianceThreshold},
		Route:            router.Route,
		Sinks:            router.Sinks(),
		AlertMaxAttempts: o.alertMaxAttempts,
		AlertBackoff:     schedule.Backoff{Base: o.alertRetryMin, Max: o.alertRetryMax},
		Metrics:          metrics.New(),
		Dashboard:        dash.Handler(),
		Listen:           o.listen,
		AuthToken:        token,
		ReadyGrace:       o.readyGrace,
		Refresh:          refreshInterval(sched),
		ShutdownTimeout:  o.shutdownTimeout,
	})
}

// applyServeConfig reads sagekey.yaml's serve section and sets every flag
// it names that the command line did not.
func applyServeConfig(flags *pflag.FlagSet, path string) (config.Serve, error) {
	required := path != ""
	if path == "" {
		path = config.DefaultFile
	}
	f, err := config.Load(path, required)
	if err != nil {
		return config.Serve{}, usageError{err}
	}
	if f.Serve == nil {
		return config.Serve{}, nil
	}
	for name, value := range f.Serve.Flags {
		fl := flags.Lookup(name)
		switch {
		case fl == nil:
			return config.Serve{}, usagef("%s: serve.%s is not a serve option (see sagekey serve --help)", path, name)
		case name == "config":
			return config.Serve{}, usagef("%s: serve.%s cannot be set in the file", path, name)
		case fl.Changed:
			continue // the command line wins
		}
		if err := flags.Set(name, value); err != nil {
			return config.Serve{}, usagef("%s: serve.%s: %v", path, name, err)
		}
	}
	return *f.Serve, nil
}

func (o *serveOptions) configName() string {
	if o.scope.configPath != "" {
		return o.scope.configPath
	}
	return config.DefaultFile
}

// schedule builds the schedule; --every defaults to 6h when no --cron.
func (o *serveOptions) schedule() (schedule.Schedule, error) {
	every := o.every
	if every == "" && o.cron == "" {
		every = "6h"
	}
	jitter := o.jitter
	if every != "" && jitter == 0 {
		if d, err := schedule.ParseDuration(every); err == nil {
			jitter = min(d/10, 10*time.Minute)
		}
	}
	s, err := schedule.Parse(every, o.cron, jitter)
	var usage *schedule.UsageError
	if errors.As(err, &usage) {
		return nil, usageError{err}
	}
	return s, err
}

// refreshInterval is how often the gauges look for a scan another replica
// stored: a minute, or half the interval of a shorter schedule.
func refreshInterval(sc schedule.Schedule) time.Duration {
	if e, ok := sc.(schedule.Every); ok && e.Interval < 2*time.Minute {
		return e.Interval / 2
	}
	return time.Minute
}

// readAuthToken reads the token from a file, else the environment. It is
// never logged and never a flag value.
func readAuthToken(path string) (string, error) {
	if path == "" {
		return strings.TrimSpace(os.Getenv(authTokenEnv)), nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", usagef("--auth-token-file: %v", err)
	}
	token := strings.TrimSpace(string(b))
	if len(token) < 16 {
		return "", usagef("--auth-token-file: the token must be at least 16 characters")
	}
	return token, nil
}

// scanRunner is one stored scan as serve runs it: scan's options rebuilt
// for this moment (a relative --since moves with the clock), with the
// store for history and immutable records.
func (o *serveOptions) scanRunner(st *store.Store, e Env) func(context.Context, bool) (*scan.Result, error) {
	return func(ctx context.Context, full bool) (*scan.Result, error) {
		opts, err := o.scope.options(e.Now)
		if err != nil {
			return nil, err
		}
		opts.Full, opts.Store, opts.Known = full, st, st
		if err := withKeyDenials(ctx, st, e.Now(), &opts.Settings); err != nil {
			return nil, err
		}
		return scan.Run(ctx, opts)
	}
}

func (o *serveOptions) trailConfigured() bool {
	t := o.trail
	return t.trailName != "" || t.s3URI != "" || t.fromDir != "" || t.lookupEvents
}

// trailRunner reads CloudTrail after each scan as `sagekey trail` would,
// over the trail window, judged against the scan just stored.
func (o *serveOptions) trailRunner(st *store.Store, e Env) func(context.Context) error {
	return func(ctx context.Context) error {
		t := &trailOptions{
			aws: awsOptions{profile: o.scope.profile, endpointURL: o.scope.endpointURL, maxAttempts: o.scope.maxAttempts,
				rateScale: o.scope.rateScale},
			source: o.trail, from: o.trailWindow, org: o.scope.org, accounts: o.scope.accounts,
			concurrency: o.scope.concurrency, db: o.db,
		}
		if len(o.scope.regions) != 1 || o.scope.regions[0] != scan.AllRegions {
			t.regions = o.scope.regions
		}
		w, err := t.window(e.Now())
		if err != nil {
			return err
		}
		estate, err := trailscan.LatestEstate(ctx, st)
		if err != nil {
			return err
		}
		_, res, err := t.read(ctx, e, w, st, estate)
		if err == nil && res != nil && res.Incomplete() {
			slog.Warn("CloudTrail read incomplete", "gaps", len(res.Gaps), "problems", len(res.Problems))
		}
		return err
	}
}
