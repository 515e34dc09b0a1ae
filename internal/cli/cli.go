// Package cli is the command-line shell: a cobra command tree whose flags
// bind to Options structs, a logger on stderr, and the single place where
// errors become exit codes. It holds no scan logic; it calls the scan
// orchestrator and a report writer.
package cli

import (
	"context"
	"encoding/json"
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
	root := NewRootCommand(e)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	// Bare violations are the report itself, so only they go unprinted;
	// anything joined to them (a store failure, say) is printed.
	if err != nil && err != errViolations { //nolint:errorlint // identity is the point
		fmt.Fprintln(e.Stderr, "sagekey:", errorText(err))
	}
	if err != nil && isCobraUsage(err) {
		err = usageError{err}
	}
	return exitCode(err)
}

// NewRootCommand builds the whole command tree on e without running it:
// RunEnv executes it, and tools/genman walks it to write the man pages, so
// the pages describe exactly the commands and flags the binary has.
func NewRootCommand(e Env) *cobra.Command {
	stdout, stderr := e.Stdout, e.Stderr
	if e.Now == nil {
		e.Now = time.Now
	}
	g := &globalOptions{}
	root := &cobra.Command{
		Use:           "sagekey",
		Short:         "Prove that SageMaker data at rest is encrypted with healthy customer-managed KMS keys",
		SilenceUsage:  true,
		SilenceErrors: true, // printed once in RunEnv, after mapping
		// Setting Version makes cobra add --version (and -v) to the root
		// command; it prints before PersistentPreRunE, so a bad
		// --log-level cannot stop it.
		Version: version.String(),
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			return setupLogging(g.logLevel, g.logFormat, stderr)
		},
	}
	// --version prints the same line as `sagekey version`. The line is
	// escaped as a template literal because cobra renders the version
	// template with text/template.
	root.SetVersionTemplate(fmt.Sprintf("{{%q}}\n", version.Get().String()))
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	root.PersistentFlags().StringVar(&g.logLevel, "log-level", "warn", "log level: debug, info, warn or error (logs go to stderr)")
	root.PersistentFlags().StringVar(&g.logFormat, "log-format", "text", "log format: text, or json for log collectors")
	root.AddCommand(newScanCommand(e), newChecksCommand(stdout), newVersionCommand(stdout),
		newHistoryCommand(e), newDiffCommand(e), newKPICommand(e), newGuardrailsCommand(e), newRemediateCommand(e), newReportCommand(e), newTrailCommand(e), newServeCommand(e), newIaCCommand(e))
	// cobra would add --version and `completion` itself, but only when the
	// tree is executed; adding them here puts them in the tree tools/genman
	// documents too. The completion scripts are written to the stdout
	// set above, which cobra captures now.
	root.InitDefaultVersionFlag()
	root.Flags().Lookup("version").Usage = "print the version, commit, build date and Go version (as the version command does)"
	root.InitDefaultCompletionCmd()
	return root
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
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the sagekey version, commit, build date and Go version",
		Long: `Print the sagekey version, the commit and date it was built from, and the Go
toolchain and platform: the same line as sagekey --version. The version alone
is what reports and stored scans record as the tool version.`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			info := version.Get()
			if asJSON {
				enc := json.NewEncoder(stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(info)
			}
			_, err := fmt.Fprintln(stdout, info.String())
			return err
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print a JSON object (version, commit, date, modified, go, platform) for scripts")
	return cmd
}
