package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"math"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/trail"
)

// mixedCaseFixture is the fixture plus a failing notebook whose ARN is
// spelled with capitals, while the trail keys its creator in lower case
// (CloudTrail and the SageMaker API do not agree on case).
func mixedCaseFixture() *Report {
	r := fixture()
	arn := "arn:aws:sagemaker:us-east-1:111122223333:notebook-instance/MixedCase-NB"
	editFindings(r, func(fs []finding.Finding) []finding.Finding {
		return append(fs, finding.Finding{CheckID: "notebook-instance.cmk", Status: finding.Fail,
			Severity: finding.High, Message: "no key", Slots: []finding.Slot{},
			Resource: finding.Resource{ARN: arn, Kind: "notebook-instance", Name: "MixedCase-NB", Account: "111122223333", Region: "us-east-1"}})
	})
	r.Trail.Creators[strings.ToLower(arn)] = trail.Creator{ResourceARN: strings.ToLower(arn), Action: "sagemaker:CreateNotebookInstance",
		EventID: "ev-mixed", Time: r.Started.Add(-time.Hour), Principal: "arn:aws:iam::111122223333:role/mixed",
		SourceIP: "198.51.100.20", UserAgent: "aws-cli/2.17", Tool: trail.ToolCLI}
	return r
}

// wantCreators computes, from the inputs alone, the creator each finding
// must show: a FAIL or MUTED finding whose resource ARN equals a creator's,
// ignoring case. Nothing else shows one.
func wantCreators(r *Report) []*trail.Creator {
	out := make([]*trail.Creator, r.Findings.Len())
	for i, f := range r.Findings.All() {
		if f.Status != finding.Fail && f.Status != finding.Muted {
			continue
		}
		for _, c := range r.Trail.Creators {
			if strings.EqualFold(c.ResourceARN, f.Resource.ARN) {
				out[i] = &c
			}
		}
	}
	return out
}

