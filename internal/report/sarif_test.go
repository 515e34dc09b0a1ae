package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"

	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/version"
)

func sarifOf(t *testing.T, r *Report) ([]byte, *sarif.Report) {
	t.Helper()
	var buf bytes.Buffer
	if err := writeSARIF(&buf, r, "test"); err != nil {
		t.Fatal(err)
	}
	// Strict: read the document as written, without filling in arrays the
	// writer may have left out.
	doc, err := sarif.FromBytes(buf.Bytes(), sarif.WithStrictValidation())
	if err != nil {
		t.Fatalf("output does not parse: %v", err)
	}
	if err := doc.Validate(); err != nil {
		t.Fatalf("not valid against the SARIF 2.1.0 schema: %v", err)
	}
	validateSARIFBytes(t, buf.Bytes())
	return buf.Bytes(), doc
}

func TestSARIF(t *testing.T) {
	r := fixture()
	out, doc := sarifOf(t, r)
	golden(t, "report.sarif", out)

	if doc.Version != "2.1.0" || doc.Schema != sarif.NewReport().Schema || len(doc.Runs) != 1 {
		t.Fatalf("version %q, schema %q, %d runs", doc.Version, doc.Schema, len(doc.Runs))
	}
	run := doc.Runs[0]
	if *run.Tool.Driver.Name != "sagekey" || *run.Tool.Driver.InformationURI != InformationURI {
		t.Errorf("driver: %+v", run.Tool.Driver)
	}
	rules := run.Tool.Driver.Rules
	if want := len(checkIDs(r.Findings)); len(rules) != want || want != 8 {
		t.Errorf("%d rules, want one per distinct check (%d)", len(rules), want)
	}
	for i := 1; i < len(rules); i++ {
		if *rules[i-1].ID >= *rules[i].ID {
			t.Errorf("rules not sorted: %s before %s", *rules[i-1].ID, *rules[i].ID)
		}
	}
	for _, rule := range rules {
		if rule.Help == nil || rule.Help.Text == nil || rule.Help.Markdown == nil || rule.HelpURI == nil ||
			*rule.HelpURI != DocsURL(*rule.ID) || rule.FullDescription == nil || rule.DefaultConfiguration == nil {
			t.Errorf("rule %s lacks help, docs or default configuration", *rule.ID)
		}
	}
	if len(run.Results) != r.Findings.Len() {
		t.Fatalf("%d results for %d findings", len(run.Results), r.Findings.Len())
	}
	for i, res := range run.Results {
		f := r.Findings.At(i)
		if *res.RuleID != f.CheckID || *rules[res.RuleIndex].ID != *res.RuleID {
			t.Errorf("result %d: ruleId %s, ruleIndex %d names %s", i, *res.RuleID, res.RuleIndex, *rules[res.RuleIndex].ID)
		}
		ll := res.Locations[0].LogicalLocations[0]
		if *ll.FullyQualifiedName != f.Resource.ARN || *ll.Name != f.Resource.Name || *ll.Kind != "resource" {
			t.Errorf("result %d: logical location %s %q", i, *ll.FullyQualifiedName, *ll.Name)
		}
		if res.PartialFingerprints[FingerprintKey] != FindingID(f) {
			t.Errorf("result %d: fingerprint %v", i, res.PartialFingerprints)
		}
	}
	inv := run.Invocations[0]
	if inv.ExecutionSuccessful == nil || *inv.ExecutionSuccessful || len(inv.ToolExecutionNotifications) != 1 ||
		inv.ToolExecutionNotifications[0].Level != "error" || *inv.StartTimeUtc != "2026-11-23T10:00:00Z" {
		t.Errorf("a scan with a gap must not read as successful: %+v", inv)
	}
}

func TestSARIFStatusMapping(t *testing.T) {
	_, doc := sarifOf(t, fixture())
	type verdict struct{ kind, level string }
	want := map[finding.Status]verdict{
		finding.Pass: {"pass", "none"}, finding.NotApplicable: {"notApplicable", "none"},
		finding.Error: {"review", "none"}, finding.Muted: {"fail", "note"},
	}
	for i, f := range fixture().Findings.All() {
		res := doc.Runs[0].Results[i]
		w, ok := want[f.Status]
		if !ok { // FAIL: the level follows the severity
			w = verdict{"fail", map[finding.Severity]string{finding.Critical: "error", finding.High: "error", finding.Medium: "warning"}[f.Severity]}
		}
		if res.Kind != w.kind || res.Level != w.level {
			t.Errorf("%s %s: kind %q level %q, want %+v", f.Status, f.Severity, res.Kind, res.Level, w)
		}
		if (f.Status == finding.Muted) != (len(res.Suppressions) == 1) {
			t.Errorf("%s: %d suppressions", f.Status, len(res.Suppressions))
		}
	}
	muted := doc.Runs[0].Results[4]
	if s := muted.Suppressions[0]; *s.Kind != "external" || *s.Status != "accepted" ||
		*s.Justification != "sandbox <b>account</b>" || s.Properties.Properties["expires"] != "2026-12-23T10:00:00Z" {
		t.Errorf("suppression: %+v", s)
	}
	if msg := *doc.Runs[0].Results[1].Message.Text; !strings.Contains(msg, "\n- volume: FAIL (key is PendingDeletion)") {
		t.Errorf("message lacks slot verdicts: %q", msg)
	}
}

// A clean scan with nothing to report is still a valid log, with an empty
// results array (null would fail the schema and many consumers).
func TestSARIFEmpty(t *testing.T) {
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	out, doc := sarifOf(t, &Report{Started: start, Finished: start})
	var raw struct {
		Runs []struct {
			Results     json.RawMessage `json:"results"`
			Invocations []struct {
				ExecutionSuccessful bool `json:"executionSuccessful"`
			} `json:"invocations"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(out, &raw); err != nil {
		t.Fatal(err)
	}
	if string(raw.Runs[0].Results) != "[]" || !raw.Runs[0].Invocations[0].ExecutionSuccessful {
		t.Errorf("results %s, invocation %+v", raw.Runs[0].Results, raw.Runs[0].Invocations)
	}
	if len(doc.Runs[0].Tool.Driver.Rules) != 0 {
		t.Errorf("rules without findings: %d", len(doc.Runs[0].Tool.Driver.Rules))
	}
}

func TestWriteSARIFVersion(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteSARIF(&buf, fixture()); err != nil {
		t.Fatal(err)
	}
	doc, err := sarif.FromBytes(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if v := doc.Runs[0].Tool.Driver.Version; v == nil || *v != version.String() {
		t.Errorf("driver version %v, want %q", v, version.String())
	}
}

// A stored scan from another version may hold a check this build does not
// know: its rule is described from its findings and the log stays valid.
func TestSARIFUnknownCheck(t *testing.T) {
	r := fixture()
	editFindings(r, func(fs []finding.Finding) []finding.Finding {
		fs = fs[2:3]
		fs[0].CheckID = "notebook-instance.retired"
		return fs
	})
	_, doc := sarifOf(t, r)
	rule := doc.Runs[0].Tool.Driver.Rules[0]
	if *rule.ID != "notebook-instance.retired" || !strings.Contains(*rule.Help.Text, r.Findings.At(0).Remediation) ||
		rule.Properties.Properties["kind"] != "notebook-instance" || rule.DefaultConfiguration.Level != "error" {
		t.Errorf("rule of an unknown check: %+v", rule)
	}
}
