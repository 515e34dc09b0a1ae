package cli

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/sagekey/sagekey/internal/awsclient"
	smcollect "github.com/sagekey/sagekey/internal/collect/sagemaker"
	"github.com/sagekey/sagekey/internal/config"
	"github.com/sagekey/sagekey/internal/engine"
	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/progress"
	"github.com/sagekey/sagekey/internal/report"
	"github.com/sagekey/sagekey/internal/rules"
	"github.com/sagekey/sagekey/internal/scan"
	"github.com/sagekey/sagekey/internal/store"
)

// scanOptions binds the scan command's flags.
type scanOptions struct {
	scope       scanScope
	format      string
	output      string
	table       tableFlags
	failOn      string
	full        bool
	progress    string
	db          dbOptions
	securityHub securityHubOptions
}

// scanScope binds the flags that say what to scan and how: scan's and
// serve's alike, under the same names (serve's sagekey.yaml section uses
// them too).
type scanScope struct {
	profile     string
	regions     []string
	endpointURL string
	checks      []string
	skipChecks  []string
	configPath  string
	concurrency int
	maxAttempts int
	since       string
	org         bool
	accounts    []string
	roleName    string
	roleARN     string
	rateScale   float64
	tagLag      time.Duration
	searchLag   time.Duration
	shard       shardFlags
}

func newScanCommand(e Env) *cobra.Command {
	o := &scanOptions{}
	cmd := &cobra.Command{
		Use:   "scan",
		Short: "Audit SageMaker resources and their KMS keys in one account, a list of accounts or an organization",
		Long: "scan reads every SageMaker resource that stores data at rest, judges each key slot " +
			"(PASS only for an Enabled customer-managed key) and checks the health of every key used.\n\n" +
			"Immutable records (jobs, endpoint configs) are remembered in the history database, so a re-scan " +
			"describes only what is new; --full describes everything again.\n\n" +
			"Exit status: 0 clean, 3 FAIL findings at or above --fail-on, 1 runtime error or incomplete " +
			"scan (gaps), 2 usage error.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runScan(cmd, o, e) },
	}
	f := cmd.Flags()
	o.scope.register(f)
	f.StringVar(&o.format, "format", "table", "output format: "+report.FormatList())
	f.StringVarP(&o.output, "output", "o", "", "write the report to FILE instead of stdout")
	o.table.register(f)
	f.StringVar(&o.failOn, "fail-on", "low", "exit 3 when a FAIL finding has this severity or higher: critical, high, medium, low")
	f.BoolVar(&o.full, "full", false, "describe every record again instead of reusing those earlier scans stored (the store is still refreshed)")
	f.StringVar(&o.progress, "progress", "auto", "progress on stderr: auto (only when stderr is a terminal), always, never")
	o.db.register(f, "do not store this scan in the history")
	o.securityHub.registerImport(f)
	return cmd
}

func (o *scanScope) register(f *pflag.FlagSet) {
	f.StringVar(&o.profile, "profile", "", "AWS shared-config profile (default: the standard credential chain)")
	f.StringSliceVar(&o.regions, "regions", nil, `regions to scan, comma-separated, or "all" for the account's enabled regions (default: the configured region)`)
	f.StringVar(&o.endpointURL, "endpoint-url", "", "send every AWS call to this endpoint (emulators such as moto; AWS_ENDPOINT_URL is honoured too)")
	f.StringSliceVar(&o.checks, "checks", nil, `run only these checks (ids or globs, e.g. "kms-key.*")`)
	f.StringSliceVar(&o.skipChecks, "skip-checks", nil, "skip these checks (ids or globs)")
	f.StringVar(&o.configPath, "config", "", "configuration file (default: ./"+config.DefaultFile+" if present)")
	f.IntVar(&o.concurrency, "concurrency", 8, "parallel collectors and key resolutions")
	f.IntVar(&o.maxAttempts, "max-attempts", 0, "attempts per AWS call, retries included (default 8)")
	f.StringVar(&o.since, "since", "", `judge only jobs created in this window: a duration back from now ("30d", "12h") or a date (2026-01-31, RFC 3339); other kinds are always scanned`)
	f.BoolVar(&o.org, "org", false, "scan every active account of the AWS Organization (run from the management or a delegated administrator account)")
	f.StringSliceVar(&o.accounts, "accounts", nil, "scan these account IDs, comma-separated (default: the caller's account)")
	f.StringVar(&o.roleName, "role-name", awsclient.DefaultRoleName, "role assumed in each account of --org or --accounts")
	f.StringVar(&o.roleARN, "role-arn", "", `role ARN template assumed in each account, with {account} for the account ID, e.g. "arn:aws:iam::{account}:role/audit/SageKeyReader" (overrides --role-name)`)
	o.shard.register(f)
	f.Float64Var(&o.rateScale, "rate-scale", 1, "multiply sagekey's per-account, per-operation request rates (e.g. 0.5 to leave more of the quotas to workloads)")
	f.DurationVar(&o.tagLag, "tag-lag", smcollect.DefaultTagLag, "tags are read in pages with tag:GetResources, which is eventually consistent: "+
		"resources created this recently are read with ListTags (--full reads every tag with ListTags)")
	f.DurationVar(&o.searchLag, "search-lag", smcollect.DefaultSearchLag, "how far SageMaker Search's index may trail the API (AWS does not say; "+
		"0 means the default): a re-scan searches jobs again from this far before the last complete listing, and lists the "+
		"endpoints, feature groups and model cards changed this recently")
}