func TestCreatorsAppearOnlyOnFailingFindings(t *testing.T) {
	t.Parallel()
	r := mixedCaseFixture()
	want := wantCreators(r)
	shown := 0
	for _, c := range want {
		if c != nil {
			shown++
		}
	}
	// The fixture must exercise both sides: failing findings with a
	// creator (one by a differently cased ARN), and findings of every
	// other status whose resource has a creator too.
	if shown != 4 {
		t.Fatalf("%d findings should show a creator, want 4 (fixture changed?)", shown)
	}
	hidden := map[finding.Status]bool{}
	for i, f := range r.Findings.All() {
		if _, has := r.CreatorOf(f); has && want[i] == nil {
			hidden[f.Status] = true
		}
	}
	for _, s := range []finding.Status{finding.Pass, finding.Error, finding.NotApplicable} {
		if !hidden[s] {
			t.Errorf("the fixture has no %s finding with a known creator", s)
		}
	}
	byID := map[string]*trail.Creator{}
	for i, f := range r.Findings.All() {
		byID[FindingID(f)] = want[i]
	}

	t.Run("json", func(t *testing.T) {
		var buf bytes.Buffer
		if err := WriteJSON(&buf, r); err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Findings []struct {
				CreatedBy map[string]string `json:"created_by"`
			} `json:"findings"`
		}
		if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
			t.Fatal(err)
		}
		for i, f := range doc.Findings {
			c := want[i]
			if (f.CreatedBy != nil) != (c != nil) {
				t.Errorf("finding %d (%s %s): created_by %v, want %v", i, r.Findings.At(i).CheckID, r.Findings.At(i).Status, f.CreatedBy, c)
				continue
			}
			if c == nil {
				continue
			}
			wantObj := map[string]string{"principal": c.Principal, "identity": c.Identity, "time": c.Time.UTC().Format(time.RFC3339),
				"tool": c.Tool, "source_ip": c.SourceIP, "user_agent": c.UserAgent, "event_id": c.EventID, "action": c.Action}
			if !mapsEqual(f.CreatedBy, wantObj) {
				t.Errorf("finding %d: created_by %v, want %v", i, f.CreatedBy, wantObj)
			}
		}
	})

	t.Run("csv", func(t *testing.T) {
		var buf bytes.Buffer
		if err := WriteCSV(&buf, r); err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(&buf).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		col := func(name string) int { return slices.Index(rows[0], name) }
		by, at, with := col("created_by"), col("created_at"), col("created_with")
		if by < 0 || at != by+1 || with != by+2 || with != len(rows[0])-1 {
			t.Fatalf("header %v: the trail columns must trail", rows[0])
		}
		row := 1
		for i, f := range r.Findings.All() {
			for range max(1, len(f.Slots)) {
				got := rows[row][by : with+1]
				wantRow := []string{"", "", ""}
				if c := want[i]; c != nil {
					wantRow = []string{CSVSafe(c.Principal), c.Time.UTC().Format(time.RFC3339), c.Tool}
				}
				if !slices.Equal(got, wantRow) {
					t.Errorf("row %d (%s %s): %q, want %q", row, f.CheckID, f.Status, got, wantRow)
				}
				row++
			}
		}
	})

	t.Run("sarif", func(t *testing.T) {
		_, doc := sarifOf(t, r)
		for i, res := range doc.Runs[0].Results {
			props := res.Properties.Properties
			c := want[i]
			if _, has := props["createdBy"]; has != (c != nil) {
				t.Errorf("result %d: createdBy present %v, want %v", i, has, c != nil)
				continue
			}
			if c != nil && (props["createdBy"] != c.Principal || props["createdWith"] != c.Tool ||
				props["createdAt"] != c.Time.UTC().Format(time.RFC3339)) {
				t.Errorf("result %d: %v", i, props)
			}
		}
	})

	t.Run("asff", func(t *testing.T) {
		_, doc := asffOf(t, r)
		for _, a := range doc {
			c := byID[strings.TrimPrefix(a["Id"].(string), "sagekey/")]
			fields, has := a["UserDefinedFields"].(map[string]any)
			if has != (c != nil) {
				t.Errorf("%v: UserDefinedFields %v, want creator %v", a["Id"], fields, c)
				continue
			}
			if c != nil && (fields["sagekey:createdBy"] != asffText(c.Principal, asffUserValueMax) ||
				fields["sagekey:createdWith"] != c.Tool || fields["sagekey:createdAt"] != asffTime(c.Time)) {
				t.Errorf("%v: UserDefinedFields %v", a["Id"], fields)
			}
		}
	})

	t.Run("ocsf", func(t *testing.T) {
		_, doc := ocsfOf(t, r)
		for _, e := range doc {
			c := byID[e["finding_info"].(map[string]any)["uid"].(string)]
			unmapped := e["unmapped"].(map[string]any)
			createdBy, has := unmapped["created_by"].(map[string]any)
			evidences, hasEvidence := e["evidences"].([]any)
			if has != (c != nil) || hasEvidence != (c != nil) {
				t.Errorf("%v: created_by %v evidences %v, want creator %v", e["finding_info"], createdBy, evidences, c)
				continue
			}
			if c == nil {
				continue
			}
			actor := evidences[0].(map[string]any)["actor"].(map[string]any)
			if createdBy["principal"] != c.Principal || actor["app_name"] != c.Tool ||
				actor["user"].(map[string]any)["uid"] != asffFirst(c.Identity, c.Principal) {
				t.Errorf("%v: created_by %v actor %v", e["finding_info"], createdBy, actor)
			}
		}
	})

	t.Run("junit", func(t *testing.T) {
		_, doc := junitOf(t, r)
		for _, s := range doc.Suites {
			for _, tc := range s.Cases {
				text := ""
				switch {
				case tc.Failure != nil:
					text = tc.Failure.Body
				case tc.Error != nil:
					text = tc.Error.Body
				case tc.Skipped != nil:
					text = tc.Skipped.Message
				}
				i := slices.IndexFunc(r.Findings.Collect(), func(f finding.Finding) bool {
					return f.CheckID == tc.Classname && f.Resource.ARN == tc.Name
				})
				if i < 0 {
					continue // a gap
				}
				// JUnit shows the creator under failures only: a muted
				// case is skipped, with no body to hold it.
				wantLine := want[i] != nil && r.Findings.At(i).Status == finding.Fail
				if strings.Contains(text, "created by") != wantLine ||
					(wantLine && !strings.Contains(text, "created by: "+OneLine(want[i].Principal))) {
					t.Errorf("%s %s: want a created by line: %v:\n%s", tc.Classname, tc.Name, wantLine, text)
				}
			}
		}
	})

	t.Run("table", func(t *testing.T) {
		// Every status listed, so every finding's lines are checked.
		blocks := tableBlocks(renderTable(t, r, TableOptions{Show: showAll(t)}))
		for i, c := range want {
			head := findingHead(r.Findings.At(i))
			lines, listed := blocks[head]
			if !listed || strings.Contains(lines, "created by") != (c != nil) ||
				(c != nil && !strings.Contains(lines, "created by "+OneLine(c.Principal))) {
				t.Errorf("%s (listed %v):\n%s want creator %v", head, listed, lines, c)
			}
		}
	})

	t.Run("html", func(t *testing.T) {
		page := renderHTML(t, r)
		articles := strings.Split(page, `<article id="f-`)[1:]
		seen := 0
		for _, a := range articles {
			id, _, _ := strings.Cut(a, `"`)
			c, known := byID[id]
			if !known {
				t.Fatalf("article %s is no finding of the report", id)
			}
			body, _, _ := strings.Cut(a, "</article>")
			if strings.Contains(body, `class="creator"`) != (c != nil) {
				t.Errorf("article %s: creator shown %v, want %v", id, c == nil, c != nil)
			}
			if c != nil {
				seen++
			}
		}
		if n := strings.Count(page, `class="creator"`); seen != shown || n != shown {
			t.Errorf("%d articles and %d places name a creator, want %d", seen, n, shown)
		}
	})
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func TestNiceStep(t *testing.T) {
	t.Parallel()
	for in, want := range map[int64]int64{0: 1, 1: 1, 2: 2, 3: 5, 5: 5, 6: 10, 11: 20, 26: 50, 51: 100, 999: 1000, 1001: 2000} {
		if got := niceStep(in); got != want {
			t.Errorf("niceStep(%d) = %d, want %d", in, got, want)
		}
	}
}

