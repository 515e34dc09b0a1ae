package bench

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"
)

// seedConcurrency bounds the SDK requests in flight while seeding.
const seedConcurrency = 16

// Config is one benchmark run.
type Config struct {
	Estate EstateSpec
	// Latency is added by the proxy to every request of every phase.
	Latency time.Duration
	// ThrottlePercent applies to the first scan, the re-scan and the naive
	// baseline; ThrottleRescanPercent to the throttled full re-scan.
	ThrottlePercent       float64
	ThrottleRescanPercent float64
	SkipNaive             bool
	// KeepDir, when set, holds the work files (sagekey binary, history
	// databases, reports, logs) and is kept; otherwise a temporary
	// directory is used and removed.
	KeepDir string
	// SagekeyPath is a prebuilt sagekey binary; empty builds ./cmd/sagekey.
	SagekeyPath string
	// JSONPath, when set, receives the result as JSON.
	JSONPath string
	// Seed seeds the proxy's throttling decisions.
	Seed uint64
}

// ParseConfig parses the command line. Usage goes to stderr; -h returns
// flag.ErrHelp.
func ParseConfig(args []string, stderr io.Writer) (Config, error) {
	fs := flag.NewFlagSet("sagekey-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg Config
	var regions string
	fs.IntVar(&cfg.Estate.TrainingJobs, "training-jobs", 5000, "training jobs to seed")
	fs.IntVar(&cfg.Estate.Notebooks, "notebooks", 300, "notebook instances to seed")
	fs.IntVar(&cfg.Estate.EndpointConfigs, "endpoint-configs", 300, "endpoint configs to seed")
	fs.IntVar(&cfg.Estate.Endpoints, "endpoints", 100, "endpoints to seed (each runs one of its region's endpoint configs)")
	fs.IntVar(&cfg.Estate.Clusters, "clusters", 20, "HyperPod clusters to seed")
	fs.IntVar(&cfg.Estate.Models, "models", 100, "SageMaker models to seed; each region's endpoint configs cycle through its models")
	fs.IntVar(&cfg.Estate.Keys, "keys", 50, "customer-managed KMS keys to seed; half the resources of each region use one of that region's keys")
	fs.StringVar(&regions, "regions", "us-east-1,eu-west-1,ap-southeast-2", "comma-separated regions; the estate is spread evenly over them")
	fs.DurationVar(&cfg.Latency, "latency", 20*time.Millisecond, "latency the proxy adds to every request")
	fs.Float64Var(&cfg.ThrottlePercent, "throttle", 0, "percentage of SageMaker/KMS requests the proxy throttles in the first scan, re-scan and naive phases")
	fs.Float64Var(&cfg.ThrottleRescanPercent, "throttle-rescan", 10, "percentage of SageMaker/KMS requests the proxy throttles in the throttled full re-scan")
	fs.BoolVar(&cfg.SkipNaive, "skip-naive", false, "skip the naive baseline (its targets are reported as SKIP)")
	fs.StringVar(&cfg.KeepDir, "keep", "", "keep the work files (binary, databases, reports, logs) in this directory")
	fs.StringVar(&cfg.SagekeyPath, "sagekey", "", "sagekey binary to benchmark (default: build ./cmd/sagekey)")
	fs.StringVar(&cfg.JSONPath, "json", "", "also write the results as JSON to this file")
	fs.Uint64Var(&cfg.Seed, "seed", 1, "seed of the proxy's throttling decisions")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: sagekey-bench [flags]\n\n"+
			"Seeds a SageMaker estate into a local moto_server, then measures sagekey (first scan, re-scan,\n"+
			"throttled full re-scan) and a naive scanner through a counting, latency-adding proxy.\n"+
			"Exit status 1 when a phase fails or a target is missed.\n\n"+
			"Subcommands (each with its own -h):\n"+
			"  sagekey-bench trail [flags]   `sagekey trail` reading a generated CloudTrail trail from moto's S3\n"+
			"  sagekey-bench events [flags]  `sagekey serve --queue`: event in the SQS queue to alert at a webhook\n\n"+
			"Flags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return Config{}, err
	}
	if fs.NArg() > 0 {
		return Config{}, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	for _, r := range strings.Split(regions, ",") {
		if r = strings.TrimSpace(r); r != "" {
			cfg.Estate.Regions = append(cfg.Estate.Regions, r)
		}
	}
	if err := cfg.validate(); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

func (c Config) validate() error {
	if c.Latency < 0 {
		return errors.New("-latency must not be negative")
	}
	for name, p := range map[string]float64{"-throttle": c.ThrottlePercent, "-throttle-rescan": c.ThrottleRescanPercent} {
		if p < 0 || p > 100 {
			return fmt.Errorf("%s must be a percentage between 0 and 100, got %v", name, p)
		}
	}
	if _, err := PlanEstate(c.Estate); err != nil {
		return fmt.Errorf("estate: %w", err)
	}
	return nil
}
