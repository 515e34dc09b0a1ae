package cli

import (
	"os"
	"time"

	"github.com/spf13/pflag"

	"github.com/sagekey/sagekey/internal/scan"
	"github.com/sagekey/sagekey/internal/shard"
)

// shardFlags bind --shard, --sweep and --sweep-every: one scan split over N
// processes (a Kubernetes Indexed Job, an AWS Batch array job), each
// scanning the (account, region) units it owns and storing its own run
// under the sweep's id.
type shardFlags struct {
	spec  string
	sweep string
	every time.Duration
}

func (s *shardFlags) register(f *pflag.FlagSet) {
	f.StringVar(&s.spec, "shard", "", `scan only this shard's (account, region) units: "I/N" (0 ≤ I < N), or "auto" for `+
		shard.EnvK8sIndex+" with "+shard.EnvCount+" (Kubernetes Indexed Job) or "+
		shard.EnvBatchIndex+" with "+shard.EnvBatchSize+" (AWS Batch array job)")
	f.StringVar(&s.sweep, "sweep", "", "with --shard: the id every shard of this sweep stores its run under "+
		"(default: an AWS Batch array's parent job id, else the start time truncated to --sweep-every, e.g. 2026-12-07T10:00Z); "+
		"(serve takes neither: it alerts on the sweeps that sagekey scan --shard stores)")
	f.DurationVar(&s.every, "sweep-every", time.Hour, "with --shard and no --sweep: the sweep interval the start time is truncated to")
}

// apply sets the shard and sweep of o for a scan starting at now. "auto"
// reads the process environment, so it is resolved here, per scan, not
// when the flags are parsed.
func (s *shardFlags) apply(o *scan.Options, now time.Time) error {
	spec, err := shard.Parse(s.spec, os.Getenv)
	if err != nil {
		return usagef("--shard: %v", err)
	}
	switch {
	case !spec.Sharded() && s.sweep != "":
		return usagef("--sweep needs --shard")
	case s.every <= 0:
		return usagef("--sweep-every must be positive")
	case !spec.Sharded():
		return nil
	}
	sweep := s.sweep
	if sweep == "" {
		sweep = shard.DefaultSweep(os.Getenv, now, s.every)
	}
	if err := shard.ValidSweep(sweep); err != nil {
		return usagef("--sweep: %v", err)
	}
	o.Shard, o.Sweep = spec, sweep
	return nil
}