// validate checks the flags that do not depend on the time of the scan.
func (o *scanScope) validate() error {
	if err := validateChecks(o.checks, o.skipChecks); err != nil {
		return err
	}
	if len(o.regions) > 1 {
		for _, r := range o.regions {
			if r == scan.AllRegions {
				return usagef("--regions: %q cannot be combined with other regions", scan.AllRegions)
			}
		}
	}
	if o.org && len(o.accounts) > 0 {
		return usagef("--org and --accounts cannot be combined")
	}
	if o.rateScale <= 0 {
		return usagef("--rate-scale must be positive")
	}
	if o.tagLag < 0 {
		return usagef("--tag-lag must not be negative")
	}
	if o.searchLag < 0 {
		return usagef("--search-lag must not be negative")
	}
	return awsclientUsage(awsclient.ValidateAccounts(o.accountsOptions()))
}

func awsclientUsage(err error) error {
	if err != nil {
		return usageError{err}
	}
	return nil
}

func (o *scanScope) accountsOptions() awsclient.AccountsOptions {
	return awsclient.AccountsOptions{Org: o.org, IDs: o.accounts, RoleName: o.roleName, RoleARN: o.roleARN}
}

func (o *scanScope) awsOptions() awsclient.Options {
	return awsclient.Options{Profile: o.profile, EndpointURL: o.endpointURL, MaxAttempts: o.maxAttempts}
}

// options builds the scan's options as of now (--since is relative to
// it), without a store.
func (o *scanScope) options(now func() time.Time) (scan.Options, error) {
	if err := o.validate(); err != nil {
		return scan.Options{}, err
	}
	settings, err := loadSettings(o.configPath)
	if err != nil {
		return scan.Options{}, err
	}
	settings.Checks, settings.SkipChecks = o.checks, o.skipChecks
	var since time.Time
	if o.since != "" {
		if since, err = parseTime(o.since, now()); err != nil {
			return scan.Options{}, usagef("--since: %v", err)
		}
	}
	opts := scan.Options{
		AWS: o.awsOptions(), Accounts: o.accountsOptions(), Regions: o.regions, Settings: settings,
		Concurrency: o.concurrency, Since: since, RateScale: o.rateScale, Now: now, TagLag: o.tagLag,
		SearchLag: o.searchLag,
	}
	if err := o.shard.apply(&opts, now()); err != nil {
		return scan.Options{}, err
	}
	return opts, nil
}

