package cli

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/report"
)

type historyOptions struct {
	db     dbOptions
	format string
}

func newHistoryCommand(e Env) *cobra.Command {
	o := &historyOptions{}
	cmd := &cobra.Command{
		Use:   "history",
		Short: "List stored scans, oldest first",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := tableOrJSON(o.format); err != nil {
				return err
			}
			st, err := o.db.open(cmd.Context())
			if err != nil {
				return err
			}
			defer st.Close()
			runs, err := st.Runs(cmd.Context())
			if err != nil {
				return err
			}
			// A sweep's shard runs are one scan, so one row.
			rows := historyRows(runs)
			var buf bytes.Buffer
			if o.format == "json" {
				err = writeRunsJSON(&buf, rows)
			} else {
				err = writeRunsTable(&buf, rows)
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

func writeRunsJSON(w *bytes.Buffer, runs []historyRow) error {
	return report.EncodeJSON(w, map[string]any{"schema": "sagekey.history/v1", "runs": runs})
}

// tableOrJSON checks the --format of the commands that write either.
func tableOrJSON(format string) error {
	if format != "table" && format != "json" {
		return usagef("--format: unknown format %q (want table or json)", format)
	}
	return nil
}

func writeRunsTable(w *bytes.Buffer, runs []historyRow) error {
	if len(runs) == 0 {
		_, err := fmt.Fprintln(w, "No stored scans yet: run sagekey scan.")
		return err
	}
	// The sweep columns appear only when a sweep is stored, so a history
	// of unsharded scans reads as it always did.
	sweeps := slices.ContainsFunc(runs, func(r historyRow) bool { return r.Sweep != nil })
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	header := "RUN\tSTARTED\tDURATION\tACCOUNTS\tREGIONS\tSINCE\tFAIL\tERROR\tMUTED\tPASS\tN/A\tGAPS\tBY"
	if sweeps {
		header += "\tSWEEP\tSHARDS"
	}
	fmt.Fprintln(tw, header)
	for _, r := range runs {
		since := "-"
		if !r.Scope.Since.IsZero() {
			since = r.Scope.Since.UTC().Format(time.DateOnly)
		}
		c := r.Counts
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d\t%s", r.runCell(), r.Started.UTC().Format(time.RFC3339),
			r.Finished.Sub(r.Started).Round(time.Second), strings.Join(r.Scope.Accounts, ","), strings.Join(r.Scope.Regions, ","),
			since, c[finding.Fail], c[finding.Error], c[finding.Muted], c[finding.Pass], c[finding.NotApplicable], r.Gaps,
			report.OneLine(r.Principal))
		if sweeps {
			sweep := "-"
			if r.Sweep != nil {
				sweep = report.OneLine(r.Sweep.ID)
			}
			fmt.Fprintf(tw, "\t%s\t%s", sweep, r.shardsCell())
		}
		fmt.Fprintln(tw)
	}
	return tw.Flush()
}
