package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"

	"github.com/sagekey/sagekey/internal/cli"
	"github.com/sagekey/sagekey/internal/motoserver/mototest"
)

func runCLI(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := cli.Run(context.Background(), args, &out, &errOut)
	return out.String(), errOut.String(), code
}

// A stored scan renders in every format without AWS, and its JSON carries
// exactly the findings the live scan reported.
func TestReportRendersAStoredScanInEveryFormat(t *testing.T) {
	srv := mototest.ForTest(t)
	mototest.DummyCredentials(t)
	chdir(t, t.TempDir())
	seedSmall(t, mototest.Config(t, srv, "us-east-1"), motoCaller)
	db := filepath.Join(t.TempDir(), "history.db")
	live, code, stderr := runScan(t, srv, "--db", db)
	if code != cli.ExitViolations {
		t.Fatalf("scan exit %d: %s", code, stderr)
	}
	srv.Stop() // the report must not need AWS

	stored, errOut, code := runCLI(t, "report", "--db", db, "--format", "json")
	if code != 0 {
		t.Fatalf("report exit %d: %s", code, errOut)
	}
	var doc scanDoc
	if err := json.Unmarshal([]byte(stored), &doc); err != nil {
		t.Fatal(err)
	}
	verdicts := func(d scanDoc) string {
		var out []string
		for _, f := range d.Findings {
			out = append(out, f.CheckID+" "+f.Resource.ARN+" "+f.Status)
		}
		return strings.Join(out, "\n")
	}
	if verdicts(doc) != verdicts(live) || len(doc.Scan.Gaps) != len(live.Scan.Gaps) {
		t.Errorf("stored report differs from the live scan:\n%s\n--- live ---\n%s", verdicts(doc), verdicts(live))
	}
	// The live report, the stored run and `sagekey --version` name one
	// version.
	versionLine, _, _ := runCLI(t, "--version")
	if live.Scan.ToolVersion == "" || doc.Scan.ToolVersion != live.Scan.ToolVersion ||
		!strings.HasPrefix(versionLine, "sagekey "+live.Scan.ToolVersion+" ") {
		t.Errorf("versions: live report %q, stored report %q, --version %q", live.Scan.ToolVersion, doc.Scan.ToolVersion, versionLine)
	}
	markers := map[string]string{
		"html": `id="overall-compliance"`, "sarif": `"version": "2.1.0"`, "asff": `"SchemaVersion": "2018-10-08"`,
		"ocsf": `"class_uid": 2004`, "csv": "run_id,scan_started", "junit": "<testsuites", "table": "% compliant: ",
	}
	for format, marker := range markers {
		out, errOut, code := runCLI(t, "report", "--db", db, "--format", format)
		if code != 0 || !strings.Contains(out, marker) {
			t.Errorf("report --format %s: exit %d, marker %q present: %v; stderr %s", format, code, marker, strings.Contains(out, marker), errOut)
		}
	}
	// The table lists the failures; --show passed adds the passing evidence.
	if out, errOut, code := runCLI(t, "report", "--db", db, "--format", "table"); code != 0 ||
		!strings.Contains(out, "FAIL: ") || strings.Contains(out, "PASS: ") {
		t.Errorf("report --format table: exit %d (%s):\n%s", code, errOut, out)
	}
	if out, errOut, code := runCLI(t, "report", "--db", db, "--format", "table", "--show", "passed"); code != 0 ||
		!strings.Contains(out, "PASS: ") {
		t.Errorf("report --format table --show passed: exit %d (%s):\n%s", code, errOut, out)
	}
}