// The bars sit on the baseline, evenly spaced inside the plot, each as
// tall as its total on a scale whose top grid line is at least the peak;
// the part is drawn at the bottom and never past its bar.
func TestBarChartGeometry(t *testing.T) {
	t.Parallel()
	if newBarChart(nil, barSeries{}) != nil {
		t.Error("a chart without months")
	}
	series := barSeries{PartFill: "#part", RestFill: "#rest"}
	points := []barPoint{
		{Label: "a", Part: 4, Total: 10},
		{Label: "b"}, // nothing happened: no rectangle
		{Label: "c", Part: 0, Total: 35},
		{Label: "d", Part: 7, Total: 7},
		{Label: "e", Part: 9, Total: 3}, // a part larger than its whole: drawn as the part
	}
	c := newBarChart(points, series)
	bottom := chartHeight - chartBottom
	plotH := bottom - barTop
	const eps = 0.11 // coordinates are rounded to tenths

	if len(c.Grid) != barGridSteps+1 || c.Grid[0].Y != bottom || c.Grid[0].Label != "0" || c.Grid[len(c.Grid)-1].Y != barTop {
		t.Fatalf("grid %+v: want %d lines from the baseline to the top of the plot", c.Grid, barGridSteps+1)
	}
	var labels []int64
	for _, g := range c.Grid {
		var v int64
		if err := json.Unmarshal([]byte(g.Label), &v); err != nil {
			t.Fatalf("grid label %q is not a count", g.Label)
		}
		labels = append(labels, v)
	}
	step := labels[1]
	top := labels[len(labels)-1]
	for i, v := range labels {
		if v != step*int64(i) {
			t.Errorf("grid labels %v are not even steps", labels)
		}
	}
	if top < 35 || top >= 2*35 {
		t.Errorf("scale tops at %d for a peak of 35: too low or wasteful", top)
	}
	scale := func(v int64) float64 { return plotH * float64(v) / float64(top) }

	slot := (chartWidth - chartLeft - chartRight) / float64(len(points))
	for i, b := range c.Bars {
		p := points[i]
		if want := chartLeft + slot*(float64(i)+0.5); math.Abs(b.Center-want) > eps {
			t.Errorf("bar %d centred at %v, want %v", i, b.Center, want)
		}
		if b.Label != p.Label {
			t.Errorf("bar %d labelled %q", i, b.Label)
		}
		total := max(p.Total, p.Part)
		if total == 0 {
			if len(b.Segments) != 0 {
				t.Errorf("bar %d of nothing has segments %+v", i, b.Segments)
			}
			continue
		}
		// Segments stack from the baseline without gaps.
		y, height := bottom, 0.0
		for j, s := range b.Segments {
			if math.Abs(s.Y+s.Height-y) > eps {
				t.Errorf("bar %d segment %d ends at %v, want %v", i, j, s.Y+s.Height, y)
			}
			if s.Y < barTop-eps || s.Width > barMaxWidth || math.Abs(s.X+s.Width/2-b.Center) > eps {
				t.Errorf("bar %d segment %d %+v leaves its slot or the plot", i, j, s)
			}
			y, height = s.Y, height+s.Height
		}
		if math.Abs(height-scale(total)) > 2*eps {
			t.Errorf("bar %d is %v tall, want %v", i, height, scale(total))
		}
		if p.Part > 0 {
			if first := b.Segments[0]; first.Fill != series.PartFill || math.Abs(first.Height-scale(p.Part)) > eps {
				t.Errorf("bar %d part segment %+v, want %v tall in %s", i, first, scale(p.Part), series.PartFill)
			}
		}
		if rest := p.Total - p.Part; rest <= 0 && b.Segments[len(b.Segments)-1].Fill == series.RestFill {
			t.Errorf("bar %d draws a rest of %d", i, rest)
		}
	}

	// A long window labels only some months, but draws them all.
	var many []barPoint
	for i := range 30 {
		many = append(many, barPoint{Label: "m", Total: int64(i)})
	}
	c = newBarChart(many, series)
	n := 0
	for _, b := range c.Bars {
		if b.Label != "" {
			n++
		}
	}
	if len(c.Bars) != 30 || n > barMaxLabels || n == 0 {
		t.Errorf("%d bars, %d labelled; want 30 bars and at most %d labels", len(c.Bars), n, barMaxLabels)
	}
}

