package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/sagekey/sagekey/internal/finding"
)

// GapSuite is the JUnit suite that lists what the scan could not read, one
// error per gap, so a CI job cannot go green on an incomplete scan.
const GapSuite = "sagekey.scan-gaps"

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name      string      `xml:"name,attr"`
	Tests     int         `xml:"tests,attr"`
	Failures  int         `xml:"failures,attr"`
	Errors    int         `xml:"errors,attr"`
	Skipped   int         `xml:"skipped,attr"`
	Timestamp string      `xml:"timestamp,attr"`
	Cases     []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string `xml:"name,attr"`
	Classname string `xml:"classname,attr"`
	// File and Line are where code declares the subject (sagekey iac), as
	// GitLab and Jenkins read them; absent for a live finding.
	File    string        `xml:"file,attr,omitempty"`
	Line    int           `xml:"line,attr,omitempty"`
	Failure *junitProblem `xml:"failure"`
	Error   *junitProblem `xml:"error"`
	Skipped *junitSkipped `xml:"skipped"`
}

type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Body    string `xml:",chardata"`
}

type junitSkipped struct {
	Message string `xml:"message,attr"`
}

// WriteJUnit writes one test suite per check and one test case per finding
// (a check on a resource), for CI systems that gate on test reports. FAIL is
// a failure, ERROR an error (not verified is not passed), NOT_APPLICABLE and
// MUTED are skipped, PASS passes.
func WriteJUnit(w io.Writer, r *Report) error {
	byCheck := map[string][]finding.Finding{}
	for _, f := range r.Findings.All() {
		byCheck[f.CheckID] = append(byCheck[f.CheckID], f)
	}
	stamp := r.Started.UTC().Format("2006-01-02T15:04:05") // JUnit's schema: no zone; it is UTC
	doc := junitSuites{Name: "sagekey", Time: fmt.Sprintf("%.3f", r.Finished.Sub(r.Started).Seconds())}
	for _, id := range slices.Sorted(maps.Keys(byCheck)) {
		s := junitSuite{Name: xmlSafe(id), Timestamp: stamp}
		for _, f := range byCheck[id] {
			s.add(junitFinding(r, f))
		}
		doc.add(s)
	}
	if len(r.Gaps) > 0 {
		s := junitSuite{Name: GapSuite, Timestamp: stamp}
		for _, g := range r.Gaps {
			name := xmlSafe(g.Account + " " + g.Region + " " + g.Service)
			s.add(junitCase{Name: name, Classname: GapSuite, Error: &junitProblem{
				Message: xmlSafe("not read: " + g.Reason), Type: "gap",
				Body: xmlSafe(fmt.Sprintf("account %s region %s %s could not be read: %s\nFindings of this scan are incomplete.",
					g.Account, g.Region, g.Service, g.Reason))}})
		}
		doc.add(s)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func (s *junitSuite) add(c junitCase) {
	s.Tests++
	switch {
	case c.Failure != nil:
		s.Failures++
	case c.Error != nil:
		s.Errors++
	case c.Skipped != nil:
		s.Skipped++
	}
	s.Cases = append(s.Cases, c)
}

func (d *junitSuites) add(s junitSuite) {
	d.Tests += s.Tests
	d.Failures += s.Failures
	d.Errors += s.Errors
	d.Skipped += s.Skipped
	d.Suites = append(d.Suites, s)
}

func junitFinding(r *Report, f finding.Finding) junitCase {
	c := junitCase{Name: xmlSafe(f.Resource.ARN), Classname: xmlSafe(f.CheckID)}
	locateCase(&c, f)
	switch f.Status {
	case finding.Fail:
		c.Failure = &junitProblem{Message: xmlSafe(junitAt(f) + f.Message), Type: f.Severity.String(), Body: junitBody(r, f)}
	case finding.Error:
		c.Error = &junitProblem{Message: xmlSafe(junitAt(f) + "could not verify: " + f.Message), Type: f.Severity.String(), Body: junitBody(r, f)}
	case finding.NotApplicable:
		c.Skipped = &junitSkipped{Message: xmlSafe(f.Message)}
	case finding.Muted:
		msg := "muted: " + f.Message
		if s := f.Suppression; s != nil {
			msg = "muted: " + s.Reason
			if !s.Expires.IsZero() {
				msg += " (until " + s.Expires.UTC().Format(time.RFC3339) + ")"
			}
			msg += ": " + f.Message
		}
		c.Skipped = &junitSkipped{Message: xmlSafe(msg)}
	}
	return c
}

// junitBody is what a CI log shows under a failure: the verdict on each
// slot, the resource (who created it, when CloudTrail says; for a key, what
// it protects) and how to fix it.
func junitBody(r *Report, f finding.Finding) string {
	var b strings.Builder
	b.WriteString(f.Message + "\n\n")
	for _, s := range f.Slots {
		fmt.Fprintf(&b, "slot %s: %s: %s", s.Name, s.Status, s.Reason)
		ref := s.KeyRef
		if ref == s.KeyARN {
			ref = "" // configured by ARN: say it once
		}
		if key := nonEmpty(ref, s.KeyARN, s.KeyManager, s.KeyState); len(key) > 0 {
			b.WriteString(" (key " + strings.Join(key, " ") + ")")
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "resource: %s %s\n", f.Resource.Kind, f.Resource.Name)
	if f.Location == nil || f.Resource.Account+f.Resource.Region != "" {
		fmt.Fprintf(&b, "account %s region %s\n", f.Resource.Account, f.Resource.Region)
	}
	writeJUnitLocation(&b, f)
	if len(f.Resource.Tags) > 0 {
		b.WriteString("tags: " + joinTags(f.Resource.Tags, asIs) + "\n")
	}
	if c, ok := r.creatorShown(f); ok {
		b.WriteString("created by: " + OneLine(createdLine(c)) + "\n")
	}
	for _, p := range f.Protects {
		b.WriteString("protects: " + p.ARN + "\n")
	}
	fmt.Fprintf(&b, "\nremediation: %s\ndocs: %s\n", f.Remediation, DocsURL(f.CheckID))
	return xmlSafe(b.String())
}

func asIs(s string) string { return s }

func nonEmpty(ss ...string) []string {
	return slices.DeleteFunc(ss, func(s string) bool { return s == "" })
}

// xmlSafe drops the characters XML 1.0 cannot carry at all (most control
// characters, surrogates, U+FFFE/U+FFFF), which AWS names and tags may
// contain; encoding/xml escapes everything else.
func xmlSafe(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n' || r == '\r',
			r >= 0x20 && r <= 0xD7FF, r >= 0xE000 && r <= 0xFFFD, r >= 0x10000 && r <= 0x10FFFF:
			return r
		}
		return -1
	}, s)
}
