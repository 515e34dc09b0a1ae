// Package report turns a scan result into the formats people and tools read.
// Writers are pure functions of (io.Writer, *Report); they never import the
// CLI, so they are tested with golden files.
package report

import (
	"fmt"
	"io"
	"maps"
	"slices"
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
	RunID int64
	// ToolVersion is the sagekey version that scanned (version.String(),
	// stored with the run), so a report rendered later still names it.
	ToolVersion string
	Gaps        []inventory.Gap
	// Files are the configuration files sagekey iac read, as given; empty
	// for a live scan. The table names them, so a clean check of
	// infrastructure as code does not read as a scan of no account.
	Files    []string
	Findings finding.List
	// APICalls are the calls made, by operation, sorted.
	APICalls []OperationCalls
	// APICallNotes say why a cheaper way of reading was not used.
	APICallNotes []string
	// Trend is overall compliance after each stored scan, oldest first,
	// when history is available (the HTML report charts it).
	Trend []compliance.Point
	// History is what the store knows of each finding, by FindingID, when
	// the scan is stored: ASFF and OCSF carry it as first-observed times,
	// so a re-import keeps a finding's creation time, and the HTML report
	// says since when a violation has been open.
	History map[string]FindingHistory
	// Trail is what CloudTrail says about the estate (creators, key
	// lifecycle events, denials and blocked violations), when trail data is
	// stored; nil otherwise.
	Trail *TrailFacts
	// Drift is where infrastructure as code and the stored scan disagree
	// (`sagekey iac --compare-scan`); nil otherwise.
	Drift []Drift
}

// FindingHistory is when the store first saw a finding and, while it
// fails, since when.
type FindingHistory struct {
	FirstSeen    time.Time
	FailingSince time.Time
}

// historyOf returns f's history as of this scan: times after the scan
// started (a later scan's, when an old run is rendered) do not apply, and
// a finding the store never saw was first seen now.
func (r *Report) historyOf(f finding.Finding) FindingHistory {
	h := r.History[FindingID(f)]
	if h.FirstSeen.IsZero() || h.FirstSeen.After(r.Started) {
		h.FirstSeen = r.Started
	}
	if h.FailingSince.After(r.Started) || (f.Status != finding.Fail && f.Status != finding.Muted) {
		h.FailingSince = time.Time{}
	}
	return h
}

// Counts tallies findings by status.
func (r *Report) Counts() map[finding.Status]int {
	c := map[finding.Status]int{}
	for _, f := range r.Findings.All() {
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
func FormatList() string { return strings.Join(slices.Sorted(maps.Keys(formats)), ", ") }

// HistoryNeed says which history a format shows, so callers read only that
// from the store.
type HistoryNeed struct {
	Trend    bool // Report.Trend
	Findings bool // Report.History
}

// NeedsHistory returns what history format shows.
func NeedsHistory(format string) HistoryNeed {
	switch format {
	case "html":
		return HistoryNeed{Trend: true, Findings: true}
	case "asff", "ocsf", "table":
		// The table says since when each violation has been open.
		return HistoryNeed{Findings: true}
	}
	return HistoryNeed{}
}

// Lookup returns the writer of a format.
func Lookup(format string) (Writer, error) {
	if w, ok := formats[format]; ok {
		return w, nil
	}
	return nil, fmt.Errorf("unknown format %q (want one of %s)", format, FormatList())
}
