package bench

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"
)

// seedConcurrency bounds the SDK requests in flight while seeding, unless
// -seed-concurrency says otherwise.
const seedConcurrency = 16

// The estates the scan benchmark can seed (-estate).
const (
	// EstateScan is the default estate: every kind sagekey reads with
	// List, Search, GetResources and Describe, with keys, roles and models.
	EstateScan = "scan"
	// EstateJobs is job history: many immutable training and processing
	// jobs and nothing else, to measure a re-scan that reuses their stored
	// records.
	EstateJobs = "jobs"
)

// Job-history defaults (-estate jobs).
const (
	jobsDefaultTrainingJobs   = 50000
	jobsDefaultProcessingJobs = 50000
	// jobsMaxRescanCalls is the ceiling on the job-history re-scan.
	jobsMaxRescanCalls = 1500
)

// defaultTagLag is the --tag-lag the bench passes to sagekey, and its
// --search-lag too (Config.searchLag): the estate is seeded seconds before
// the scans, where sagekey's defaults (15m, 1h) would read every tag with
// ListTags and have every re-scan page all the job history again; an
// estate in AWS is mostly older than that.
const defaultTagLag = time.Second

// Config is one benchmark run.
type Config struct {
	Estate EstateSpec
	// Latency is added by the proxy to every request of every phase.
	Latency time.Duration
	// ThrottlePercent applies to the first scan, the re-scan, the --full
	// scan and the naive baseline; ThrottleRescanPercent to the throttled
	// scan (phase e).
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
	// EstateName is EstateScan or EstateJobs.
	EstateName string
	// TagLag is passed to sagekey as --tag-lag, and as --search-lag
	// (searchLag).
	TagLag time.Duration
	// SeedConcurrency bounds the SDK requests in flight while seeding.
	SeedConcurrency int
}

// searchLag is the --search-lag passed to sagekey: the tag lag, which the
// bench waits out after seeding, so both of sagekey's eventually
// consistent indexes (tag:GetResources, Search) are read as an estate
// older than the lag would be.
func (c Config) searchLag() time.Duration { return c.TagLag }

// jobHistory reports whether the run seeds the job-history estate.
func (c Config) jobHistory() bool { return c.EstateName == EstateJobs }

// ParseConfig parses the command line. Usage goes to stderr; -h returns
// flag.ErrHelp.
func ParseConfig(args []string, stderr io.Writer) (Config, error) {
	fs := flag.NewFlagSet("sagekey-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg Config
	var regions string
	fs.StringVar(&cfg.EstateName, "estate", EstateScan, "estate to seed: scan (every kind, the defaults below) or jobs (job history: "+
		"-training-jobs and -processing-jobs default to 50000 each, every other kind to 0; phases a and b only)")
	fs.IntVar(&cfg.Estate.TrainingJobs, "training-jobs", 5000, "training jobs to seed")
	fs.IntVar(&cfg.Estate.ProcessingJobs, "processing-jobs", 0, "processing jobs to seed")
	fs.IntVar(&cfg.Estate.Notebooks, "notebooks", 300, "notebook instances to seed")
	fs.IntVar(&cfg.Estate.EndpointConfigs, "endpoint-configs", 300, "endpoint configs to seed")
	fs.IntVar(&cfg.Estate.Endpoints, "endpoints", 100, "endpoints to seed (each runs one of its region's endpoint configs)")
	fs.IntVar(&cfg.Estate.Clusters, "clusters", 20, "HyperPod clusters to seed")
	fs.IntVar(&cfg.Estate.Models, "models", 100, "SageMaker models to seed; each region's endpoint configs cycle through its models")
	fs.IntVar(&cfg.Estate.Keys, "keys", 50, "customer-managed KMS keys to seed; half the resources of each region use one of that region's keys")
	fs.StringVar(&regions, "regions", "us-east-1,eu-west-1,ap-southeast-2", "comma-separated regions; the estate is spread evenly over them")
	fs.DurationVar(&cfg.Latency, "latency", 20*time.Millisecond, "latency the proxy adds to every request")
	fs.Float64Var(&cfg.ThrottlePercent, "throttle", 0, "percentage of SageMaker/KMS/Tagging API requests the proxy throttles in the first scan, re-scan, --full scan and naive phases")
	fs.Float64Var(&cfg.ThrottleRescanPercent, "throttle-rescan", 10, "percentage of SageMaker/KMS/Tagging API requests the proxy throttles in the throttled scan (phase e)")
	fs.BoolVar(&cfg.SkipNaive, "skip-naive", false, "skip the naive baseline (its targets are reported as SKIP)")
	fs.StringVar(&cfg.KeepDir, "keep", "", "keep the work files (binary, databases, reports, logs) in this directory")
	fs.StringVar(&cfg.SagekeyPath, "sagekey", "", "sagekey binary to benchmark (default: build ./cmd/sagekey)")
	fs.StringVar(&cfg.JSONPath, "json", "", "also write the results as JSON to this file")
	fs.Uint64Var(&cfg.Seed, "seed", 1, "seed of the proxy's throttling decisions")
	fs.DurationVar(&cfg.TagLag, "tag-lag", defaultTagLag, "--tag-lag and --search-lag passed to sagekey; the bench waits it out after seeding when it is at most 1m (the estate is seconds old; sagekey's defaults are 15m and 1h)")
	fs.IntVar(&cfg.SeedConcurrency, "seed-concurrency", seedConcurrency, "SDK requests in flight while seeding")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: sagekey-bench [flags]\n\n"+
			"Seeds a SageMaker estate into a local moto_server, then measures sagekey (first scan, re-scan,\n"+
			"--full scan, throttled scan) and a naive scanner through a counting, latency-adding proxy;\n"+
			"-estate jobs seeds job history instead (first scan and re-scan only).\n"+
			"Exit status 1 when a phase fails or a target is missed.\n\n"+
			"Subcommands (each with its own -h):\n"+
			"  sagekey-bench trail [flags]   `sagekey trail` reading a generated CloudTrail trail from moto's S3\n"+
			"  sagekey-bench events [flags]  `sagekey serve --queue`: event in the SQS queue to alert at a webhook\n\n"+
			"Flags:\n")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return Config{}, err
	}
	if cfg.EstateName == EstateJobs {
		set := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
		for name, dst := range map[string]*int{
			"training-jobs": &cfg.Estate.TrainingJobs, "processing-jobs": &cfg.Estate.ProcessingJobs,
			"notebooks": &cfg.Estate.Notebooks, "endpoint-configs": &cfg.Estate.EndpointConfigs,
			"endpoints": &cfg.Estate.Endpoints, "clusters": &cfg.Estate.Clusters, "models": &cfg.Estate.Models,
		} {
			if !set[name] {
				*dst = 0
			}
		}
		if !set["training-jobs"] {
			cfg.Estate.TrainingJobs = jobsDefaultTrainingJobs
		}
		if !set["processing-jobs"] {
			cfg.Estate.ProcessingJobs = jobsDefaultProcessingJobs
		}
		cfg.SkipNaive = true
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
	if c.EstateName != EstateScan && c.EstateName != EstateJobs {
		return fmt.Errorf("-estate must be %s or %s, got %q", EstateScan, EstateJobs, c.EstateName)
	}
	if c.TagLag <= 0 {
		return errors.New("-tag-lag must be positive (sagekey reads 0 as its 15m and 1h defaults)")
	}
	if c.SeedConcurrency < 1 {
		return errors.New("-seed-concurrency must be at least 1")
	}
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

// parseFlags parses args into fs; positional arguments are an error, as no
// benchmark takes any.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	return nil
}
