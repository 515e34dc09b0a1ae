package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/sagekey/sagekey/internal/checkdoc"
)

func newChecksCommand(stdout io.Writer) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "checks",
		Short: "List every check with its kind, severity, key slots, rationale and remediation",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			checks := checkdoc.Checks()
			switch format {
			case "json":
				enc := json.NewEncoder(stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(map[string]any{"schema": "sagekey.checks/v1", "checks": checks})
			case "table":
				return writeChecksTable(stdout, checks)
			}
			return usagef("unknown format %q (want table or json)", format)
		},
	}
	cmd.Flags().StringVar(&format, "format", "table", "output format: table or json")
	return cmd
}

func writeChecksTable(w io.Writer, checks []checkdoc.Check) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CHECK\tKIND\tSEVERITY\tSLOTS\tTITLE")
	for _, c := range checks {
		slots := make([]string, len(c.Slots))
		for i, s := range c.Slots {
			slots[i] = s.ID
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", c.ID, c.Kind, c.Severity, dashIfEmpty(strings.Join(slots, ",")), c.Title)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "\n%d checks. Rationale and remediation: sagekey checks --format json, or docs/checks/<id>.md.\n", len(checks))
	return err
}

func dashIfEmpty(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
