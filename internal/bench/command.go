package bench

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
)

// naiveCommand is the hidden subcommand that runs the naive baseline in a
// child process, so that its peak RSS is measured alone.
const naiveCommand = "naive"

// Main runs sagekey-bench with args (without the program name): the scan
// benchmark, with "trail" first the trail benchmark (trailMain), or with
// "events" first the event-driven check benchmark (eventsMain). It
// returns the exit status: 0 every target met, 1 a phase or run failed or a
// target was missed, 2 a usage error.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	log := slog.New(slog.NewTextHandler(stderr, nil))
	if len(args) > 0 && args[0] == naiveCommand {
		return naiveMain(ctx, args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == trailCommand {
		return trailMain(ctx, args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == eventsCommand {
		return eventsMain(ctx, args[1:], stdout, stderr)
	}
	cfg, err := ParseConfig(args, stderr)
	switch {
	case errors.Is(err, flag.ErrHelp):
		return 0
	case err != nil:
		fmt.Fprintln(stderr, "sagekey-bench:", err)
		return 2
	}
	return Run(ctx, cfg, stdout, log)
}

// naiveMain is `sagekey-bench naive -endpoint-url URL -regions R1,R2`: it
// runs the naive scan and writes its NaiveResult as JSON to stdout.
func naiveMain(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("sagekey-bench naive", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var opts NaiveOptions
	var regions string
	fs.StringVar(&opts.EndpointURL, "endpoint-url", "", "AWS endpoint (the benchmark proxy)")
	fs.StringVar(&regions, "regions", "", "comma-separated regions")
	fs.IntVar(&opts.Workers, "workers", NaiveWorkers, "worker pool size per region and kind")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	opts.Regions = strings.Split(regions, ",")
	res, err := RunNaive(ctx, opts)
	if err != nil {
		fmt.Fprintln(stderr, "sagekey-bench naive:", err)
		return 1
	}
	if err := json.NewEncoder(stdout).Encode(res); err != nil {
		fmt.Fprintln(stderr, "sagekey-bench naive:", err)
		return 1
	}
	return 0
}

// subcommand parses a subcommand's flags and runs it: 0 after -h, 2 on a
// usage error, else what run returns.
func subcommand[C any](ctx context.Context, name string, args []string, stdout, stderr io.Writer,
	parse func([]string, io.Writer) (C, error), run func(context.Context, C, io.Writer, *slog.Logger) int) int {
	cfg, err := parse(args, stderr)
	switch {
	case errors.Is(err, flag.ErrHelp):
		return 0
	case err != nil:
		fmt.Fprintf(stderr, "sagekey-bench %s: %v\n", name, err)
		return 2
	}
	return run(ctx, cfg, stdout, slog.New(slog.NewTextHandler(stderr, nil)))
}
