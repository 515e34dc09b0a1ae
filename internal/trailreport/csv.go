package trailreport

import (
	"encoding/csv"
	"io"
	"strconv"
	"time"

	"github.com/sagekey/sagekey/internal/report"
)

// CSVHeader returns the columns of WriteCSV, in order (a fresh slice each
// call).
func CSVHeader() []string {
	return []string{"section", "day", "account", "region", "key_or_action", "principal", "operation", "via", "policy", "count", "key_access"}
}

// CSV sections, one per kind of row.
const (
	SectionDenial   = "denial"
	SectionBlocked  = "blocked"
	SectionRequest  = "request"
	SectionKeyEvent = "key_event"
	SectionCreator  = "creator"
)

// WriteCSV writes one row per group (denials, blocked violations, KMS
// requests, each per day) and one per key event and creator, so a
// spreadsheet can pivot the trail without unpacking nested values. What
// each column holds in each section is in docs/trail.md. Every cell passes
// through report.CSVSafe: principals, keys named by a request and user
// agents are written by whoever made the call.
func WriteCSV(w io.Writer, r *Report) error {
	cw := csv.NewWriter(w)
	write := func(row ...string) {
		for i := range row {
			row[i] = report.CSVSafe(row[i])
		}
		_ = cw.Write(row) // a write error sticks and is returned by Error
	}
	write(CSVHeader()...)
	n := func(c int64) string { return strconv.FormatInt(c, 10) }
	for _, d := range r.Denials.Groups {
		write(SectionDenial, day(d.Day), d.Account, d.Region, d.KeyARN, d.Principal, d.Operation, d.Via, d.Policy, n(d.Count),
			d.KeyAccess.Note())
	}
	for _, b := range r.Blocked.Groups {
		write(SectionBlocked, day(b.Day), b.Account, b.Region, b.Action, b.Principal, "", b.Guardrail, policyText(b), n(b.Count), "")
	}
	for _, q := range r.Requests.Groups {
		write(SectionRequest, day(q.Day), q.Account, q.Region, q.KeyARN, "", q.Operation, "sagemaker", "", n(q.Count), "")
	}
	for _, e := range r.KeyEvents {
		write(SectionKeyEvent, day(e.Time), e.Account, e.Region, e.KeyARN, e.Principal, e.Action, e.Tool, "", "1", "")
	}
	for _, c := range r.Creators {
		write(SectionCreator, day(c.Time), c.Account, c.Region, c.ResourceARN, c.Principal, c.Action, c.Tool, "", "1", "")
	}
	cw.Flush()
	return cw.Error()
}

func day(t time.Time) string { return t.UTC().Format(time.DateOnly) }
