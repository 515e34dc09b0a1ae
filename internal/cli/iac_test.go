package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/sagekey/sagekey/internal/cli"
	"github.com/sagekey/sagekey/internal/motoserver/mototest"
	"github.com/sagekey/sagekey/internal/testutil/golden"
)

// iacNow pins the clock so the JSON report is the same on every run.
var iacNow = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

func runIaC(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := cli.RunEnv(context.Background(), cli.Env{Stdout: &out, Stderr: &errOut, Now: func() time.Time { return iacNow }},
		append([]string{"iac", "--compare-scan", "none"}, args...))
	return out.String(), errOut.String(), code
}

// iacDoc is the part of the JSON report the IaC tests read.
type iacDoc struct {
	Scan struct {
		Gaps []struct{ Service, Reason string } `json:"gaps"`
	} `json:"scan"`
	Findings []struct {
		CheckID  string                      `json:"check_id"`
		Status   string                      `json:"status"`
		Message  string                      `json:"message"`
		Resource struct{ Kind, Name string } `json:"resource"`
		Location *struct {
			File      string `json:"file"`
			StartLine int    `json:"start_line"`
			Address   string `json:"address"`
		} `json:"location"`
	} `json:"findings"`
}

// stableJSON drops what changes between builds (the tool version) so the
// golden file holds only what the code and the rules decide.
func stableJSON(t *testing.T, raw string) []byte {
	t.Helper()
	return []byte(regexp.MustCompile(`"tool_version": "[^"]*"`).ReplaceAllString(raw, `"tool_version": "test"`))
}

