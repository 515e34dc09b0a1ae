package report

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"

	"github.com/sagekey/sagekey/internal/finding"
)

// parsedJUnit is the document as a CI system reads it: a separate struct
// from the writer's, so the test checks the XML, not the Go types.
type parsedJUnit struct {
	Name string `xml:"name,attr"`
	junitCounts
	Suites []struct {
		Name string `xml:"name,attr"`
		junitCounts
		Cases []struct {
			Name      string `xml:"name,attr"`
			Classname string `xml:"classname,attr"`
			Failure   *struct {
				Message string `xml:"message,attr"`
				Type    string `xml:"type,attr"`
				Body    string `xml:",chardata"`
			} `xml:"failure"`
			Error *struct {
				Message string `xml:"message,attr"`
				Body    string `xml:",chardata"`
			} `xml:"error"`
			Skipped *struct {
				Message string `xml:"message,attr"`
			} `xml:"skipped"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

// junitCounts are the attributes of a suite and of the whole document.
type junitCounts struct {
	Tests    int `xml:"tests,attr"`
	Failures int `xml:"failures,attr"`
	Errors   int `xml:"errors,attr"`
	Skipped  int `xml:"skipped,attr"`
}

func junitOf(t *testing.T, r *Report) ([]byte, parsedJUnit) {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteJUnit(&buf, r); err != nil {
		t.Fatal(err)
	}
	var doc parsedJUnit
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("output does not parse: %v", err)
	}
	return buf.Bytes(), doc
}

func TestJUnit(t *testing.T) {
	r := fixture()
	out, doc := junitOf(t, r)
	golden(t, "report.junit.xml", out)

	want := map[string]*junitCounts{GapSuite: {Tests: len(r.Gaps), Errors: len(r.Gaps)}}
	for _, f := range r.Findings.All() {
		c := want[f.CheckID]
		if c == nil {
			c = &junitCounts{}
			want[f.CheckID] = c
		}
		c.Tests++
		switch f.Status {
		case finding.Fail:
			c.Failures++
		case finding.Error:
			c.Errors++
		case finding.NotApplicable, finding.Muted:
			c.Skipped++
		}
	}
	if doc.Name != "sagekey" || len(doc.Suites) != len(want) {
		t.Fatalf("testsuites %q with %d suites, want %d", doc.Name, len(doc.Suites), len(want))
	}
	var total junitCounts
	for _, s := range doc.Suites {
		if w := want[s.Name]; w == nil || s.junitCounts != *w || len(s.Cases) != s.Tests {
			t.Errorf("suite %s: %+v with %d cases, want %+v", s.Name, s.junitCounts, len(s.Cases), w)
		}
		for _, c := range s.Cases {
			if s.Name != GapSuite && c.Classname != s.Name {
				t.Errorf("case %s: classname %s in suite %s", c.Name, c.Classname, s.Name)
			}
		}
		total.Tests, total.Failures = total.Tests+s.Tests, total.Failures+s.Failures
		total.Errors, total.Skipped = total.Errors+s.Errors, total.Skipped+s.Skipped
	}
	if doc.junitCounts != total || total.Tests != r.Findings.Len()+len(r.Gaps) || total.Failures != 4 || total.Errors != 2 {
		t.Errorf("testsuites totals %+v, want %+v", doc.junitCounts, total)
	}
}

// Hostile names, tags and reasons come back from a parser as the same text:
// markup stays text, and tabs and newlines are not normalised away.
func TestJUnitHostileStringsRoundTrip(t *testing.T) {
	_, doc := junitOf(t, fixture())
	cases := map[string]string{} // classname + name -> failure body or skip message
	for _, s := range doc.Suites {
		for _, c := range s.Cases {
			switch {
			case c.Failure != nil:
				cases[c.Classname+" "+c.Name] = c.Failure.Body
			case c.Skipped != nil:
				cases[c.Classname+" "+c.Name] = c.Skipped.Message
			}
		}
	}
	nb := "arn:aws:sagemaker:us-east-1:111122223333:notebook-instance/nb"
	body := cases["notebook-instance.cmk "+nb]
	for _, want := range []string{"nb\tevil\nname", "owner=<script>document.body.dataset.pwned='1'</script>", `cost-center==HYPERLINK("x")`} {
		if !strings.Contains(body, want) {
			t.Errorf("failure body lost %q:\n%s", want, body)
		}
	}
	if got := cases["notebook-instance.tags "+nb]; got != "muted: sandbox <b>account</b> (until 2026-12-23T10:00:00Z): missing required tags: team" {
		t.Errorf("muted skip message %q", got)
	}
	tj := "arn:aws:sagemaker:us-east-1:111122223333:training-job/xgb-\"quoted\""
	if _, ok := cases["training-job.cmk "+tj]; ok {
		t.Errorf("a PASS must be a plain test case")
	}
}

// Characters XML 1.0 cannot carry are dropped, so the report still parses.
func TestJUnitStripsIllegalCharacters(t *testing.T) {
	r := fixture()
	editFindings(r, func(fs []finding.Finding) []finding.Finding {
		fs[2].Resource.Name = "nb\x00\x1b[31m\x7f"
		fs[2].Resource.ARN += "\x01"
		return fs
	})
	_, doc := junitOf(t, r)
	for _, s := range doc.Suites {
		for _, c := range s.Cases {
			if c.Failure != nil && strings.HasSuffix(c.Name, "notebook-instance/nb") &&
				!strings.Contains(c.Failure.Body, "notebook-instance nb[31m\x7f\n") {
				t.Errorf("body %q", c.Failure.Body)
			}
		}
	}
}
