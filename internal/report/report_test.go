package report

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

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
