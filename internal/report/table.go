package report

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/sagekey/sagekey/internal/finding"
)

// WriteTable writes one line per finding, failures first, then the scan
// scope, the status counts and every gap.
func WriteTable(w io.Writer, r *Report) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "STATUS\tSEVERITY\tCHECK\tRESOURCE\tREGION\tMESSAGE")
	for _, f := range r.Findings {
		msg := message(f)
		if c, ok := r.creatorShown(f); ok {
			// At the end of the last column: a line of its own would
			// break the table's alignment.
			msg += " | created by " + createdLine(c)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", f.Status, f.Severity, f.CheckID,
			OneLine(f.Resource.Kind+"/"+f.Resource.Name), f.Resource.Region, OneLine(msg))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	c := r.Counts()
	fmt.Fprintf(w, "\nScanned accounts %s, regions %s (%s).\n", strings.Join(r.Accounts, ","),
		strings.Join(r.Regions, ","), r.Finished.Sub(r.Started).Round(1e6))
	if !r.Since.IsZero() {
		fmt.Fprintf(w, "Job history limited to jobs created since %s (--since).\n", r.Since.UTC().Format(time.RFC3339))
	}
	if r.RunID != 0 {
		fmt.Fprintf(w, "Stored as run %d (see sagekey history, kpi, diff).\n", r.RunID)
	}
	writeCallsLine(w, r)
	fmt.Fprintf(w, "%d findings: %d FAIL, %d ERROR, %d MUTED, %d PASS, %d NOT_APPLICABLE.\n", len(r.Findings),
		c[finding.Fail], c[finding.Error], c[finding.Muted], c[finding.Pass], c[finding.NotApplicable])
	if len(r.Gaps) == 0 {
		_, err := fmt.Fprintln(w, "No gaps: every listed service was read.")
		return err
	}
	fmt.Fprintf(w, "INCOMPLETE: %d gaps (parts of the estate that could not be read):\n", len(r.Gaps))
	for _, g := range r.Gaps {
		fmt.Fprintf(w, "  - account %s region %s %s: %s\n", g.Account, g.Region, g.Service, OneLine(g.Reason))
	}
	return nil
}

func message(f finding.Finding) string {
	if f.Status == finding.Muted && f.Suppression != nil {
		return "muted: " + f.Suppression.Reason + " | " + f.Message
	}
	return f.Message
}

// OneLine keeps values that came from AWS (names, tags, messages) from
// breaking a line-oriented output with control characters.
func OneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}
