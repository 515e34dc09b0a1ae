package report

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
)

// OperationCalls is what one API operation cost the scan: calls the code
// made (one per page), further attempts the retryer made, and how many
// attempts were throttled.
type OperationCalls struct {
	Operation string `json:"operation"` // "sagemaker:Search"
	Calls     int64  `json:"calls"`
	Retries   int64  `json:"retries"`
	Throttles int64  `json:"throttles"`
}

// APICalls is the scan's cost in API calls, the figure sagekey is built to
// keep close to the minimum.
type APICalls struct {
	Total      int64            `json:"total"`
	Retries    int64            `json:"retries"`
	Throttles  int64            `json:"throttles"`
	Operations []OperationCalls `json:"operations"`
	// Notes say why a cheaper way of reading was not used (tags read with
	// ListTags because tag:GetResources was denied, say): the scan is
	// complete, only dearer.
	Notes []string `json:"notes,omitempty"`
}

// Calls totals r's operations.
func (r *Report) Calls() APICalls {
	out := APICalls{Operations: r.APICalls, Notes: r.APICallNotes}
	if out.Operations == nil {
		out.Operations = []OperationCalls{}
	}
	for _, op := range r.APICalls {
		out.Total += op.Calls
		out.Retries += op.Retries
		out.Throttles += op.Throttles
	}
	return out
}

// writeCallsLine writes the table footer's API-call summary: the total and
// the five costliest operations.
func writeCallsLine(w io.Writer, r *Report) {
	c := r.Calls()
	if c.Total == 0 {
		return
	}
	ops := slices.Clone(c.Operations)
	slices.SortStableFunc(ops, func(a, b OperationCalls) int { return cmp.Compare(b.Calls, a.Calls) })
	var top []string
	for _, op := range ops[:min(5, len(ops))] {
		top = append(top, fmt.Sprintf("%s %d", op.Operation, op.Calls))
	}
	fmt.Fprintf(w, "API calls: %d (%d retries, %d throttled); most: %s.\n", c.Total, c.Retries, c.Throttles, strings.Join(top, ", "))
}
