package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/sagekey/sagekey/internal/awsclient"
	"github.com/sagekey/sagekey/internal/kpi"
	"github.com/sagekey/sagekey/internal/store"
	"github.com/sagekey/sagekey/internal/trail/athena"
	"github.com/sagekey/sagekey/internal/trailreport"
	"github.com/sagekey/sagekey/internal/trailscan"
)

// trailOptions binds the trail command's flags.
type trailOptions struct {
	aws         awsOptions
	source      trailSourceOptions
	from, to    string
	org         bool
	accounts    []string
	regions     []string
	guardrails  []string
	discover    bool
	format      string
	output      string
	concurrency int
	db          dbOptions
}

// awsOptions are the flags every command that calls AWS takes.
type awsOptions struct {
	profile     string
	endpointURL string
	maxAttempts int
	rateScale   float64
}

func newTrailCommand(e Env) *cobra.Command {
	o := &trailOptions{}
	cmd := &cobra.Command{
		Use:   "trail",
		Short: "Read CloudTrail for KMS access denials, guardrail-blocked violations, creators and key lifecycle events",
		Long: "trail reads AWS CloudTrail (log files in S3, LookupEvents, local files, or Athena) for what a scan " +
			"cannot see: KMS access denials on keys that protect SageMaker data, SageMaker create calls an explicit " +
			"deny refused (the guardrails at work), who created each resource and with what tool, who disabled or " +
			"scheduled the deletion of a key, and how many KMS requests SageMaker made per key. Keys and blast radius " +
			"come from the latest stored scan. Aggregates (never raw events) are stored in the history database with the " +
			"accounts, regions and days they cover; a second run reads only new log files.\n\n" +
			"Exit status: 0 complete, 1 runtime error or incomplete (unreadable files, gaps), 2 usage error.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runTrail(cmd.Context(), o, e) },
	}
	f := cmd.Flags()
	o.aws.register(f)
	o.source.register(f)
	f.StringVar(&o.from, "from", "30d", "window start: a duration back from --to (30d, 12w) or a date / RFC 3339 time")
	f.StringVar(&o.to, "to", "", "window end (default now): a duration back from now or a date / RFC 3339 time")
	f.BoolVar(&o.org, "org", false, "read every ACTIVE account of the AWS Organization (the partitions of an organization trail)")
	f.StringSliceVar(&o.accounts, "accounts", nil, "read only these account IDs, comma-separated (default: every account in the trail)")
	f.StringSliceVar(&o.regions, "regions", nil, "read only these regions, comma-separated (default: every region in the trail; for --lookup-events the configured region)")
	f.StringSliceVar(&o.guardrails, "guardrail-policy", nil, "IDs or ARNs of the SCPs and IAM policies sagekey guardrails generated; their denies count as guardrail blocks, other explicit denies as other")
	f.BoolVar(&o.discover, "discover-guardrails", true, "without --guardrail-policy, find sagekey's guardrails among the organization's SCPs and the account's IAM policies by their statement IDs")
	f.StringVar(&o.format, "format", "table", "output format: "+strings.Join(trailreport.Formats(), ", "))
	f.StringVarP(&o.output, "output", "o", "", "write the report to FILE instead of stdout")
	f.IntVar(&o.concurrency, "concurrency", 8, "log files read in parallel")
	o.db.register(f, "do not store what this run reads (the latest stored scan is still read for its keys)")
	return cmd
}

func (o *awsOptions) register(f *pflag.FlagSet) {
	f.StringVar(&o.profile, "profile", "", "AWS shared-config profile (default: the standard credential chain)")
	f.StringVar(&o.endpointURL, "endpoint-url", "", "send every AWS call to this endpoint (emulators such as moto; AWS_ENDPOINT_URL is honoured too)")
	f.IntVar(&o.maxAttempts, "max-attempts", 0, "attempts per AWS call, retries included (default 8)")
	f.Float64Var(&o.rateScale, "rate-scale", 1, "multiply sagekey's per-account, per-operation request rates")
}

// window parses --from/--to as kpi does.
func (o *trailOptions) window(now time.Time) (trailscan.Window, error) {
	to := now.UTC()
	if o.to != "" {
		t, err := parseTime(o.to, now)
		if err != nil {
			return trailscan.Window{}, usagef("--to: %v", err)
		}
		to = t
	}
	from, err := parseTime(o.from, to)
	if err != nil {
		return trailscan.Window{}, usagef("--from: %v", err)
	}
	if from.After(to) {
		return trailscan.Window{}, usagef("--from %s is after --to %s", from.Format(time.RFC3339), to.Format(time.RFC3339))
	}
	return trailscan.Window{From: from, To: to, Accounts: o.accounts, Regions: o.regions}, nil
}

