// Package report turns a scan result into the formats people and tools read.
// Writers are pure functions of (io.Writer, *Report); they never import the
// CLI, so they are tested with golden files.
package report

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/sagekey/sagekey/internal/compliance"
	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/inventory"
)

// Schema is the version of the JSON contract documented in the README.
const Schema = "sagekey.scan/v1"

// Report is one scan's result.
type Report struct {
	Started  time.Time
	Finished time.Time
	Accounts []string
	Regions  []string
	// Since is the start of the job-history window; zero means all history.
	Since time.Time
	// RunID is the id the scan was stored under; zero when not stored.
	RunID    int64
	Gaps     []inventory.Gap
	Findings []finding.Finding
	// APICalls are the calls made, by operation, sorted.
	APICalls []OperationCalls
	// Trend is overall compliance after each stored scan, oldest first,
	// when history is available (the HTML report charts it).
	Trend []compliance.Point
}

// Counts tallies findings by status.
func (r *Report) Counts() map[finding.Status]int {
	c := map[finding.Status]int{}
	for _, f := range r.Findings {
		c[f.Status]++
	}
	return c
}

// Writer writes a report in one format.
type Writer func(w io.Writer, r *Report) error

// formats are the writers by name. Every one is a pure function of the
// report, so a stored scan renders exactly like a live one.
var formats = map[string]Writer{
	"table": WriteTable,
	"json":  WriteJSON,
	"html":  WriteHTML,
	"sarif": WriteSARIF,
	"asff":  WriteASFF,
	"ocsf":  WriteOCSF,
	"csv":   WriteCSV,
	"junit": WriteJUnit,
}

// FormatList names the formats for help and error messages.
func FormatList() string { return strings.Join(sortedKeys(formats), ", ") }

// ChartsHistory reports whether a format shows the compliance trend, so
// callers read the history only when it is shown.
func ChartsHistory(format string) bool { return format == "html" }

// Lookup returns the writer of a format.
func Lookup(format string) (Writer, error) {
	if w, ok := formats[format]; ok {
		return w, nil
	}
	return nil, fmt.Errorf("unknown format %q (want one of %s)", format, FormatList())
}
