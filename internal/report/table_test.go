package report

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/term"
)

func renderTable(t *testing.T, r *Report, o TableOptions) string {
	t.Helper()
	var buf bytes.Buffer
	if err := TableWriter(o)(&buf, r); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func showAll(t *testing.T) map[finding.Status]bool {
	t.Helper()
	show, err := ParseShow([]string{"all"})
	if err != nil {
		t.Fatal(err)
	}
	return show
}

// The default table (report.table, in TestGolden) lists failures only;
// these are the terminal's colours and wrapping, and every section.
func TestTableGoldenVariants(t *testing.T) {
	t.Parallel()
	golden(t, "report.color.table", []byte(renderTable(t, fixture(), TableOptions{Term: term.Options{Color: true, Width: 80}})))
	golden(t, "report.all.table", []byte(renderTable(t, fixture(), TableOptions{Show: showAll(t)})))
}

var sgr = regexp.MustCompile("\x1b\\[[0-9;]*m")

// No line is wider than the terminal, in colour or not: escape codes do
// not count, and Wrap splits a token longer than a line. Wrapping loses no
// word of a message.
func TestTableFitsWidth(t *testing.T) {
	t.Parallel()
	r := fixture()
	for _, width := range []int{40, 50, 60, 72, 80, 100, 120} {
		for _, color := range []bool{false, true} {
			out := renderTable(t, r, TableOptions{Show: showAll(t), Term: term.Options{Color: color, Width: width}})
			for i, line := range strings.Split(sgr.ReplaceAllString(out, ""), "\n") {
				if n := utf8.RuneCountInString(line); n > width {
					t.Errorf("width %d, colour %v: line %d is %d wide: %q", width, color, i+1, n, line)
				}
			}
			words := strings.Join(strings.Fields(sgr.ReplaceAllString(out, "")), " ")
			for _, f := range r.Findings.All() {
				if msg := strings.Join(strings.Fields(OneLine(f.Message)), " "); !strings.Contains(words, msg) {
					t.Errorf("width %d: message %q lost in wrapping", width, msg)
				}
			}
		}
	}
}

// Off a terminal, and under NO_COLOR, the table has no escape codes, and
// neither can a hostile value smuggle one in (ESC or the C1 CSI).
func TestTableNoEscapeCodes(t *testing.T) {
	t.Parallel()
	r := fixture()
	editFindings(r, func(fs []finding.Finding) []finding.Finding {
		fs[1].Resource.Name = "fraud\x1b[2J\x1b]8;;http://evil.example\x07v1"
		fs[1].Message += " \u009b31m red"
		return fs
	})
	r.Gaps[0].Reason = "denied\x1b[1A"
	env := map[string]string{"TERM": "xterm-256color", "COLUMNS": "80"}
	for name, o := range map[string]term.Options{
		"not a terminal": term.Detect(&bytes.Buffer{}, func(k string) string { return env[k] }),
		"NO_COLOR":       {Color: false, Width: 80},
	} {
		out := renderTable(t, r, TableOptions{Show: showAll(t), Term: o})
		if strings.ContainsAny(out, "\x1b\u009b\x07") {
			t.Errorf("%s: escape codes in the table:\n%q", name, out)
		}
	}
	out := renderTable(t, r, TableOptions{Show: showAll(t), Term: term.Options{Color: true}})
	if strings.ContainsAny(sgr.ReplaceAllString(out, ""), "\x1b\u009b\x07") {
		t.Errorf("colour: an escape code other than sagekey's own colours:\n%q", out)
	}
}

// findingHead is the first line the table gives a finding.
func findingHead(f finding.Finding) string {
	return fmt.Sprintf("  %s  %s  %s  %s", f.Status, f.CheckID, OneLine(f.Resource.Kind+"/"+f.Resource.Name), f.Resource.Region)
}

// tableBlocks maps each finding's head line to its detail lines.
func tableBlocks(out string) map[string]string {
	blocks := map[string]string{}
	head := ""
	for _, line := range strings.Split(out, "\n") {
		switch {
		case strings.HasPrefix(line, "    "):
			if head != "" {
				blocks[head] += line + "\n"
			}
		case strings.HasPrefix(line, "  ") && !strings.HasPrefix(line, "  - "):
			head = line
			blocks[head] = ""
		default:
			head = ""
		}
	}
	return blocks
}

// FAIL and ERROR are always listed, every one of them, and the other
// statuses only when asked; a listed finding is listed once.
func TestTableListsWhatItShows(t *testing.T) {
	t.Parallel()
	r := fixture()
	for _, tc := range []struct {
		show []string
		want map[finding.Status]bool
	}{
		{nil, map[finding.Status]bool{finding.Fail: true, finding.Error: true}},
		{[]string{"muted"}, map[finding.Status]bool{finding.Fail: true, finding.Error: true, finding.Muted: true}},
		{[]string{"passed", "na"}, map[finding.Status]bool{finding.Fail: true, finding.Error: true, finding.Pass: true, finding.NotApplicable: true}},
		{[]string{"all"}, map[finding.Status]bool{finding.Fail: true, finding.Error: true, finding.Pass: true, finding.NotApplicable: true, finding.Muted: true}},
	} {
		show, err := ParseShow(tc.show)
		if err != nil {
			t.Fatal(err)
		}
		out := renderTable(t, r, TableOptions{Show: show})
		blocks := tableBlocks(out)
		for _, f := range r.Findings.All() {
			head := findingHead(f)
			if got := strings.Count(out, head+"\n"); got != map[bool]int{true: 1, false: 0}[tc.want[f.Status]] {
				t.Errorf("--show %v: %s listed %d times", tc.show, head, got)
			}
			if _, ok := blocks[head]; ok && !strings.Contains(blocks[head], OneLine(f.Message)) {
				t.Errorf("--show %v: %s lacks its message: %q", tc.show, head, blocks[head])
			}
		}
	}
}

// Groups run from the worst severity down, and by kind within one.
func TestTableGroupsWorstFirst(t *testing.T) {
	t.Parallel()
	out := renderTable(t, fixture(), TableOptions{Show: showAll(t)})
	heading := regexp.MustCompile(`(?m)^(\w+): |^(critical|high|medium|low|info) / (\S+) \(`)
	last := map[string][2]string{}
	section := ""
	for _, m := range heading.FindAllStringSubmatch(out, -1) {
		if m[1] != "" {
			section = m[1]
			continue
		}
		sev, _ := finding.ParseSeverity(m[2])
		if prev, ok := last[section]; ok {
			prevSev, _ := finding.ParseSeverity(prev[0])
			if prevSev < sev || (prevSev == sev && prev[1] >= m[3]) {
				t.Errorf("%s: group %s/%s after %s/%s", section, m[2], m[3], prev[0], prev[1])
			}
		}
		last[section] = [2]string{m[2], m[3]}
	}
	if len(last) != 5 {
		t.Errorf("groups in %d sections, want 5: %v", len(last), last)
	}
}

func TestParseShow(t *testing.T) {
	t.Parallel()
	show, err := ParseShow([]string{"passed", " NA"})
	if err != nil || !show[finding.Pass] || !show[finding.NotApplicable] || show[finding.Muted] {
		t.Errorf("passed,na: %v %v", show, err)
	}
	for _, bad := range []string{"failed", "", "pass,na"} {
		if _, err := ParseShow([]string{bad}); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// The age of a violation is shown when an earlier scan saw it open; one
// this scan opened has none worth a line.
func TestTableFailingSince(t *testing.T) {
	t.Parallel()
	r := fixture()
	nb := r.Findings.At(2) // notebook-instance.cmk, failing for 12 days
	if blocks := tableBlocks(renderTable(t, r, TableOptions{})); !strings.Contains(blocks[findingHead(nb)], "failing since 2026-11-11 (12 days)") {
		t.Errorf("no age on a violation open for 12 days: %q", blocks[findingHead(nb)])
	}
	// As the store reads this scan's start back: in milliseconds.
	r.Started = r.Started.Add(999 * time.Microsecond)
	r.History[FindingID(nb)] = FindingHistory{FirstSeen: r.Started, FailingSince: r.Started.Truncate(time.Millisecond)}
	if out := renderTable(t, r, TableOptions{}); strings.Contains(out, "failing since") {
		t.Errorf("a violation this scan opened has an age:\n%s", out)
	}
}