// The CloudTrail section shows the window, both KPIs as charts and as a
// table, and every key event with its blast radius.
func TestHTMLCloudTrailSection(t *testing.T) {
	t.Parallel()
	r := fixture()
	page := renderHTML(t, r)
	section, _, _ := strings.Cut(page[strings.Index(page, `<section id="cloudtrail">`):], "</section>")
	if n := strings.Count(section, "<svg"); n != 2 {
		t.Errorf("%d charts, want 2 (denials, blocked)", n)
	}
	if !strings.Contains(section, r.Trail.From.UTC().Format(time.DateOnly)+" to "+r.Trail.To.UTC().Format(time.DateOnly)) ||
		!strings.Contains(section, "91 account-region-days") {
		t.Error("section does not say which window the trail covers")
	}
	for _, m := range r.Trail.Months {
		row := "<tr><td>" + m.Month.Format("2006-01") + "</td><td>" + itoa64(m.Denials) + "</td><td>" + itoa64(m.Unauthorized) +
			"</td><td>" + itoa64(m.Blocked) + "</td><td>" + itoa64(m.ByGuardrail) + "</td><td>" + itoa64(m.Blocked-m.ByGuardrail) + "</td></tr>"
		if !strings.Contains(section, row) {
			t.Errorf("section lacks the month row %s", row)
		}
	}
	events := section[strings.Index(section, `<table id="key-events">`):]
	if n := strings.Count(events, "<tr><td>"); n != len(r.Trail.KeyEvents) {
		t.Errorf("%d key event rows, want %d", n, len(r.Trail.KeyEvents))
	}
	for _, e := range r.Trail.KeyEvents {
		if !strings.Contains(events, ">"+e.Action+"<") || !strings.Contains(events, "<td>"+itoa64(int64(len(e.Protects)))+"<details>") {
			t.Errorf("key event %s lacks its action or blast radius", e.EventID)
		}
		for _, p := range e.Protects {
			if !strings.Contains(events, p.Kind+" <code>") {
				t.Errorf("key event %s does not list %s", e.EventID, p.ARN)
			}
		}
	}
	if strings.Contains(section, "No CloudTrail data was read") {
		t.Error("a report with trail data says it has none")
	}
}

