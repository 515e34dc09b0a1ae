package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
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
	return streamJSON(w, doc)
}

// streamJSON writes doc as EncodeJSON would, but encodes the findings one
// at a time: a scan of a large job history has hundreds of thousands, and
// encoding the whole document at once would hold a second copy of all of
// them in memory.
func streamJSON(w io.Writer, doc jsonReport) error {
	findings := doc.Findings
	doc.Findings = []finding.Finding{}
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
	if len(findings) == 0 {
		bw.WriteString(emptyTail)
		return bw.Flush()
	}
	bw.WriteString("\"findings\": [\n")
	var item bytes.Buffer
	enc := json.NewEncoder(&item)
	enc.SetIndent("    ", "  ")
	enc.SetEscapeHTML(false)
	for i, f := range findings {
		item.Reset()
		if err := enc.Encode(f); err != nil {
			return err
		}
		bw.WriteString("    ")
		bw.Write(bytes.TrimSuffix(item.Bytes(), []byte("\n")))
		if i < len(findings)-1 {
			bw.WriteString(",")
		}
		if _, err := bw.WriteString("\n"); err != nil {
			return err // the underlying writer failed; stop early
		}
	}
	bw.WriteString("  ]\n}\n")
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
