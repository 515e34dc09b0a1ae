package cli

import (
	"context"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/sagekey/sagekey/internal/kpi"
	"github.com/sagekey/sagekey/internal/report"
	"github.com/sagekey/sagekey/internal/store"
)

// reportOptions binds the report command's flags.
type reportOptions struct {
	db          dbOptions
	run         int64
	format      string
	output      string
	table       tableFlags
	configPath  string
	securityHub securityHubOptions
}

func newReportCommand(e Env) *cobra.Command {
	o := &reportOptions{}
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Write a stored scan in any report format (HTML, SARIF, ASFF, OCSF, CSV, JUnit, JSON, table)",
		Long: "report renders a stored scan (the latest, or --run N) without calling AWS: the snapshot the scan " +
			"took is evaluated again with the checks that scan ran, under today's suppressions, and written in " +
			"the chosen format. The HTML report charts compliance over every stored scan up to that one.\n\n" +
			"With --format asff --import, the findings are also sent to AWS Security Hub.\n\n" +
			"Exit status: 0 written, 1 runtime error (or findings Security Hub refused), 2 usage error.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runReport(cmd.Context(), o, e) },
	}
	f := cmd.Flags()
	o.db.register(f, "")
	f.Int64Var(&o.run, "run", 0, "stored scan to report (default: the latest; see sagekey history)")
	f.StringVar(&o.format, "format", "html", "output format: "+report.FormatList())
	f.StringVarP(&o.output, "output", "o", "", "write the report to FILE instead of stdout")
	o.table.register(f)
	f.StringVar(&o.configPath, "config", "", "configuration file with suppressions (default: ./sagekey.yaml if present)")
	o.securityHub.register(f)
	return cmd
}

func runReport(ctx context.Context, o *reportOptions, e Env) error {
	writer, err := o.table.writer(o.format, o.output, e.Stdout)
	if err != nil {
		return err
	}
	if err := o.securityHub.validate(o.format); err != nil {
		return err
	}
	st, scanned, err := openStoredScan(ctx, o.db, o.run, o.configPath, e)
	if err != nil {
		return err
	}
	defer st.Close()
	rep := scanned.Report()
	if err := addHistoryTo(ctx, st, o.format, rep, scanned.trendTo()); err != nil {
		return err
	}
	if err := writeOutput(o.output, e.Stdout, func(w io.Writer) error { return writer(w, rep) }); err != nil {
		return err
	}
	return o.securityHub.importFindings(ctx, e, rep)
}

// addHistory gives a format the history it shows: the compliance of every
// stored scan up to this one (the HTML chart) and when each finding was
// first seen and has been failing since (ASFF, OCSF, HTML). Other formats
// skip the reads.
func addHistory(ctx context.Context, st *store.Store, format string, rep *report.Report) error {
	return addHistoryTo(ctx, st, format, rep, rep.Started)
}

// addHistoryTo is addHistory with the trend running up to trendTo: a
// sweep's shards start after the sweep does, and its point needs them all.
func addHistoryTo(ctx context.Context, st *store.Store, format string, rep *report.Report, trendTo time.Time) error {
	need := report.NeedsHistory(format)
	// Every format names the creator of a failing resource; the HTML report
	// also shows key lifecycle events and the monthly CloudTrail KPIs.
	facts, err := storedTrail(ctx, st, rep.Findings, rep.Started, need.Trend)
	if err != nil {
		return err
	}
	rep.Trail = facts
	if need.Trend {
		trend, err := kpi.RunTrend(ctx, st, trendTo)
		if err != nil {
			return err
		}
		rep.Trend = trend
	}
	if !need.Findings {
		return nil
	}
	states, err := st.States(ctx)
	if err != nil {
		return err
	}
	wanted := make(map[string]bool, rep.Findings.Len())
	for _, f := range rep.Findings.All() {
		wanted[report.FindingID(f)] = true
	}
	rep.History = make(map[string]report.FindingHistory, rep.Findings.Len())
	for _, s := range states {
		if wanted[s.Fingerprint] {
			rep.History[s.Fingerprint] = report.FindingHistory{FirstSeen: s.FirstSeen, FailingSince: s.OpenedAt}
		}
	}
	return nil
}