func runTrail(ctx context.Context, o *trailOptions, e Env) error {
	writer, err := trailreport.Lookup(o.format)
	if err != nil {
		return usageError{err}
	}
	if err := o.source.validate(); err != nil {
		return err
	}
	if o.org && len(o.accounts) > 0 {
		return usagef("--org and --accounts cannot be combined")
	}
	if err := awsclient.ValidateAccounts(awsclient.AccountsOptions{IDs: o.accounts}); err != nil {
		return usageError{err}
	}
	if o.aws.rateScale <= 0 {
		return usagef("--rate-scale must be positive")
	}
	w, err := o.window(e.Now())
	if err != nil {
		return err
	}
	if o.source.printSQL {
		return o.printSQL(ctx, e, w)
	}

	// The latest stored scan says which keys protect SageMaker data; with
	// --no-store it is still read when there is a store, and nothing is
	// written (nor a store created).
	var st *store.Store
	if !o.db.noStore || o.db.exists() {
		if st, err = o.db.open(ctx); err != nil {
			return err
		}
		defer st.Close()
	}
	var estate trailscan.Estate
	if st != nil {
		if estate, err = trailscan.LatestEstate(ctx, st); err != nil {
			return fmt.Errorf("reading the latest stored scan: %w", err)
		}
	}
	if estate.RunID == 0 {
		slog.Warn("no stored scan: KMS denials are recognised only when made through SageMaker, and key events not at all; run sagekey scan first")
	}

	session, res, runErr := o.read(ctx, e, w, st, estate)
	if res == nil {
		return runErr
	}
	rep, err := o.report(ctx, st, session, res, estate)
	if err != nil {
		return errors.Join(runErr, err)
	}
	if err := writeOutput(o.output, e.Stdout, func(w io.Writer) error { return writer(w, rep) }); err != nil {
		return errors.Join(runErr, err)
	}
	if runErr != nil {
		return runErr
	}
	if res.Incomplete() {
		return fmt.Errorf("%w: %d gaps, %d problems (see the report)", errTrailIncomplete, len(res.Gaps), len(res.Problems))
	}
	return nil
}

// read reads the trail for window w, judged against estate, and stores
// what it read unless --no-store. A nil result means nothing was read.
func (o *trailOptions) read(ctx context.Context, e Env, w trailscan.Window, st *store.Store, estate trailscan.Estate) (*trailSession, *trailscan.Result, error) {
	session, err := o.newSession(ctx, e, w)
	if err != nil {
		return nil, nil, err
	}
	src, err := session.source(ctx, o)
	if err != nil {
		return nil, nil, err
	}
	opts := trailscan.Options{Window: session.window, Estate: estate, Guardrails: session.guardrails(ctx, o), Concurrency: o.concurrency}
	if !o.db.noStore {
		opts.Store = st
	}
	res, err := trailscan.Run(ctx, src, opts)
	return session, res, err
}

// report assembles the trail report: the window's aggregates on covered
// days, with the blast radius of each key and the request-cost estimate of
// the KPIs.
func (o *trailOptions) report(ctx context.Context, st *store.Store, s *trailSession, res *trailscan.Result, estate trailscan.Estate) (*trailreport.Report, error) {
	agg := res.Aggregates
	cov := res.Coverage
	if o.db.noStore {
		cov = res.Coverage
	}
	in := trailreport.Input{
		Source: res.Source, From: s.window.From, To: s.window.To, Aggregates: agg.Covered(cov), Coverage: cov,
		Stats: trailreport.ReadStats(res.Stats), Problems: res.Problems, Protects: estate.Protects,
		KeyAccess: estate.KeyAccess, APICalls: s.apiCalls(),
	}
	in.Gaps = res.Gaps
	if !o.db.noStore {
		k, err := kpi.Compute(ctx, st, kpi.Options{From: s.window.From, To: s.window.To})
		if err != nil {
			return nil, err
		}
		if r := k.Cost.Requests; r != nil {
			usd := r.MonthlyUSD
			in.RequestsMonthlyUSD, in.RequestsBasis = &usd, r.Basis
		}
	}
	return trailreport.Build(in), nil
}

// printSQL writes the Athena DDL and queries without running them.
func (o *trailOptions) printSQL(ctx context.Context, e Env, w trailscan.Window) error {
	s, err := o.newSession(ctx, e, w)
	if err != nil {
		return err
	}
	table, err := s.athenaTable(ctx, o)
	if err != nil {
		return err
	}
	return writeOutput(o.output, e.Stdout, func(out io.Writer) error { return athena.PrintSQL(out, table, w.Filter()) })
}