func TestReportUsageErrors(t *testing.T) {
	chdir(t, t.TempDir())
	db := filepath.Join(t.TempDir(), "empty.db")
	for _, args := range [][]string{
		{"report", "--db", db},                                  // nothing stored
		{"report", "--db", db, "--format", "xml"},               // unknown format
		{"report", "--db", db, "--format", "html", "--import"},  // --import needs asff
		{"scan", "--no-store", "--format", "sarif", "--import"}, // the same on scan
		{"scan", "--no-store", "--show", "failed"},              // --show: passed, na, muted or all
		{"scan", "--no-store", "--format", "json", "--show", "all"},
	} {
		if _, errOut, code := runCLI(t, args...); code != cli.ExitUsage {
			t.Errorf("%v: exit %d, want %d (%s)", args, code, cli.ExitUsage, errOut)
		}
	}
}

// scan --format asff --import lands every finding but NOT_APPLICABLE in
// Security Hub (moto), under the ids the ASFF document gives them.
func TestScanImportsIntoSecurityHub(t *testing.T) {
	srv := mototest.ForTest(t)
	mototest.DummyCredentials(t)
	chdir(t, t.TempDir())
	cfg := mototest.Config(t, srv, "us-east-1")
	seedSmall(t, cfg, motoCaller)
	out, errOut, code := runCLI(t, "scan", "--endpoint-url", srv.URL(), "--regions", "us-east-1", "--no-store",
		"--max-attempts", "2", "--format", "asff", "--import")
	if code != cli.ExitViolations {
		t.Fatalf("scan exit %d: %s", code, errOut)
	}
	var sent []struct{ Id string }
	if err := json.Unmarshal([]byte(out), &sent); err != nil || len(sent) == 0 {
		t.Fatalf("ASFF output: %v (%d findings)", err, len(sent))
	}
	if !strings.Contains(errOut, "findings imported into account "+motoCaller) || strings.Contains(errOut, "not imported") {
		t.Errorf("stderr does not report a complete import: %s", errOut)
	}
	got := map[string]bool{}
	p := securityhub.NewGetFindingsPaginator(securityhub.NewFromConfig(cfg), &securityhub.GetFindingsInput{MaxResults: aws.Int32(100)})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range page.Findings {
			got[aws.ToString(f.Id)] = true
		}
	}
	for _, f := range sent {
		if !got[f.Id] {
			t.Errorf("finding %s is not in Security Hub", f.Id)
		}
	}
	if len(got) != len(sent) {
		t.Errorf("Security Hub holds %d findings, sagekey sent %d", len(got), len(sent))
	}
}

// A finding keeps its ASFF creation time from one scan to the next, so a
// re-import updates it in Security Hub instead of restarting its clock,
// and a failing finding is observed since the scan that first saw it fail.
func TestASFFKeepsCreationTimeAcrossScans(t *testing.T) {
	srv := mototest.ForTest(t)
	mototest.DummyCredentials(t)
	chdir(t, t.TempDir())
	seedSmall(t, mototest.Config(t, srv, "us-east-1"), motoCaller)
	db := filepath.Join(t.TempDir(), "history.db")
	type asff struct{ Id, CreatedAt, FirstObservedAt, UpdatedAt string }
	scanAndRead := func() map[string]asff {
		if _, code, stderr := runScan(t, srv, "--db", db); code != cli.ExitViolations {
			t.Fatalf("scan exit %d: %s", code, stderr)
		}
		out, errOut, code := runCLI(t, "report", "--db", db, "--format", "asff")
		if code != 0 {
			t.Fatalf("report exit %d: %s", code, errOut)
		}
		var fs []asff
		if err := json.Unmarshal([]byte(out), &fs); err != nil {
			t.Fatal(err)
		}
		byID := map[string]asff{}
		for _, f := range fs {
			byID[f.Id] = f
		}
		return byID
	}
	first := scanAndRead()
	second := scanAndRead()
	if len(first) == 0 || len(first) != len(second) {
		t.Fatalf("%d findings, then %d", len(first), len(second))
	}
	for id, a := range first {
		b := second[id]
		if b.CreatedAt != a.CreatedAt || b.FirstObservedAt != a.FirstObservedAt || b.UpdatedAt == a.UpdatedAt {
			t.Errorf("%s: first scan %+v, second %+v", id, a, b)
		}
	}
}
