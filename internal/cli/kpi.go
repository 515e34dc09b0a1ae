package cli

import (
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/sagekey/sagekey/internal/kpi"
	"github.com/sagekey/sagekey/internal/term"
)

type kpiOptions struct {
	db            dbOptions
	format        string
	output        string
	from, to      string
	by            string
	trend         string
	costCenterTag string
}

func newKPICommand(e Env) *cobra.Command {
	o := &kpiOptions{}
	cmd := &cobra.Command{
		Use:   "kpi",
		Short: "Report compliance %, MTTR, open and new violations, key hygiene and KMS cost from stored scans",
		Long: "kpi computes, from the stored scan history: percent of resources compliant with the CMK policy " +
			"(PASS / (PASS + FAIL) of the <kind>.cmk checks; ERROR and MUTED apart) and its trend; mean and median " +
			"time to remediate violations resolved in the window; the age of open violations; new violations per " +
			"week; customer-managed keys, keys without rotation or pending deletion; and the monthly KMS key cost " +
			"by cost center. From stored CloudTrail aggregates (sagekey trail) it adds KMS access denials, " +
			"violations blocked by an explicit deny, and KMS request charges, counted only on the days whose " +
			"trail was read (null when none was). The table format is a page for reading, in colour on a " +
			"terminal (not with NO_COLOR or -o FILE) and wrapped to its width; csv has every figure in long form.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			writer, err := kpi.Lookup(o.format, o.drawing(e.Stdout))
			if err != nil {
				return usageError{err}
			}
			opts, err := o.options(e.Now())
			if err != nil {
				return err
			}
			st, err := o.db.open(cmd.Context())
			if err != nil {
				return err
			}
			defer st.Close()
			rep, err := kpi.Compute(cmd.Context(), st, opts)
			if err != nil {
				return err
			}
			return writeOutput(o.output, e.Stdout, func(w io.Writer) error { return writer(w, rep) })
		},
	}
	f := cmd.Flags()
	o.db.register(f, "")
	f.StringVar(&o.format, "format", "table", "output format: table (a page for reading), json or csv (every figure, long form)")
	f.StringVarP(&o.output, "output", "o", "", "write to FILE instead of stdout")
	f.StringVar(&o.from, "from", "30d", "window start: a duration back from --to (30d, 12w) or a date / RFC 3339 time")
	f.StringVar(&o.to, "to", "", "window end (default now): a duration back from now or a date / RFC 3339 time")
	f.StringVar(&o.by, "by", "", "group by kind, account, region or tag:<key> (e.g. tag:team); CloudTrail denials "+
		"group by their key's tag (kind: n/a), blocked requests by the kind they create (tag: n/a)")
	f.StringVar(&o.trend, "trend", kpi.TrendRun, "compliance trend points: run (each scan) or day (end of each day with a scan)")
	f.StringVar(&o.costCenterTag, "cost-center-tag", "cost-center", "tag key naming the cost center of a key or resource")
	return cmd
}

func (o *kpiOptions) options(now time.Time) (kpi.Options, error) {
	to := now.UTC()
	if o.to != "" {
		t, err := parseTime(o.to, now)
		if err != nil {
			return kpi.Options{}, usagef("--to: %v", err)
		}
		to = t
	}
	from, err := parseTime(o.from, to)
	if err != nil {
		return kpi.Options{}, usagef("--from: %v", err)
	}
	if from.After(to) {
		return kpi.Options{}, usagef("--from %s is after --to %s", from.Format(time.RFC3339), to.Format(time.RFC3339))
	}
	switch {
	case o.by == "", o.by == "kind", o.by == "account", o.by == "region":
	case strings.HasPrefix(o.by, "tag:") && len(o.by) > len("tag:"):
	default:
		return kpi.Options{}, usagef("--by: %q (want kind, account, region or tag:<key>)", o.by)
	}
	if o.trend != kpi.TrendRun && o.trend != kpi.TrendDay {
		return kpi.Options{}, usagef("--trend: %q (want run or day)", o.trend)
	}
	return kpi.Options{From: from, To: to, By: o.by, Trend: o.trend, CostCenterTag: o.costCenterTag}, nil
}

// drawing is how the table page is drawn: colour and wrapping follow the
// terminal on stdout, while a file written with -o stays plain and
// unwrapped whatever the terminal the command ran in.
func (o *kpiOptions) drawing(stdout io.Writer) term.Options {
	if o.output != "" {
		return term.Options{}
	}
	return term.Detect(stdout, os.Getenv)
}