func runScan(cmd *cobra.Command, o *scanOptions, e Env) error {
	stdout := e.Stdout
	writer, err := o.table.writer(o.format, o.output, stdout)
	if err != nil {
		return err
	}
	failOn, err := finding.ParseSeverity(o.failOn)
	if err != nil {
		return usagef("--fail-on: %v", err)
	}
	if err := o.securityHub.validate(o.format); err != nil {
		return err
	}
	opts, err := o.scope.options(e.Now)
	if err != nil {
		return err
	}
	opts.Full = o.full
	var st *store.Store
	if !o.db.noStore {
		if st, err = o.db.open(cmd.Context()); err != nil {
			return err
		}
		defer st.Close()
		opts.Store, opts.Known = st, st
		if err := withKeyDenials(cmd.Context(), st, e.Now(), &opts.Settings); err != nil {
			return err
		}
	}
	show, err := showProgress(o.progress, e.Stderr)
	if err != nil {
		return err
	}
	var display *progress.Display
	if show {
		opts.Progress = &progress.Tracker{}
		display = progress.Start(cmd.Context(), e.Stderr, opts.Progress, 250*time.Millisecond)
		defer display.Stop()
	}

	res, scanErr := scan.Run(cmd.Context(), opts)
	display.Stop() // before the report, so the two do not interleave on a terminal
	if res == nil {
		return scanErr
	}
	rep := res.Report
	if st != nil && rep.RunID != 0 {
		if err := addHistory(cmd.Context(), st, o.format, rep); err != nil {
			slog.Warn("the report shows no history", "error", err)
		}
	}
	if err := writeOutput(o.output, stdout, func(w io.Writer) error { return writer(w, rep) }); err != nil {
		return err
	}
	o.securityHub.aws = opts.AWS
	importErr := o.securityHub.importFindings(cmd.Context(), e, rep)
	return outcome(rep, failOn, errors.Join(scanErr, importErr))
}

// showProgress decides whether to draw progress on stderr: by default only
// on a terminal, so logs and CI output stay clean.
func showProgress(mode string, stderr io.Writer) (bool, error) {
	switch mode {
	case "always":
		return true, nil
	case "never":
		return false, nil
	case "auto":
		f, ok := stderr.(*os.File)
		return ok && progress.IsTerminal(f), nil
	}
	return false, usagef("--progress: %q is not auto, always or never", mode)
}

// outcome decides the exit status of a written report. Definite violations
// (3) outrank an incomplete scan (1); both are visible in the report.
func outcome(rep *report.Report, failOn finding.Severity, scanErr error) error {
	for _, f := range rep.Findings.All() {
		if f.Status == finding.Fail && f.Severity >= failOn {
			if scanErr == nil {
				return errViolations
			}
			// Still say what else went wrong (a store failure, a cancel):
			// exit 3 must not hide it.
			return errors.Join(errViolations, scanErr)
		}
	}
	if scanErr != nil {
		return scanErr
	}
	if len(rep.Gaps) > 0 {
		return fmt.Errorf("%w: %d gaps (see the report)", errIncomplete, len(rep.Gaps))
	}
	return nil
}

// writeOutput streams a document to stdout, or to path through a temporary
// file renamed into place, so a failed write never leaves a truncated report
// where a complete one is expected. A write error is returned either way.
func writeOutput(path string, stdout io.Writer, write func(io.Writer) error) error {
	if path == "" {
		return write(stdout)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".sagekey-report-*")
	if err != nil {
		return fmt.Errorf("--output: %w", err)
	}
	defer os.Remove(tmp.Name()) // a no-op after the rename
	if err := write(tmp); err != nil {
		tmp.Close()
		return fmt.Errorf("--output: %w", err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fmt.Errorf("--output: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("--output: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("--output: %w", err)
	}
	slog.Info("written", "path", path)
	return nil
}

func loadSettings(path string) (engine.Settings, error) {
	required := path != ""
	if path == "" {
		path = config.DefaultFile
	}
	f, err := config.Load(path, required)
	if err != nil {
		return engine.Settings{}, usageError{err}
	}
	s, err := f.Settings()
	if err != nil {
		return s, usageError{err}
	}
	return s, nil
}

// validateChecks rejects a --checks/--skip-checks value that matches no
// check: a typo would otherwise silently run nothing (or everything).
func validateChecks(lists ...[]string) error {
	all := rules.All()
	for _, list := range lists {
		for _, pattern := range list {
			if len(engine.Select(all, []string{pattern}, nil)) == 0 {
				ids := make([]string, len(all))
				for i, r := range all {
					ids[i] = r.ID
				}
				return usagef("no check matches %q (checks: %s)", pattern, strings.Join(ids, ", "))
			}
		}
	}
	return nil
}
