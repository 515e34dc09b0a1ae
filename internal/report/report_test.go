package report

import (
	"bytes"
	"encoding/json"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/sagekey/sagekey/internal/finding"
	goldenfile "github.com/sagekey/sagekey/internal/testutil/golden"
)

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	goldenfile.Check(t, name, got)
}

func TestGolden(t *testing.T) {
	for _, format := range []string{"table", "json"} {
		w, err := Lookup(format)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := w(&buf, fixture()); err != nil {
			t.Fatal(err)
		}
		golden(t, "report."+format, buf.Bytes())
	}
	if _, err := Lookup("xml"); err == nil {
		t.Error("unknown format accepted")
	}
}

func TestJSONContract(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	if err := WriteJSON(&buf, fixture()); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Schema string `json:"schema"`
		Scan   struct {
			Started, Finished string
			Accounts, Regions []string
			Gaps              []map[string]string
		} `json:"scan"`
		Findings []map[string]any `json:"findings"`
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Schema != "sagekey.scan/v1" || doc.Scan.Started != "2026-11-23T10:00:00Z" || len(doc.Scan.Gaps) != 1 {
		t.Errorf("scan section: %+v", doc)
	}
	for _, key := range []string{"check_id", "status", "severity", "message", "resource", "slots", "remediation"} {
		if _, ok := doc.Findings[0][key]; !ok {
			t.Errorf("finding lacks %q", key)
		}
	}
	slot := doc.Findings[1]["slots"].([]any)[0].(map[string]any)
	for _, key := range []string{"name", "key_ref", "key_arn", "key_manager", "key_state", "status", "reason"} {
		if _, ok := slot[key]; !ok {
			t.Errorf("slot lacks %q", key)
		}
	}
	if doc.Findings[0]["severity"] != "critical" {
		t.Errorf("severity = %v", doc.Findings[0]["severity"])
	}
	// created_by is additive: present only where a creator is shown, with
	// every field, whether or not it is known.
	createdBy, ok := doc.Findings[1]["created_by"].(map[string]any)
	if !ok {
		t.Fatalf("the failing endpoint config lacks created_by: %v", doc.Findings[1])
	}
	for _, key := range []string{"principal", "identity", "time", "tool", "source_ip", "user_agent", "event_id", "action"} {
		if _, ok := createdBy[key]; !ok {
			t.Errorf("created_by lacks %q", key)
		}
	}
	if len(createdBy) != 8 {
		t.Errorf("created_by has %d fields, want 8: %v", len(createdBy), createdBy)
	}
	if _, ok := doc.Findings[0]["created_by"]; ok {
		t.Error("a key finding names a creator")
	}
}

// The streamed JSON is byte for byte what encoding the whole document at
// once gives, with and without findings.
func TestStreamedJSONMatchesWholeEncoding(t *testing.T) {
	for _, r := range []*Report{fixture(), {Started: time.Unix(0, 0), Finished: time.Unix(1, 0)}} {
		var streamed, whole bytes.Buffer
		if err := WriteJSON(&streamed, r); err != nil {
			t.Fatal(err)
		}
		doc := jsonReport{}
		if err := json.Unmarshal(streamed.Bytes(), &doc); err != nil {
			t.Fatalf("streamed JSON does not parse: %v", err)
		}
		if err := EncodeJSON(&whole, doc); err != nil {
			t.Fatal(err)
		}
		if streamed.String() != whole.String() {
			t.Errorf("streamed JSON differs from whole encoding:\n%s\n---\n%s", streamed.String(), whole.String())
		}
	}
}

// A scan that found nothing (a new account, a region without SageMaker)
// still yields a valid document in every format.
func TestEveryFormatWritesAnEmptyReport(t *testing.T) {
	t.Parallel()
	for _, format := range slices.Sorted(maps.Keys(formats)) {
		var buf bytes.Buffer
		r := &Report{Started: time.Unix(0, 0).UTC(), Finished: time.Unix(1, 0).UTC()}
		if err := formats[format](&buf, r); err != nil || buf.Len() == 0 {
			t.Errorf("%s: %d bytes, %v", format, buf.Len(), err)
		}
	}
}

// A finding's history applies as of the scan: a later scan's times (an old
// run rendered today) and a failing-since on a finding that passes do not.
func TestHistoryOf(t *testing.T) {
	t.Parallel()
	r := fixture()
	f := r.Findings.At(2) // notebook-instance.cmk, FAIL, seen 20 days, failing 12
	if h := r.historyOf(f); h.FirstSeen != r.Started.Add(-20*24*time.Hour) || h.FailingSince != r.Started.Add(-12*24*time.Hour) {
		t.Errorf("history = %+v", h)
	}
	r.History[FindingID(f)] = FindingHistory{FirstSeen: r.Started.Add(time.Hour), FailingSince: r.Started.Add(time.Hour)}
	if h := r.historyOf(f); h.FirstSeen != r.Started || !h.FailingSince.IsZero() {
		t.Errorf("later times applied: %+v", h)
	}
	passing := f
	passing.Status = finding.Pass
	r.History[FindingID(f)] = FindingHistory{FirstSeen: r.Started.Add(-time.Hour), FailingSince: r.Started.Add(-time.Hour)}
	if h := r.historyOf(passing); !h.FailingSince.IsZero() {
		t.Errorf("a passing finding has a failing-since: %+v", h)
	}
	if h := r.historyOf(r.Findings.At(0)); h.FirstSeen != r.Started {
		t.Errorf("a new finding was first seen %v, want the scan start", h.FirstSeen)
	}
}
