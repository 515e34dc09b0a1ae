// Package cli is the command-line shell: a cobra command tree whose flags
// bind to Options structs, a logger on stderr, and the single place where
// errors become exit codes. It holds no scan logic; it calls the scan
// orchestrator and a report writer.
package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/sagekey/sagekey/internal/version"
)

// globalOptions are flags every command takes.
type globalOptions struct {
	logLevel  string
	logFormat string
}

// Env is what commands take from the process: the streams and the clock
// (tests pin it to replay history). Stdin answers confirmation prompts;
// nil reads as "no".
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Now            func() time.Time
}

// Run executes sagekey with args (without the program name) and returns the
// exit status. stdout carries results only; logs go to stderr.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return RunEnv(ctx, Env{Stdin: os.Stdin, Stdout: stdout, Stderr: stderr, Now: time.Now}, args)
}

// RunEnv is Run with an explicit environment.
func RunEnv(ctx context.Context, e Env, args []string) int {
	stdout, stderr := e.Stdout, e.Stderr
	if e.Now == nil {
		e.Now = time.Now
	}
	g := &globalOptions{}
	root := &cobra.Command{
		Use:           "sagekey",
		Short:         "Prove that SageMaker data at rest is encrypted with healthy customer-managed KMS keys",
		SilenceUsage:  true,
		SilenceErrors: true, // printed once below, after mapping
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			return setupLogging(g.logLevel, g.logFormat, stderr)
		},
	}
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	root.PersistentFlags().StringVar(&g.logLevel, "log-level", "warn", "log level: debug, info, warn or error (logs go to stderr)")
	root.PersistentFlags().StringVar(&g.logFormat, "log-format", "text", "log format: text, or json for log collectors")
	root.AddCommand(newScanCommand(e), newChecksCommand(stdout), newVersionCommand(stdout),
		newHistoryCommand(e), newDiffCommand(e), newKPICommand(e), newGuardrailsCommand(e), newRemediateCommand(e), newReportCommand(e), newTrailCommand(e), newServeCommand(e))

	err := root.ExecuteContext(ctx)
	// Bare violations are the report itself, so only they go unprinted;
	// anything joined to them (a store failure, say) is printed.
	if err != nil && err != errViolations { //nolint:errorlint // identity is the point
		fmt.Fprintln(stderr, "sagekey:", err)
	}
	if err != nil && isCobraUsage(err) {
		err = usageError{err}
	}
	return exitCode(err)
}

// isCobraUsage recognises cobra's own argument errors, which it returns as
// plain errors.
func isCobraUsage(err error) bool {
	msg := err.Error()
	return strings.HasPrefix(msg, "unknown command") || strings.HasPrefix(msg, "unknown flag") ||
		strings.Contains(msg, "accepts ") || strings.HasPrefix(msg, "invalid argument")
}

func setupLogging(level, format string, stderr io.Writer) error {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return usagef("--log-level: %v", err)
	}
	opts := &slog.HandlerOptions{Level: l}
	switch format {
	case "text":
		slog.SetDefault(slog.New(slog.NewTextHandler(stderr, opts)))
	case "json":
		// One JSON object per line, as log collectors (CloudWatch, Loki,
		// Fluent Bit) parse them.
		slog.SetDefault(slog.New(slog.NewJSONHandler(stderr, opts)))
	default:
		return usagef("--log-format: %q is not text or json", format)
	}
	return nil
}

func newVersionCommand(stdout io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the sagekey version",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			_, err := fmt.Fprintln(stdout, "sagekey", version.String())
			return err
		},
	}
}
