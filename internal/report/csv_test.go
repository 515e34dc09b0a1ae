package report

import (
	"bytes"
	"encoding/csv"
	"slices"
	"strings"
	"testing"

	"github.com/sagekey/sagekey/internal/finding"
)

func TestCSV(t *testing.T) {
	r := fixture()
	var buf bytes.Buffer
	if err := WriteCSV(&buf, r); err != nil {
		t.Fatal(err)
	}
	golden(t, "report.csv", buf.Bytes())

	rd := csv.NewReader(&buf)
	rd.FieldsPerRecord = -1 // checked below, with a better message
	rows, err := rd.ReadAll()
	if err != nil {
		t.Fatalf("output does not parse: %v", err)
	}
	header := []string{"run_id", "scan_started", "account", "region", "kind", "resource_name", "resource_arn",
		"check_id", "status", "severity", "message", "slot", "slot_status", "key_ref", "key_arn", "key_manager",
		"key_state", "slot_reason", "suppression_reason", "suppression_expires", "remediation", "tags",
		"created_by", "created_at", "created_with"} // the last three because the fixture has trail data
	if !slices.Equal(rows[0], header) {
		t.Fatalf("header %v", rows[0])
	}
	want := 0
	for _, f := range r.Findings.All() {
		want += max(1, len(f.Slots))
	}
	if len(rows)-1 != want {
		t.Errorf("%d rows, want one per slot of each finding (%d)", len(rows)-1, want)
	}
	col := func(name string) int { return slices.Index(header, name) }
	for i, row := range rows {
		if len(row) != len(header) {
			t.Fatalf("row %d has %d columns, want %d", i, len(row), len(header))
		}
	}
	var nb []string
	for _, row := range rows[1:] {
		if row[col("check_id")] == "notebook-instance.cmk" {
			nb = row
		}
	}
	if nb == nil {
		t.Fatal("no notebook-instance.cmk row")
	}
	// A newline in a name survives in a quoted cell; a formula in a tag
	// value is neutralised where it would start a cell once the tags are
	// split on ; and =.
	if nb[col("resource_name")] != "nb\tevil\nname" || nb[col("slot")] != "volume" || nb[col("run_id")] != "3" {
		t.Errorf("notebook row %q", nb)
	}
	// The creator's hostile user agent is not a column; its principal is,
	// with its markup as text.
	if nb[col("created_by")] != "arn:aws:iam::111122223333:role/ml<script>alert('p')</script>" ||
		nb[col("created_with")] != "terraform" || nb[col("created_at")] != "2026-10-14T10:00:00Z" {
		t.Errorf("notebook creator %q", nb[col("created_by"):])
	}
	tags := nb[col("tags")]
	if tags != `cost-center='=HYPERLINK("x");owner=<script>document.body.dataset.pwned='1'</script>` {
		t.Errorf("tags cell %q", tags)
	}
	for _, row := range rows[1:] {
		for j, cell := range row {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("cell %s = %q could run as a formula", header[j], cell)
			}
		}
	}
}

func TestCSVSafeNeutralisesFormulas(t *testing.T) {
	for in, want := range map[string]string{
		`=HYPERLINK("x")`: `'=HYPERLINK("x")`, "+1": "'+1", "-2": "'-2", "@SUM(A1)": "'@SUM(A1)",
		"\tx": "'\tx", "\rx": "'\rx", "plain": "plain", "": "", "a=b": "a=b",
	} {
		if got := CSVSafe(in); got != want {
			t.Errorf("CSVSafe(%q) = %q, want %q", in, got, want)
		}
	}
	// Tag keys are neutralised too: one leads the cell.
	r := fixture()
	editFindings(r, func(fs []finding.Finding) []finding.Finding {
		fs = fs[2:3]
		fs[0].Resource.Tags = map[string]string{"=cmd": "x", "team": "@SUM(A1)"}
		return fs
	})
	var buf bytes.Buffer
	if err := WriteCSV(&buf, r); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got := rows[1][slices.Index(rows[0], "tags")]; got != "'=cmd=x;team='@SUM(A1)" {
		t.Errorf("tags cell %q", got)
	}
}
