package trailreport

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/sagekey/sagekey/internal/testutil/golden"
	"github.com/sagekey/sagekey/internal/trail"
)

// TestGolden writes the fixture and an empty report in every format and
// compares them with testdata/ (go test -update to accept a change).
func TestGolden(t *testing.T) {
	reports := map[string]*Report{"trail": Build(fixtureInput()), "empty": Build(Input{})}
	for name, r := range reports {
		for _, format := range Formats() {
			t.Run(name+"."+format, func(t *testing.T) {
				write, err := Lookup(format)
				if err != nil {
					t.Fatal(err)
				}
				var buf bytes.Buffer
				if err := write(&buf, r); err != nil {
					t.Fatal(err)
				}
				golden.Check(t, name+"."+format, buf.Bytes())
			})
		}
	}
}

func TestLookup(t *testing.T) {
	if _, err := Lookup("sarif"); err == nil || !strings.Contains(err.Error(), "csv, json, table") {
		t.Errorf("Lookup(sarif) error = %v", err)
	}
}

// TestTableIsTerminalSafe checks that no value from the trail reaches the
// terminal with a control character, a C1 escape or a bidi override, and
// that a newline in a principal's name cannot fake a line.
func TestTableIsTerminalSafe(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteTable(&buf, Build(fixtureInput())); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for i, r := range out {
		if r != '\n' && (unicode.IsControl(r) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069)) {
			t.Fatalf("control or bidi character %U at byte %d: %q", r, i, out[max(0, i-40):min(len(out), i+40)])
		}
	}
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "FAKE LINE") || strings.HasPrefix(line, "Injected") {
			t.Errorf("a hostile value started a line of its own: %q", line)
		}
	}
	for _, want := range []string{
		"Summary: 11 KMS access denials (5 unauthorized), 6 violations blocked (4 by sagekey's guardrails), 3 key lifecycle events, 5 resources created, 16 KMS requests by SageMaker.",
		"2 resources lose their data: endpoint-config/fraud-v1, notebook-instance/nb evil name",
		"12 resources lose their data:",
		", and 2 more",
		"2 units unreadable:",
		"INCOMPLETE: 2 gaps",
		"API calls: 162 (3 retries, 1 throttled)",
		"eu-west-1  59 of 61 days (2 unread: unknown, not zero)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q", want)
		}
	}
}

// TestJSONDocument checks the contract docs/trail.md states: snake_case
// names, RFC 3339 times, lists never null, null only where documented.
func TestJSONDocument(t *testing.T) {
	nullable := map[string]bool{
		"window.from": true, "window.to": true, "coverage.first_day": true, "coverage.last_day": true,
		"coverage.window_days": true, "coverage.by_account_region[].missing_days": true,
		"kms_access_denials.unauthorized_share": true, "kms_requests.estimated_monthly_usd": true,
		"kms_requests.estimate_basis": true, "kms_access_denials.groups[].key_access": true,
	}
	snake := regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)
	timeField := regexp.MustCompile(`(^|\.)(day|time|from|to|first_day|last_day)$`)
	for name, in := range map[string]Input{"fixture": fixtureInput(), "empty": {}} {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteJSON(&buf, Build(in)); err != nil {
				t.Fatal(err)
			}
			var doc map[string]any
			if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
				t.Fatal(err)
			}
			if doc["schema"] != trail.Schema {
				t.Errorf("schema = %v", doc["schema"])
			}
			var walk func(path string, v any)
			walk = func(path string, v any) {
				switch v := v.(type) {
				case nil:
					if !nullable[path] {
						t.Errorf("%s is null", path)
					}
				case map[string]any:
					for k, item := range v {
						// Tag keys are the user's own names, not the contract's.
						if !snake.MatchString(k) && !strings.HasSuffix(path, ".tags") {
							t.Errorf("%s.%s is not snake_case", path, k)
						}
						walk(strings.TrimPrefix(path+"."+k, "."), item)
					}
				case []any:
					for _, item := range v {
						walk(path+"[]", item)
					}
				case string:
					if timeField.MatchString(path) {
						if _, err := time.Parse(time.RFC3339, v); err != nil {
							t.Errorf("%s = %q is not RFC 3339", path, v)
						}
					}
				}
			}
			walk("", doc)
		})
	}
	t.Run("nulls are explained only when the value is unknown", func(t *testing.T) {
		var buf bytes.Buffer
		if err := WriteJSON(&buf, Build(fixtureInput())); err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Window   map[string]*string `json:"window"`
			Coverage struct {
				WindowDays *int `json:"window_days"`
			} `json:"coverage"`
			Denials struct {
				Share *float64 `json:"unauthorized_share"`
			} `json:"kms_access_denials"`
			KeyEvents []struct {
				Unreadable bool `json:"makes_data_unreadable"`
			} `json:"key_events"`
		}
		if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
			t.Fatal(err)
		}
		if doc.Window["from"] == nil || doc.Coverage.WindowDays == nil || doc.Denials.Share == nil {
			t.Errorf("a known value was written as null: %s", buf.String()[:400])
		}
		if *doc.Denials.Share != 0.7143 { // 5 unauthorized of 7 with a known relation, four decimals
			t.Errorf("unauthorized_share = %v, want 0.7143", *doc.Denials.Share)
		}
		if len(doc.KeyEvents) != 3 || !doc.KeyEvents[0].Unreadable || doc.KeyEvents[2].Unreadable {
			t.Errorf("makes_data_unreadable = %+v", doc.KeyEvents)
		}
	})
}

// TestCSVIsFormulaSafe checks the CSV's shape and that no cell can start a
// formula in a spreadsheet.
func TestCSVIsFormulaSafe(t *testing.T) {
	in := fixtureInput()
	r := Build(in)
	var buf bytes.Buffer
	if err := WriteCSV(&buf, r); err != nil {
		t.Fatal(err)
	}
	text := buf.String()
	rows, err := csv.NewReader(strings.NewReader(text)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(rows[0], ",") != "section,day,account,region,key_or_action,principal,operation,via,policy,count,key_access" {
		t.Errorf("header = %q", rows[0])
	}
	sections := map[string]int{}
	for _, row := range rows[1:] {
		sections[row[0]]++
		for _, cell := range row {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("cell %q can start a formula", cell)
			}
		}
	}
	want := map[string]int{SectionDenial: len(in.Aggregates.Denials), SectionBlocked: len(in.Aggregates.Blocked),
		SectionRequest: len(in.Aggregates.Requests), SectionKeyEvent: len(in.Aggregates.KeyEvents),
		SectionCreator: len(in.Aggregates.Creators)}
	same(t, "rows per section", sections, want)
	if !strings.Contains(text, "'"+evilKeyRef[:10]) || !strings.Contains(text, ",'+SUM(A1:A9),") {
		t.Error("the hostile key reference was not quoted")
	}
}

// failingWriter fails after n bytes, like a closed pipe.
type failingWriter struct{ n int }

func (f *failingWriter) Write(p []byte) (int, error) {
	if len(p) > f.n {
		return f.n, errors.New("broken pipe")
	}
	f.n -= len(p)
	return len(p), nil
}

func TestWritersReportWriteErrors(t *testing.T) {
	r := Build(fixtureInput())
	for _, format := range Formats() {
		write, _ := Lookup(format)
		if err := write(&failingWriter{n: 100}, r); err == nil {
			t.Errorf("%s: a failing writer's error was lost", format)
		}
	}
}