func itoa64(n int64) string { b, _ := json.Marshal(n); return string(b) }

// Without trail data the section says so and how to get it, and no
// finding names a creator.
func TestHTMLWithoutTrail(t *testing.T) {
	t.Parallel()
	r := fixture()
	r.Trail = nil
	page := renderHTML(t, r)
	for _, want := range []string{`<section id="cloudtrail">`, "No CloudTrail data was read", "<code>sagekey trail</code>"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(page, `class="creator"`) || strings.Contains(page, `id="key-events"`) {
		t.Error("a report without trail data shows trail facts")
	}
}

// A report without trail data writes exactly what it wrote before trail
// data existed: no creator field, column or line in any format but HTML's
// section. A trail that knows no creator adds nothing either (CSV aside,
// whose columns then exist but stay empty).
func TestNoTrailAddsNothing(t *testing.T) {
	t.Parallel()
	writers := map[string]Writer{
		"table": WriteTable, "json": WriteJSON, "junit": WriteJUnit, "asff": WriteASFF,
		"sarif": func(w io.Writer, r *Report) error { return writeSARIF(w, r, "test") },
		"ocsf":  func(w io.Writer, r *Report) error { return writeOCSF(w, r, "test") },
	}
	render := func(w Writer, r *Report) string {
		var buf bytes.Buffer
		if err := w(&buf, r); err != nil {
			t.Fatal(err)
		}
		return buf.String()
	}
	for name, w := range writers {
		none, empty := fixture(), fixture()
		none.Trail = nil
		empty.Trail = &TrailFacts{}
		out := render(w, none)
		for _, marker := range []string{"created_by", "createdBy", "sagekey:created", "created by", "evidences"} {
			if strings.Contains(out, marker) {
				t.Errorf("%s without trail data contains %q", name, marker)
			}
		}
		if render(w, empty) != out {
			t.Errorf("%s: a trail without creators changed the output", name)
		}
	}
	r := fixture()
	r.Trail = nil
	head, _, _ := strings.Cut(render(WriteCSV, r), "\n")
	if head != strings.Join(CSVHeader, ",") {
		t.Errorf("CSV header without trail data: %s", head)
	}
}

// UserDefinedFields stay inside ASFF's limits however long the trail's
// values are: at most 50 pairs, keys up to 128 and values up to 1024
// characters, cut without splitting a character.
func TestASFFUserFieldLimits(t *testing.T) {
	t.Parallel()
	r := fixture()
	for k, c := range r.Trail.Creators {
		c.Principal = "arn:aws:iam::111122223333:role/" + strings.Repeat("é😀\n", 900)
		c.Tool = strings.Repeat("t", 5000)
		r.Trail.Creators[k] = c
	}
	_, doc := asffOf(t, r)
	n := 0
	for _, a := range doc {
		for _, problem := range asffProblems(a) {
			t.Errorf("%v: %s", a["Id"], problem)
		}
		fields, ok := a["UserDefinedFields"].(map[string]any)
		if !ok {
			continue
		}
		n++
		by := fields["sagekey:createdBy"].(string)
		if units := len(utf16.Encode([]rune(by))); units > asffUserValueMax || units < asffUserValueMax-2 ||
			!strings.HasSuffix(by, "…") || strings.ContainsRune(by, '\n') {
			t.Errorf("createdBy not cut cleanly to %d units: %d units, %q...", asffUserValueMax, units, by[:40])
		}
	}
	if n == 0 {
		t.Fatal("no finding carries UserDefinedFields")
	}
}
