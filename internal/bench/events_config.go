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

// eventsCommand is the subcommand that runs the event-driven check
// benchmark.
const eventsCommand = "events"

// Fixed parts of the events benchmark. The target is stated for one
// region, as EventBridge delivers one region's events to one queue: an
// organization's central queue, which receives the calls of -accounts
// accounts.
const (
	eventsAccount   = "123456789012" // moto's default account: the caller's, holding the queue and the base estate
	eventsRegion    = "us-east-1"
	eventsQueueName = "sagekey-events"
	eventsDLQName   = "sagekey-events-dlq"
	// eventsMaxReceives is the redrive policy's maxReceiveCount.
	eventsMaxReceives = 5
	// eventsDrain is how long alerts are awaited after the last send.
	eventsDrain = 60 * time.Second
	// eventsInFlight bounds the generator's events in flight (create the
	// notebook, then send its event): at 50 events/s and a few tens of
	// milliseconds per moto call, a handful are in flight; the bound only
	// matters when moto falls behind, and then the slip shows it.
	eventsInFlight = 32
	// eventsFirstScanLimit bounds the wait for serve's first scan.
	eventsFirstScanLimit = 5 * time.Minute
)

// EventsConfig is one events benchmark run.
type EventsConfig struct {
	// Rate events per second for Duration.
	Rate     float64
	Duration time.Duration
	// Latency is added by the proxy to every request sagekey makes.
	Latency time.Duration
	// Base notebooks exist before the events, half with the CMK.
	Base int
	// Accounts the events are spread over, round-robin: the first is the
	// caller's, the others are reached by assuming
	// OrganizationAccountAccessRole, as serve does with --accounts.
	Accounts int
	// Pollers is serve's --queue-pollers.
	Pollers int
	// TargetP99 is the bound on event-to-alert latency at the 99th
	// percentile.
	TargetP99 time.Duration
	// Postgres, when set, is serve's --db; otherwise a SQLite file in the
	// work directory.
	Postgres string
	// KeepDir, SagekeyPath and JSONPath are as in Config.
	KeepDir     string
	SagekeyPath string
	JSONPath    string
}

// Events is the number of events the run sends: Rate × Duration.
func (c EventsConfig) Events() int {
	return int(c.Rate*c.Duration.Seconds() + 0.5)
}

// ParseEventsConfig parses the events subcommand's command line. Usage goes
// to stderr; -h returns flag.ErrHelp.
func ParseEventsConfig(args []string, stderr io.Writer) (EventsConfig, error) {
	fs := flag.NewFlagSet("sagekey-bench events", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg EventsConfig
	fs.Float64Var(&cfg.Rate, "rate", 50, "events per second sent to the queue")
	fs.DurationVar(&cfg.Duration, "duration", time.Minute, "how long events are sent")
	fs.DurationVar(&cfg.Latency, "latency", 20*time.Millisecond, "latency the proxy adds to every request sagekey makes (SQS included)")
	fs.IntVar(&cfg.Base, "base", 200, "notebook instances in the estate before the events, half with the CMK")
	fs.IntVar(&cfg.Accounts, "accounts", 5, "accounts the events are spread over, round-robin (each notebook created in its account; serve --accounts)")
	fs.IntVar(&cfg.Pollers, "pollers", 4, "sagekey serve --queue-pollers")
	fs.DurationVar(&cfg.TargetP99, "target-p99", 5*time.Second, "target: p99 of event-to-alert latency at most this")
	fs.StringVar(&cfg.Postgres, "postgres", "", "postgres:// URL of the history store (default: a SQLite file in the work directory)")
	fs.StringVar(&cfg.KeepDir, "keep", "", "keep the work files (binary, database, serve's log, config) in this directory")
	fs.StringVar(&cfg.SagekeyPath, "sagekey", "", "sagekey binary to benchmark (default: build ./cmd/sagekey)")
	fs.StringVar(&cfg.JSONPath, "json", "", "also write the results as JSON to this file")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: sagekey-bench events [flags]\n\n"+
			"Measures event-driven checks end to end: seeds a notebook estate, a CMK and an SQS queue (with a\n"+
			"dead-letter queue) into a local moto_server, starts `sagekey serve --queue` through the latency-adding\n"+
			"proxy with a webhook sink in this process, then for -duration creates -rate notebooks per second\n"+
			"without a key, each followed by its CloudTrail CreateNotebookInstance event on the queue, and times\n"+
			"each event from SendMessage to its violation_opened alert at the webhook. The events are spread\n"+
			"round-robin over -accounts accounts (an organization's central queue), each notebook created in its\n"+
			"own account, and serve checks each in its account (--accounts, assuming OrganizationAccountAccessRole).\n"+
			"Exit status 1 when the p99 misses -target-p99, an alert is missing or delivered twice, or the run fails.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return EventsConfig{}, err
	}
	if err := cfg.validate(); err != nil {
		return EventsConfig{}, err
	}
	return cfg, nil
}

func (c EventsConfig) validate() error {
	switch {
	case c.Rate <= 0:
		return errors.New("-rate must be positive")
	case c.Duration <= 0:
		return errors.New("-duration must be positive")
	case c.Events() < 1:
		return errors.New("-rate × -duration must be at least one event")
	case c.Events() > 99_999:
		return errors.New("-rate × -duration must be at most 99,999 events")
	case c.Latency < 0:
		return errors.New("-latency must not be negative")
	case c.Base < 0:
		return errors.New("-base must not be negative")
	case c.Accounts < 1 || c.Accounts > 100:
		return errors.New("-accounts must be between 1 and 100")
	case c.Pollers < 1 || c.Pollers > 64:
		return errors.New("-pollers must be between 1 and 64")
	case c.TargetP99 <= 0:
		return errors.New("-target-p99 must be positive")
	case c.Postgres != "" && !strings.HasPrefix(c.Postgres, "postgres://") && !strings.HasPrefix(c.Postgres, "postgresql://"):
		return errors.New("-postgres must be a postgres:// URL")
	}
	return nil
}

// eventsAccountIDs are the n accounts of a run: the caller's first, then
// 210000000001, 210000000002, …
func eventsAccountIDs(n int) []string {
	ids := []string{eventsAccount}
	for i := 1; i < n; i++ {
		ids = append(ids, fmt.Sprintf("%012d", 210_000_000_000+i))
	}
	return ids
}

// eventsMain is `sagekey-bench events [flags]`.
func eventsMain(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return subcommand(ctx, "events", args, stdout, stderr, ParseEventsConfig, RunEvents)
}
