package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/sagekey/sagekey/internal/history"
	"github.com/sagekey/sagekey/internal/report"
	"github.com/sagekey/sagekey/internal/store"
)

type diffOptions struct {
	db     dbOptions
	format string
}

func newDiffCommand(e Env) *cobra.Command {
	o := &diffOptions{}
	cmd := &cobra.Command{
		Use:   "diff [RUN_A] [RUN_B]",
		Short: "Show new, resolved and changed findings between two stored scans (default: the last two)",
		Long: "diff compares two stored scans. With no argument it compares the last two; with one, that run " +
			"and the latest. A finding missing from the later scan is resolved as deleted only if that scan " +
			"covered it; otherwise it is listed as unverified.",
		Args: cobra.MaximumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := tableOrJSON(o.format); err != nil {
				return err
			}
			st, err := o.db.open(cmd.Context())
			if err != nil {
				return err
			}
			defer st.Close()
			a, b, err := pickRuns(cmd.Context(), st, args)
			if err != nil {
				return err
			}
			d, err := diffRuns(cmd.Context(), st, a, b)
			if err != nil {
				return err
			}
			var buf bytes.Buffer
			if o.format == "json" {
				err = report.EncodeJSON(&buf, map[string]any{"schema": "sagekey.diff/v1", "from_run": a.ID, "to_run": b.ID, "diff": d})
			} else {
				err = writeDiffTable(&buf, a, b, d)
			}
			if err != nil {
				return err
			}
			_, err = e.Stdout.Write(buf.Bytes())
			return err
		},
	}
	o.db.register(cmd.Flags(), "")
	cmd.Flags().StringVar(&o.format, "format", "table", "output format: table or json")
	return cmd
}

// pickRuns resolves the diff arguments to two stored runs.
func pickRuns(ctx context.Context, st *store.Store, args []string) (store.Run, store.Run, error) {
	ids := make([]int64, len(args))
	for i, a := range args {
		id, err := strconv.ParseInt(a, 10, 64)
		if err != nil || id <= 0 {
			return store.Run{}, store.Run{}, usagef("run %q: want a run number from sagekey history", a)
		}
		ids[i] = id
	}
	if len(ids) < 2 {
		// Fill in from the newest: the last two, or the given one and the latest.
		runs, err := st.Runs(ctx)
		if err != nil {
			return store.Run{}, store.Run{}, err
		}
		if len(runs) < 2-len(ids) {
			return store.Run{}, store.Run{}, fmt.Errorf("diff needs two stored scans; %d stored", len(runs))
		}
		if len(ids) == 0 {
			ids = append(ids, runs[len(runs)-2].ID)
		}
		ids = append(ids, runs[len(runs)-1].ID)
	}
	a, err := st.Run(ctx, ids[0])
	if err != nil {
		return store.Run{}, store.Run{}, err
	}
	b, err := st.Run(ctx, ids[1])
	return a, b, err
}

func diffRuns(ctx context.Context, st *store.Store, a, b store.Run) (history.Diff, error) {
	before, err := st.Observations(ctx, a.ID)
	if err != nil {
		return history.Diff{}, err
	}
	after, err := st.Observations(ctx, b.ID)
	if err != nil {
		return history.Diff{}, err
	}
	return history.Compare(before, after, b.Scope), nil
}

func writeDiffTable(w io.Writer, a, b store.Run, d history.Diff) error {
	fmt.Fprintf(w, "Run %d (%s) -> run %d (%s): %d new, %d resolved, %d changed, %d unverified.\n\n",
		a.ID, a.Started.UTC().Format("2006-01-02T15:04Z"), b.ID, b.Started.UTC().Format("2006-01-02T15:04Z"),
		len(d.New), len(d.Resolved), len(d.Changed), len(d.Unverified))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CHANGE\tCHECK\tRESOURCE\tREGION\tDETAIL")
	line := func(change string, o history.Observation, detail string) {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", change, o.CheckID, report.OneLine(o.ResourceARN), o.Region, report.OneLine(detail))
	}
	for _, o := range d.New {
		line("NEW", o, o.Severity.String()+": "+o.Message)
	}
	for _, r := range d.Resolved {
		line("RESOLVED", r.Observation, string(r.Resolution))
	}
	for _, c := range d.Changed {
		line("CHANGED", c.After, fmt.Sprintf("%s/%s -> %s/%s", c.Before.Status, c.Before.Severity, c.After.Status, c.After.Severity))
	}
	for _, o := range d.Unverified {
		line("UNVERIFIED", o, "not covered by the later scan (out of scope or not listed)")
	}
	return tw.Flush()
}
