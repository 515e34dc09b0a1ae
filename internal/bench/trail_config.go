package bench

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"
)

// trailCommand is the subcommand that runs the trail benchmark.
const trailCommand = "trail"

// Fixed parts of the benchmark trail. They are not flags because the
// targets are stated for them: one account, as `sagekey trail` on an
// account trail reads it, and the share of events of interest a busy
// account's trail carries.
const (
	trailAccount       = "123456789012" // moto's default account
	trailBucket        = "sagekey-bench-trail"
	trailInterestShare = 0.02
	trailGenSeed       = 1
	// trailUploaders is how many PutObject calls are in flight while the
	// trail is uploaded: moto is one Python process on a shared machine, and
	// a few workers keep it busy without starving the generator of CPU.
	trailUploaders = 4
	// rssCheckDivisor is how much smaller the RSS-check trail is.
	rssCheckDivisor = 4
)

// TrailConfig is one trail benchmark run.
type TrailConfig struct {
	// Events are spread evenly over Days × Regions hourly log files.
	Events  int
	Days    int
	Regions []string
	// Latency is added by the proxy to every request sagekey makes.
	Latency time.Duration
	// ThrottlePercent of sagekey's S3 requests are answered 503 SlowDown.
	ThrottlePercent float64
	// RSSCheck adds a first run over a trail of Events/4 events, to show
	// that peak RSS does not grow with the number of events.
	RSSCheck bool
	// KeepDir, SagekeyPath, JSONPath and Seed are as in Config.
	KeepDir     string
	SagekeyPath string
	JSONPath    string
	Seed        uint64
}

// ParseTrailConfig parses the trail subcommand's command line. Usage goes
// to stderr; -h returns flag.ErrHelp.
func ParseTrailConfig(args []string, stderr io.Writer) (TrailConfig, error) {
	fs := flag.NewFlagSet("sagekey-bench trail", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg TrailConfig
	var regions string
	fs.IntVar(&cfg.Events, "events", 1_000_000, "CloudTrail events to generate, spread evenly over the hourly log files")
	fs.IntVar(&cfg.Days, "days", 30, "days of hourly log files")
	fs.StringVar(&regions, "regions", "us-east-1,eu-west-1,ap-southeast-2", "comma-separated regions the trail logs")
	fs.DurationVar(&cfg.Latency, "latency", 20*time.Millisecond, "latency the proxy adds to every request")
	fs.Float64Var(&cfg.ThrottlePercent, "throttle", 0, "percentage of sagekey's S3 requests the proxy answers with 503 SlowDown")
	fs.BoolVar(&cfg.RSSCheck, "rss-check", true, fmt.Sprintf("also read a trail of -events/%d (same days) once, and compare peak RSS", rssCheckDivisor))
	fs.StringVar(&cfg.KeepDir, "keep", "", "keep the work files (binary, databases, reports, logs) in this directory")
	fs.StringVar(&cfg.SagekeyPath, "sagekey", "", "sagekey binary to benchmark (default: build ./cmd/sagekey)")
	fs.StringVar(&cfg.JSONPath, "json", "", "also write the results as JSON to this file")
	fs.Uint64Var(&cfg.Seed, "seed", 1, "seed of the proxy's throttling decisions")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: sagekey-bench trail [flags]\n\n"+
			"Uploads a generated CloudTrail trail (gzipped hourly log files) into a local moto_server's S3, then\n"+
			"measures `sagekey trail` reading it through a latency-adding proxy: a first run with a fresh\n"+
			"database and a second run with the same one, which must read no object; with -rss-check also a\n"+
			"first run over a quarter of the events, to compare peak RSS.\n"+
			"Exit status 1 when a run fails or a target is missed.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return TrailConfig{}, err
	}
	for _, r := range strings.Split(regions, ",") {
		if r = strings.TrimSpace(r); r != "" {
			cfg.Regions = append(cfg.Regions, r)
		}
	}
	if err := cfg.validate(); err != nil {
		return TrailConfig{}, err
	}
	return cfg, nil
}

func (c TrailConfig) validate() error {
	switch {
	case c.Events < 1:
		return errors.New("-events must be at least 1")
	case c.RSSCheck && c.Events < rssCheckDivisor:
		return fmt.Errorf("-events must be at least %d with -rss-check", rssCheckDivisor)
	case c.Days < 1:
		return errors.New("-days must be at least 1")
	case len(c.Regions) == 0:
		return errors.New("-regions names no region")
	case c.Latency < 0:
		return errors.New("-latency must not be negative")
	case c.ThrottlePercent < 0 || c.ThrottlePercent > 100:
		return fmt.Errorf("-throttle must be a percentage between 0 and 100, got %v", c.ThrottlePercent)
	}
	return nil
}

// trailMain is `sagekey-bench trail [flags]`.
func trailMain(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return subcommand(ctx, "trail", args, stdout, stderr, ParseTrailConfig, RunTrail)
}