// TestIaCGoldenPerSource runs `sagekey iac` on each reader's fixture
// repository: Terraform configuration (modules, variables, count and
// for_each, conditionals), a plan whose key the same plan creates, and
// CloudFormation (intrinsics, Fn::If, nested stacks, CDK, SAM).
func TestIaCGoldenPerSource(t *testing.T) {
	pkg, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(pkg, "..", "iac")
	for name, path := range map[string]string{
		"iac-terraform":      filepath.Join(root, "terraform", "testdata", "repo"),
		"iac-plan":           filepath.Join(root, "tfplan", "testdata", "key_in_same_plan.json"),
		"iac-cloudformation": filepath.Join(root, "cloudformation", "testdata", "repo"),
	} {
		t.Run(name, func(t *testing.T) {
			// Relative paths, as a person types them, keep the locations
			// (and the golden file) the same on every machine.
			chdir(t, filepath.Dir(path))
			out, stderr, code := runIaC(t, "--format", "json", filepath.Base(path))
			if code != cli.ExitViolations && code != cli.ExitError && code != cli.ExitOK {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			var doc iacDoc
			if err := json.Unmarshal([]byte(out), &doc); err != nil {
				t.Fatalf("not JSON: %v\n%s", err, out)
			}
			if len(doc.Findings) == 0 {
				t.Fatal("no findings")
			}
			for _, f := range doc.Findings {
				if f.Location == nil || f.Location.File == "" || (name != "iac-plan" && f.Location.StartLine == 0) {
					t.Errorf("%s %s %s has no source location: %+v", f.CheckID, f.Resource.Name, f.Status, f.Location)
				}
			}
			if err := os.Chdir(pkg); err != nil { // golden files live beside this test
				t.Fatal(err)
			}
			golden.Check(t, name+".json", stableJSON(t, out))
		})
	}
}

// TestIaCExternalKey: a key the code names by ARN but does not define is
// ERROR offline, PASS when sagekey.yaml approves it, and verified with KMS
// (moto) under --live.
func TestIaCExternalKey(t *testing.T) {
	srv := mototest.ForTest(t)
	mototest.DummyCredentials(t)
	k, err := kms.NewFromConfig(mototest.Config(t, srv, "us-east-1")).CreateKey(context.Background(), &kms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(k.KeyMetadata.Arn)
	dir := t.TempDir()
	chdir(t, dir)
	tf := `resource "aws_sagemaker_notebook_instance" "nb" {
  name          = "nb"
  role_arn      = "arn:aws:iam::123456789012:role/sm"
  instance_type = "ml.t3.medium"
  kms_key_id    = "` + arn + `"
}
`
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(tf), 0o600); err != nil {
		t.Fatal(err)
	}
	verdict := func(args ...string) (string, string) {
		t.Helper()
		out, stderr, _ := runIaC(t, append([]string{"--format", "json", "--checks", "notebook-instance.cmk"}, args...)...)
		var doc iacDoc
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatalf("not JSON: %v\n%s\n%s", err, out, stderr)
		}
		for _, f := range doc.Findings {
			if f.CheckID == "notebook-instance.cmk" {
				return f.Status, f.Message
			}
		}
		t.Fatalf("no notebook-instance.cmk finding: %s", out)
		return "", ""
	}
	if status, msg := verdict("."); status != "ERROR" || !strings.Contains(msg, "verify with --live or approve it") {
		t.Errorf("offline: %s %q, want ERROR asking for --live or approval", status, msg)
	}
	if status, msg := verdict("--live", "--endpoint-url", srv.URL(), "--regions", "us-east-1", "."); status != "PASS" {
		t.Errorf("--live: %s %q, want PASS for an Enabled customer-managed key", status, msg)
	}
	if err := os.WriteFile(filepath.Join(dir, "sagekey.yaml"), []byte("approved_keys: [\""+arn+"\"]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if status, msg := verdict("."); status != "PASS" {
		t.Errorf("approved: %s %q, want PASS", status, msg)
	}
}

// TestIaCBadInputIsAGap: unreadable input is a gap (exit 1) and the rest
// is still judged.
func TestIaCBadInputIsAGap(t *testing.T) {
	dir := t.TempDir()
	chdir(t, dir)
	for name, body := range map[string]string{
		"broken.tf": "resource \"aws_sagemaker_notebook_instance\" {\n",
		"good.tf":   "resource \"aws_sagemaker_notebook_instance\" \"nb\" {\n  name = \"nb\"\n  instance_type = \"ml.t3.medium\"\n  role_arn = \"r\"\n}\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	out, stderr, code := runIaC(t, "--format", "json", ".")
	var doc iacDoc
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("not JSON (exit %d): %v\n%s", code, err, stderr)
	}
	if code != cli.ExitViolations || len(doc.Scan.Gaps) == 0 {
		t.Errorf("exit %d, gaps %+v; want the syntax error as a gap and the good notebook's FAIL (exit 3)", code, doc.Scan.Gaps)
	}
	found := false
	for _, f := range doc.Findings {
		found = found || (f.CheckID == "notebook-instance.cmk" && f.Status == "FAIL")
	}
	if !found {
		t.Errorf("the good file was not judged: %s", out)
	}
}

// TestIaCComparesWithTheStoredScan: a notebook fixed in code but deployed
// without a key, and a deployed notebook the code does not define, are
// reported against the latest stored scan.
func TestIaCComparesWithTheStoredScan(t *testing.T) {
	srv := mototest.ForTest(t)
	mototest.DummyCredentials(t)
	dir := t.TempDir()
	chdir(t, dir)
	sm := newSageMaker(mototest.Config(t, srv, "us-east-1"))
	createNotebook(t, sm, "nb-fix", "")
	createNotebook(t, sm, "nb-clickops", "")
	db := filepath.Join(t.TempDir(), "history.db")
	if _, code, stderr := runScan(t, srv, "--db", db); code != cli.ExitViolations {
		t.Fatalf("scan exit %d: %s", code, stderr)
	}
	tf := `resource "aws_kms_key" "main" {
  enable_key_rotation = true
}
resource "aws_sagemaker_notebook_instance" "fix" {
  name          = "nb-fix"
  role_arn      = "arn:aws:iam::123456789012:role/sm"
  instance_type = "ml.t3.medium"
  kms_key_id    = aws_kms_key.main.arn
}
`
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(tf), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	cli.RunEnv(context.Background(), cli.Env{Stdout: &out, Stderr: &errOut, Now: time.Now},
		[]string{"iac", "--db", db, "--format", "json", "."})
	var doc struct {
		Scan struct {
			Drift []struct{ Kind, Name, Message string } `json:"drift"`
		} `json:"scan"`
	}
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s\n%s", err, out.String(), errOut.String())
	}
	got := map[string]string{}
	for _, d := range doc.Scan.Drift {
		got[d.Name] = d.Kind + ": " + d.Message
	}
	if !strings.HasPrefix(got["nb-fix"], "fixed-in-code-not-deployed: fixed in code, not yet deployed: the key is immutable") ||
		!strings.HasPrefix(got["nb-clickops"], "not-in-code: ") || len(got) != 2 {
		t.Errorf("drift = %v", got)
	}
}

// TestIaCInlineSuppression: a Terraform ignore comment with a reason and a
// future expiry mutes the check; an expired one does not.
func TestIaCInlineSuppression(t *testing.T) {
	dir := t.TempDir()
	chdir(t, dir)
	nb := func(name, expires string) string {
		return `# sagekey:ignore notebook-instance.cmk reason="scratch notebook, no data" expires=` + expires + `
resource "aws_sagemaker_notebook_instance" "` + name + `" {
  name          = "` + name + `"
  role_arn      = "arn:aws:iam::123456789012:role/sm"
  instance_type = "ml.t3.medium"
}
`
	}
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(nb("muted", "2099-01-31")+nb("expired", "2020-01-31")), 0o600); err != nil {
		t.Fatal(err)
	}
	out, stderr, _ := runIaC(t, "--format", "json", "--checks", "notebook-instance.cmk", ".")
	var doc iacDoc
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, stderr)
	}
	got := map[string]string{}
	for _, f := range doc.Findings {
		got[f.Resource.Name] = f.Status
	}
	if got["muted"] != "MUTED" || got["expired"] != "FAIL" {
		t.Errorf("verdicts = %v, want muted MUTED and expired FAIL", got)
	}
}
