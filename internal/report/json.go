package report

import (
	"encoding/json"
	"io"
	"time"

	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/inventory"
)

type jsonReport struct {
	Schema   string            `json:"schema"`
	Scan     jsonScan          `json:"scan"`
	Summary  map[string]int    `json:"summary"`
	Findings []finding.Finding `json:"findings"`
}

type jsonScan struct {
	Started  string   `json:"started"`
	Finished string   `json:"finished"`
	Accounts []string `json:"accounts"`
	Regions  []string `json:"regions"`
	// Since is the start of the job-history window (--since), when set.
	Since string `json:"since,omitempty"`
	// RunID is the stored run (sagekey history), when stored.
	RunID int64           `json:"run_id,omitempty"`
	Gaps  []inventory.Gap `json:"gaps"`
	// APICalls is what the scan cost in AWS API calls.
	APICalls APICalls `json:"api_calls"`
}

// WriteJSON writes the sagekey.scan/v1 document (see README).
func WriteJSON(w io.Writer, r *Report) error {
	doc := jsonReport{
		Schema: Schema,
		Scan: jsonScan{
			Started: r.Started.UTC().Format(time.RFC3339), Finished: r.Finished.UTC().Format(time.RFC3339),
			Accounts: nonNil(r.Accounts), Regions: nonNil(r.Regions), Gaps: r.Gaps,
			APICalls: r.Calls(),
		},
		Summary:  map[string]int{},
		Findings: r.Findings,
	}
	if !r.Since.IsZero() {
		doc.Scan.Since = r.Since.UTC().Format(time.RFC3339)
	}
	doc.Scan.RunID = r.RunID
	if doc.Scan.Gaps == nil {
		doc.Scan.Gaps = []inventory.Gap{}
	}
	if doc.Findings == nil {
		doc.Findings = []finding.Finding{}
	}
	for s, n := range r.Counts() {
		doc.Summary[string(s)] = n
	}
	return EncodeJSON(w, doc)
}

// EncodeJSON writes v as indented JSON, leaving <, > and & as they are: the
// documents are read by people and tools, not embedded in HTML (the HTML
// report escapes for itself).
func EncodeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
