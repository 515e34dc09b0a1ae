package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"slices"
	"strings"
	"testing"

	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/inventory"
	"github.com/sagekey/sagekey/internal/term"
)

func TestJUnitIaC(t *testing.T) {
	r := iacFixture()
	out, doc := junitOf(t, r)
	golden(t, "iac.junit.xml", out)
	var raw struct {
		Suites []struct {
			Cases []struct {
				Name    string `xml:"name,attr"`
				File    string `xml:"file,attr"`
				Line    int    `xml:"line,attr"`
				Failure *struct {
					Message string `xml:"message,attr"`
					Body    string `xml:",chardata"`
				} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(out, &raw); err != nil {
		t.Fatal(err)
	}
	byName := map[string]int{}
	fs := r.Findings.Collect()
	for _, s := range raw.Suites {
		for _, c := range s.Cases {
			byName[c.Name]++
			f := fs[slices.IndexFunc(fs, func(f finding.Finding) bool { return f.Location.Address == c.Name })]
			if c.File != f.Location.File || c.Line != f.Location.StartLine {
				t.Errorf("%s: file %q line %d", c.Name, c.File, c.Line)
			}
			if c.Failure != nil && !strings.HasPrefix(c.Failure.Message, locationText(f.Location)+": ") {
				t.Errorf("%s: failure message %q lacks its location", c.Name, c.Failure.Message)
			}
		}
	}
	if len(byName) != r.Findings.Len() || doc.Failures != 4 || doc.Errors != 1 {
		t.Errorf("cases by address %v, %+v", byName, doc.junitCounts)
	}
}

func TestTableIaC(t *testing.T) {
	t.Parallel()
	golden(t, "iac.table", []byte(renderTable(t, iacFixture(), TableOptions{})))
	golden(t, "iac.color.table", []byte(renderTable(t, iacFixture(), TableOptions{Show: showAll(t), Term: term.Options{Color: true, Width: 80}})))
}

// A report that mixes findings from code and a finding without a location
// lists the located ones by file and the other as a live scan does.
func TestTableIaCMixed(t *testing.T) {
	t.Parallel()
	r := iacFixture()
	live := fixture().Findings.At(0) // kms-key.state, critical, no location
	editFindings(r, func(fs []finding.Finding) []finding.Finding { return append(fs, live) })
	out := renderTable(t, r, TableOptions{})
	for _, want := range []string{
		"FAIL: 5 findings, by file and line, then worst first.",
		"main.tf (3)\n  FAIL  7:3  medium  kms-key.rotation  aws_kms_key.ml\n",
		"stacks/serving stack.yaml (1)\n",
		"critical / kms-key (1)\n" + findingHead(live) + "\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	if f, k := strings.Index(out, "main.tf (3)"), strings.Index(out, "critical / kms-key"); f > k {
		t.Errorf("files must come before the findings without a location:\n%s", out)
	}
}

// In the table, files come in path order and findings in line order,
// whatever order the report has them in.
func TestTableIaCOrder(t *testing.T) {
	t.Parallel()
	r := iacFixture()
	editFindings(r, func(fs []finding.Finding) []finding.Finding { slices.Reverse(fs); return fs })
	out := renderTable(t, r, TableOptions{})
	last := -1
	for _, w := range []string{"FAIL  7:3", "FAIL  10:1", "FAIL  18:3"} { // main.tf
		i := strings.Index(out, w)
		if i < last {
			t.Errorf("%q out of line order:\n%s", w, out)
		}
		last = i
	}
	if strings.Index(out, "main.tf (3)") > strings.Index(out, "stacks/serving stack.yaml (1)") {
		t.Errorf("files out of order:\n%s", out)
	}
}

func TestJSONIaC(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	if err := WriteJSON(&buf, iacFixture()); err != nil {
		t.Fatal(err)
	}
	golden(t, "iac.json", buf.Bytes())
	var doc struct {
		Scan struct {
			Files []string `json:"files"`
		} `json:"scan"`
		Findings []map[string]json.RawMessage `json:"findings"`
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Scan.Files) != 3 {
		t.Errorf("scan.files %v", doc.Scan.Files)
	}
	var loc map[string]any
	if err := json.Unmarshal(doc.Findings[3]["location"], &loc); err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]any{"file": "modules/ml/main.tf", "start_line": 8.0, "start_column": 3.0,
		"end_line": 8.0, "end_column": 32.0, "module": "module.ml", "address": "module.ml.aws_sagemaker_domain.studio"} {
		if loc[key] != want {
			t.Errorf("location.%s = %v, want %v", key, loc[key], want)
		}
	}
	var fix map[string]any
	if err := json.Unmarshal(doc.Findings[0]["fix"], &fix); err != nil {
		t.Fatal(err)
	}
	if fix["file"] != "main.tf" || fix["line"] != 14.0 || fix["column"] != 1.0 || !strings.Contains(fix["text"].(string), "kms_key_id") ||
		fix["description"] == "" {
		t.Errorf("fix %v", fix)
	}
	if _, ok := doc.Findings[1]["fix"]; ok {
		t.Error("a finding without a fix has a fix field")
	}
	// A live report has neither field, nor scan.files.
	buf.Reset()
	if err := WriteJSON(&buf, fixture()); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"location"`, `"fix"`, `"files"`} {
		if bytes.Contains(buf.Bytes(), []byte(key)) {
			t.Errorf("live JSON has %s", key)
		}
	}
}

func TestCSVIaC(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	if err := WriteCSV(&buf, iacFixture()); err != nil {
		t.Fatal(err)
	}
	golden(t, "iac.csv", buf.Bytes())
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rows[0], slices.Concat(CSVHeader, CSVLocationHeader)) {
		t.Errorf("header %v", rows[0])
	}
	n := len(CSVHeader)
	if got := rows[1][n : n+len(CSVLocationHeader)]; !slices.Equal(got, []string{"main.tf", "10", "1", "14", "2", "",
		"aws_sagemaker_notebook_instance.nb", iacFixture().Findings.At(0).Fix.Description}) {
		t.Errorf("location cells %q", got)
	}
}

// The IaC table fits the width too, and a file name, address or fix from
// the configuration cannot smuggle an escape code into it.
func TestTableIaCFitsWidthAndIsInert(t *testing.T) {
	t.Parallel()
	r := iacFixture()
	r.Files[0] = "main\x1b[2J.tf"
	editFindings(r, func(fs []finding.Finding) []finding.Finding {
		fs[0].Location.File = "main\x1b[2J.tf"
		fs[0].Location.Address = "aws_sagemaker_notebook_instance.nb\x1b]8;;http://evil.example\x07"
		fs[0].Fix.Text = "  kms_key_id = \u009b31m\n"
		return fs
	})
	for _, width := range []int{40, 60, 80} {
		out := renderTable(t, r, TableOptions{Show: showAll(t), Term: term.Options{Color: true, Width: width}})
		plain := sgr.ReplaceAllString(out, "")
		if strings.ContainsAny(plain, "\x1b\u009b\x07") {
			t.Errorf("width %d: escape codes from the configuration:\n%q", width, out)
		}
		for i, line := range strings.Split(plain, "\n") {
			if n := len([]rune(line)); n > width {
				t.Errorf("width %d: line %d is %d wide: %q", width, i+1, n, line)
			}
		}
	}
}

// A gap in reading code names what could not be read, with no empty
// account and region, and says to make it readable.
func TestTableIaCGap(t *testing.T) {
	t.Parallel()
	r := iacFixture()
	r.Gaps = []inventory.Gap{{Service: "terraform modules/broken", Reason: "main.tf:3,1: unclosed block"}}
	out := renderTable(t, r, TableOptions{})
	for _, want := range []string{"INCOMPLETE: 1 gap (input that could not be read):\n",
		"  - terraform modules/broken: main.tf:3,1: unclosed block\n", "Next: make the gaps above readable; "} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
}
