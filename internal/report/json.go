package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"time"

	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/inventory"
)

type jsonReport struct {
	Schema   string         `json:"schema"`
	Scan     jsonScan       `json:"scan"`
	Summary  map[string]int `json:"summary"`
	Findings []jsonFinding  `json:"findings"`
}

// jsonFinding is a finding as the JSON report writes it: the finding's own
// fields, then what CloudTrail adds. created_by is omitted when unknown, so
// the contract only grows and a report without trail data is unchanged.
type jsonFinding struct {
	finding.Finding
	CreatedBy *jsonCreator `json:"created_by,omitempty"`
}

type jsonScan struct {
	Started  string   `json:"started"`
	Finished string   `json:"finished"`
	Accounts []string `json:"accounts"`
	Regions  []string `json:"regions"`
	// Since is the start of the job-history window (--since), when set.
	Since string `json:"since,omitempty"`
	// RunID is the stored run (sagekey history), when stored.
	RunID int64 `json:"run_id,omitempty"`
	// ToolVersion is the sagekey version that scanned, as stored with the
	// run and printed by sagekey --version.
	ToolVersion string `json:"tool_version,omitempty"`
	// Files are the configuration files sagekey iac read; absent for a
	// live scan.
	Files []string `json:"files,omitempty"`
	// Drift is where the code and the stored scan disagree (sagekey iac
	// --compare-scan); absent otherwise.
	Drift []Drift         `json:"drift,omitempty"`
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
		Findings: []jsonFinding{},
	}
	if !r.Since.IsZero() {
		doc.Scan.Since = r.Since.UTC().Format(time.RFC3339)
	}
	doc.Scan.RunID, doc.Scan.ToolVersion, doc.Scan.Files, doc.Scan.Drift = r.RunID, r.ToolVersion, r.Files, r.Drift
	if doc.Scan.Gaps == nil {
		doc.Scan.Gaps = []inventory.Gap{}
	}
	for s, n := range r.Counts() {
		doc.Summary[string(s)] = n
	}
	return streamJSON(w, doc, func(yield func(jsonFinding) bool) {
		for _, f := range r.Findings.All() {
			jf := jsonFinding{Finding: f}
			if c, ok := r.creatorShown(f); ok {
				jf.CreatedBy = newJSONCreator(c)
			}
			if !yield(jf) {
				return
			}
		}
	})
}

// streamJSON writes doc with findings as EncodeJSON would, but encodes the
// findings one at a time: a scan of a large job history has hundreds of
// thousands, and encoding the whole document at once would hold a second
// copy of all of them in memory.
func streamJSON(w io.Writer, doc jsonReport, findings iter.Seq[jsonFinding]) error {
	doc.Findings = []jsonFinding{}
	var head bytes.Buffer
	if err := EncodeJSON(&head, doc); err != nil {
		return err
	}
	// The document ends with the empty findings list; the findings go
	// between its brackets.
	const emptyTail = "\"findings\": []\n}\n"
	prefix, ok := bytes.CutSuffix(head.Bytes(), []byte(emptyTail))
	if !ok {
		return fmt.Errorf("report: unexpected JSON layout")
	}
	bw := bufio.NewWriter(w)
	bw.Write(prefix)
	var item bytes.Buffer
	enc := json.NewEncoder(&item)
	enc.SetIndent("    ", "  ")
	enc.SetEscapeHTML(false)
	n := 0
	for f := range findings {
		item.Reset()
		if err := enc.Encode(f); err != nil {
			return err
		}
		sep := ",\n    "
		if n == 0 {
			sep = "\"findings\": [\n    "
		}
		bw.WriteString(sep)
		if _, err := bw.Write(bytes.TrimSuffix(item.Bytes(), []byte("\n"))); err != nil {
			return err // the underlying writer failed; stop early
		}
		n++
	}
	if n == 0 {
		bw.WriteString(emptyTail)
	} else {
		bw.WriteString("\n  ]\n}\n")
	}
	return bw.Flush()
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
