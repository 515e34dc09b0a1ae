package report

import (
	"encoding/csv"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sagekey/sagekey/internal/finding"
)

// CSVHeader names the columns of WriteCSV, in order.
var CSVHeader = []string{
	"run_id", "scan_started", "account", "region", "kind", "resource_name", "resource_arn",
	"check_id", "status", "severity", "message", "slot", "slot_status", "key_ref", "key_arn",
	"key_manager", "key_state", "slot_reason", "suppression_reason", "suppression_expires",
	"remediation", "tags",
}

// CSVTrailHeader names the columns WriteCSV adds after CSVHeader when the
// report carries CloudTrail facts: who created the resource of a failing
// finding, when, and with what tool. They are left out without trail data,
// so existing consumers see the same file, and added at the end, so no
// column moves.
var CSVTrailHeader = []string{"created_by", "created_at", "created_with"}

// WriteCSV writes one row per key slot of each finding (one row with empty
// slot columns when a finding has no slots), so a spreadsheet can filter
// by key or slot without unpacking nested values.
func WriteCSV(w io.Writer, r *Report) error {
	cw := csv.NewWriter(w)
	withTrail := r.Trail != nil
	withLocation := hasLocations(r.Findings)
	header := CSVHeader
	if withTrail {
		header = slices.Concat(CSVHeader, CSVTrailHeader)
	}
	if withLocation {
		header = slices.Concat(header, CSVLocationHeader)
	}
	_ = cw.Write(header) // a write error sticks and is returned by Error
	runID, started := "", r.Started.UTC().Format(time.RFC3339)
	if r.RunID != 0 {
		runID = strconv.FormatInt(r.RunID, 10)
	}
	for _, f := range r.Findings.All() {
		head := []string{runID, started, f.Resource.Account, f.Resource.Region, f.Resource.Kind,
			f.Resource.Name, f.Resource.ARN, f.CheckID, string(f.Status), f.Severity.String(), f.Message}
		var supReason, supExpires string
		if s := f.Suppression; s != nil {
			supReason = s.Reason
			if !s.Expires.IsZero() {
				supExpires = s.Expires.UTC().Format(time.RFC3339)
			}
		}
		tail := []string{supReason, supExpires, f.Remediation, joinTags(f.Resource.Tags, CSVSafe)}
		if withTrail {
			var by, at, with string
			if c, ok := r.creatorShown(f); ok {
				by, at, with = c.Principal, stamp(c.Time), c.Tool
			}
			tail = append(tail, by, at, with)
		}
		if withLocation {
			tail = append(tail, csvLocation(f)...)
		}
		slots := f.Slots
		if len(slots) == 0 {
			slots = []finding.Slot{{}}
		}
		for _, s := range slots {
			row := slices.Concat(head, []string{s.Name, string(s.Status), s.KeyRef, s.KeyARN,
				s.KeyManager, s.KeyState, s.Reason}, tail)
			for i := range row {
				// Every cell, not only tags: names, messages and reasons
				// all carry text from AWS or the configuration.
				row[i] = CSVSafe(row[i])
			}
			if err := cw.Write(row); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// joinTags writes tags as k=v;k=v sorted by key, one cell a person can read
// and a formula can split. Each key and value passes through quote: in a
// CSV cell a split-out value would otherwise become a formula of its own.
func joinTags(tags map[string]string, quote func(string) string) string {
	var b strings.Builder
	for i, k := range slices.Sorted(maps.Keys(tags)) {
		if i > 0 {
			b.WriteByte(';')
		}
		b.WriteString(quote(k) + "=" + quote(tags[k]))
	}
	return b.String()
}

// CSVSafe keeps a value that came from AWS (a name, a tag) from being run
// as a formula when the CSV is opened in a spreadsheet: a cell starting
// with one of = + - @ tab or CR gets a leading quote, which spreadsheets
// show as text.
func CSVSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
