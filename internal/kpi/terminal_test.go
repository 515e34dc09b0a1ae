package kpi

import (
	"bytes"
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/sagekey/sagekey/internal/store"
	"github.com/sagekey/sagekey/internal/term"
	"github.com/sagekey/sagekey/internal/testutil/golden"
)

func render(t *testing.T, r *Report, o term.Options) string {
	t.Helper()
	var buf bytes.Buffer
	if err := WritePage(&buf, r, o); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// emptyReport is computed from a store with no scan and no trail: every
// section must say why it is empty.
func emptyReport(t *testing.T) *Report {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "empty.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	rep, err := Compute(context.Background(), scansOnly{st}, Options{From: t0, To: t0.Add(30 * 24 * time.Hour), By: "account"})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// TestPageGoldens covers the page in colour (as a terminal gets it, wrapped
// to 80 columns) and plain; kpi.table and kpi_trail.table, the plain pages
// of the same reports, are checked by the Golden tests with json and csv.
func TestPageGoldens(t *testing.T) {
	history := compute(t, Options{From: t0.Add(-time.Hour), To: t0.Add(10 * 24 * time.Hour), By: "tag:team"})
	withTrail := computeTrail(t, trailFixture(), Options{From: winFrom, To: winTo, By: "tag:team"})
	for _, tc := range []struct {
		name string
		rep  *Report
		o    term.Options
	}{
		{"kpi_color.table", history, term.Options{Color: true, Width: 80}},
		{"kpi_trail_color.table", withTrail, term.Options{Color: true, Width: 80}},
		{"kpi_empty.table", emptyReport(t), term.Options{}},
		{"kpi_empty_color.table", emptyReport(t), term.Options{Color: true, Width: 80}},
	} {
		t.Run(tc.name, func(t *testing.T) { golden.Check(t, tc.name, []byte(render(t, tc.rep, tc.o))) })
	}
}

var ansi = regexp.MustCompile("\x1b\\[[0-9;]*m")

func TestPageColourOnlyWhenAsked(t *testing.T) {
	rep := computeTrail(t, trailFixture(), Options{From: winFrom, To: winTo, By: "tag:team"})
	plain := render(t, rep, term.Options{})
	if strings.ContainsRune(plain, '\x1b') {
		t.Errorf("plain page carries escape codes:\n%s", plain)
	}
	coloured := render(t, rep, term.Options{Color: true})
	if !ansi.MatchString(coloured) {
		t.Fatal("colour page has no colour")
	}
	// Colour adds codes and nothing else: the same text, the same columns.
	if got := ansi.ReplaceAllString(coloured, ""); got != plain {
		t.Errorf("colour changed the text:\n%s\nwant\n%s", got, plain)
	}
}

func TestPageWrapsToWidth(t *testing.T) {
	reports := map[string]*Report{
		"history": compute(t, Options{From: t0.Add(-time.Hour), To: t0.Add(10 * 24 * time.Hour), By: "tag:team"}),
		"trail":   computeTrail(t, trailFixture(), Options{From: winFrom, To: winTo, By: "tag:team"}),
		"empty":   emptyReport(t),
	}
	for name, rep := range reports {
		for _, width := range []int{60, 72, 100} {
			for i, line := range strings.Split(render(t, rep, term.Options{Color: true, Width: width}), "\n") {
				if n := utf8.RuneCountInString(ansi.ReplaceAllString(line, "")); n > width {
					t.Errorf("%s at %d columns: line %d is %d wide: %q", name, width, i+1, n, line)
				}
			}
		}
	}
}

func TestPageSaysWhySectionsAreEmpty(t *testing.T) {
	got := render(t, emptyReport(t), term.Options{})
	for _, want := range []string{
		"No stored scan in the window",
		"No violation was resolved in this window.",
		"No violation was open at the window's end.",
		"No violation was found or reopened in this window.",
		"no earlier one saw a key protecting SageMaker data",
		"No customer-managed key to price",
		"No CloudTrail data covers this window, so KMS access denials and blocked violations are not counted",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("empty page lacks %q:\n%s", want, got)
		}
	}
}

func TestPageNeutralisesStoredNames(t *testing.T) {
	rep := emptyReport(t)
	pass := 100.0
	rep.Compliance.Overall = Tally{Group: "all", Pass: 1, Percent: &pass}
	rep.Compliance.Groups = []Tally{{Group: "team\x1b[2J\u009b31m", Pass: 1, Percent: &pass}}
	if got := render(t, rep, term.Options{}); strings.ContainsAny(got, "\x1b\u009b") {
		t.Errorf("a stored name reached the terminal with control characters:\n%q", got)
	}
}

func TestSparkline(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	for _, tc := range []struct {
		name   string
		points []*float64
		want   string
	}{
		{"none", nil, ""},
		{"fixed scale ends", []*float64{f(0), f(100)}, "▁█"},
		{"every step", []*float64{f(0), f(14.3), f(28.6), f(42.9), f(57.1), f(71.4), f(85.7), f(100)}, "▁▂▃▄▅▆▇█"},
		// The scale is 0 to 100, not the points' own range: a one-point
		// rise near the top stays a small step.
		{"not rescaled", []*float64{f(98), f(99)}, "██"},
		{"gap is a dot", []*float64{f(50), nil, f(50)}, "▅·▅"},
		{"out of range clamps", []*float64{f(-5), f(120)}, "▁█"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := sparkline(tc.points); got != tc.want {
				t.Errorf("sparkline = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestDuration(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	for _, tc := range []struct {
		hours *float64
		want  string
	}{{nil, "n/a"}, {f(0.5), "30 min"}, {f(24), "24 h"}, {f(36.4), "36.4 h"}, {f(108), "4.5 d"}, {f(192), "8 d"}} {
		if got := duration(tc.hours); got != tc.want {
			t.Errorf("duration(%v) = %q, want %q", tc.hours, got, tc.want)
		}
	}
}
