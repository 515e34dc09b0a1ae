package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/sagekey/sagekey/internal/cli"
	"github.com/sagekey/sagekey/internal/demo"
	"github.com/sagekey/sagekey/internal/motoserver"
	"github.com/sagekey/sagekey/internal/motoserver/mototest"
)

// scanDoc is the part of the sagekey.scan/v1 document the tests read.
type scanDoc struct {
	Schema string `json:"schema"`
	Scan   struct {
		Accounts    []string `json:"accounts"`
		Regions     []string `json:"regions"`
		ToolVersion string   `json:"tool_version"`
		Gaps        []struct{ Account, Region, Service, Reason string }
		APICalls    struct {
			Operations []struct {
				Operation string
				Calls     int64
			}
		} `json:"api_calls"`
	} `json:"scan"`
	Findings []struct {
		CheckID  string `json:"check_id"`
		Status   string `json:"status"`
		Severity string `json:"severity"`
		Message  string `json:"message"`
		Resource struct {
			ARN, Kind, Name, Region string
		} `json:"resource"`
		Slots []struct {
			Name, KeyRef, Status, Reason string
		} `json:"slots"`
		Remediation string `json:"remediation"`
		Protects    []struct{ ARN string }
		Suppression *struct {
			Reason  string
			Expired bool
		} `json:"suppression"`
	} `json:"findings"`
}

var regions = []string{"us-east-1", "eu-west-1"}

// motoGaps are the calls moto 5.2.1 cannot answer: List operations it does
// not implement (ListJobs included), and ListTags on transform and
// compilation job ARNs.
var motoGaps = map[string]bool{
	"sagemaker:ListAlgorithms": true, "sagemaker:ListDeviceFleets": true, "sagemaker:ListEdgePackagingJobs": true,
	"sagemaker:ListFeatureGroups": true, "sagemaker:ListFlowDefinitions": true, "sagemaker:ListInferenceExperiments": true,
	"sagemaker:ListInferenceRecommendationsJobs": true, "sagemaker:ListLabelingJobs": true,
	"sagemaker:ListMonitoringSchedules": true, "sagemaker:ListOptimizationJobs": true, "sagemaker:ListPartnerApps": true,
	"sagemaker:ListUserProfiles": true, "sagemaker:ListTags": true, "sagemaker:ListJobs": true,
}

// seededEstate starts moto, seeds the demo estate in two regions and points
// the standard credential chain at dummy credentials.
func seededEstate(t *testing.T) (*motoserver.Server, *demo.Manifest) {
	t.Helper()
	srv := mototest.ForTest(t)
	mototest.DummyCredentials(t)
	m, err := demo.Seed(context.Background(), func(region string) aws.Config {
		return mototest.Config(t, srv, region)
	}, regions)
	if err != nil {
		t.Fatalf("seed: %v", err)
	}
	return srv, m
}

func runScan(t *testing.T, srv *motoserver.Server, extra ...string) (scanDoc, int, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	args := append([]string{"scan", "--endpoint-url", srv.URL(), "--regions", strings.Join(regions, ","), "--format", "json",
		"--max-attempts", "2"}, extra...)
	code := cli.Run(context.Background(), args, &out, &errOut)
	var doc scanDoc
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatalf("output is not JSON (exit %d): %v\nstdout: %s\nstderr: %s", code, err, out.String(), errOut.String())
	}
	return doc, code, errOut.String()
}

// TestScanDemoEstate checks every seeded resource's verdict against what the
// seeder says it built: each key identifier form, AWS-managed, disabled,
// pending-deletion and missing keys, NVMe and serverless variants, an
// endpoint whose config was deleted, HyperPod groups, and two regions.
func TestScanDemoEstate(t *testing.T) {
	srv, manifest := seededEstate(t)
	chdir(t, t.TempDir()) // no stray ./sagekey.yaml
	doc, code, stderr := runScan(t, srv)

	if code != cli.ExitViolations {
		t.Errorf("exit = %d, want %d (stderr: %s)", code, cli.ExitViolations, stderr)
	}
	if doc.Schema != "sagekey.scan/v1" || strings.Join(doc.Scan.Regions, ",") != "eu-west-1,us-east-1" {
		t.Errorf("scan section: %+v", doc.Scan)
	}
	// The only gaps are what moto 5.2.1 does not implement; each is
	// reported as the server error it is, never as throttling.
	for _, g := range doc.Scan.Gaps {
		if !motoGaps[g.Service] || strings.Contains(g.Reason, "throttled") {
			t.Errorf("unexpected gap %s: %s", g.Service, g.Reason)
		}
	}
	if len(doc.Scan.Accounts) != 1 || doc.Scan.Accounts[0] != manifest.Account {
		t.Errorf("accounts = %v, want %s", doc.Scan.Accounts, manifest.Account)
	}

	cmk := map[string]int{}
	for _, f := range doc.Findings {
		if !strings.HasSuffix(f.CheckID, ".cmk") {
			continue
		}
		key := f.Resource.Kind + "/" + f.Resource.Region + "/" + f.Resource.Name
		cmk[key]++
		exp, ok := manifest.Find(f.Resource.Kind, f.Resource.Region, f.Resource.Name)
		if !ok {
			t.Errorf("finding for a resource the seeder did not create: %s", key)
			continue
		}
		if f.Status != exp.Status {
			t.Errorf("%s: status %s, want %s (%s); message: %s", key, f.Status, exp.Status, exp.Why, f.Message)
		}
		if f.Remediation == "" || len(f.Slots) == 0 {
			t.Errorf("%s: finding lacks remediation or slots", key)
		}
	}
	for _, exp := range manifest.Resources {
		key := exp.Kind + "/" + exp.Region + "/" + exp.Name
		if cmk[key] != 1 {
			t.Errorf("%s: %d cmk findings, want exactly 1", key, cmk[key])
		}
	}
}

// TestScanKeyFindings checks key health and blast radius against the seeded
// keys.
func TestScanKeyFindings(t *testing.T) {
	srv, manifest := seededEstate(t)
	chdir(t, t.TempDir())
	doc, _, _ := runScan(t, srv, "--checks", "kms-key.*")
	status := map[string]string{} // check + key ARN -> status
	severity := map[string]string{}
	for _, f := range doc.Findings {
		if f.Resource.Kind != "kms-key" {
			t.Errorf("--checks kms-key.* ran %s", f.CheckID)
		}
		if len(f.Protects) == 0 {
			t.Errorf("%s %s lists no protected resources", f.CheckID, f.Resource.ARN)
		}
		status[f.CheckID+" "+f.Resource.ARN] = f.Status
		severity[f.CheckID+" "+f.Resource.ARN] = f.Severity
	}
	want := []struct{ check, key, status, severity string }{
		{"kms-key.state", demo.KeyHealthy, "PASS", ""},
		{"kms-key.state", demo.KeyDisabled, "FAIL", "high"},
		{"kms-key.state", demo.KeyPendingDeletion, "FAIL", "critical"},
		{"kms-key.rotation", demo.KeyHealthy, "PASS", ""},
		{"kms-key.rotation", demo.KeyRotationOff, "FAIL", ""},
		{"kms-key.tags", demo.KeyHealthy, "PASS", ""},
	}
	for _, w := range want {
		arn := manifest.Keys[w.key]
		got := status[w.check+" "+arn]
		if got != w.status {
			t.Errorf("%s on %s key (%s) = %q, want %s", w.check, w.key, arn, got, w.status)
		}
		if w.severity != "" && severity[w.check+" "+arn] != w.severity {
			t.Errorf("%s on %s key: severity %s, want %s", w.check, w.key, severity[w.check+" "+arn], w.severity)
		}
	}
}

// TestScanSuppressionsAndFailOn checks MUTED, expired suppressions and the
// exit status threshold through a real config file.
func TestScanSuppressionsAndFailOn(t *testing.T) {
	srv, _ := seededEstate(t)
	dir := t.TempDir()
	chdir(t, dir)
	cfg := `
suppressions:
  - check: notebook-instance.cmk
    resource: "arn:aws:sagemaker:*:*:notebook-instance/intern-sandbox-nb"
    reason: sandbox is being decommissioned
  - check: training-job.cmk
    resource: "*training-job/churn-quick-experiment"
    reason: expired exception
    expires: 2020-01-01
`
	if err := os.WriteFile(filepath.Join(dir, "sagekey.yaml"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	doc, _, _ := runScan(t, srv, "--checks", "notebook-instance.cmk,training-job.cmk")
	var muted, expired bool
	for _, f := range doc.Findings {
		switch f.Resource.Name {
		case "intern-sandbox-nb":
			muted = f.Status == "MUTED" && f.Suppression != nil && f.Suppression.Reason == "sandbox is being decommissioned"
		case "churn-quick-experiment":
			expired = f.Status == "FAIL" && f.Suppression != nil && f.Suppression.Expired &&
				strings.Contains(f.Message, "suppression expired")
		}
	}
	if !muted || !expired {
		t.Errorf("muted=%v expired=%v", muted, expired)
	}

	// Only critical failures count: the pending-deletion and missing keys.
	_, code, _ := runScan(t, srv, "--checks", "notebook-instance.cmk", "--fail-on", "critical")
	if code != cli.ExitViolations {
		t.Errorf("--fail-on critical: exit %d, want 3 (pending-deletion key is critical)", code)
	}
	_, code, _ = runScan(t, srv, "--checks", "cluster.cmk", "--fail-on", "critical")
	if code != cli.ExitOK {
		t.Errorf("--fail-on critical with only high cluster failures: exit %d, want 0", code)
	}
}

// TestScanTableToFile checks --output and the table format: FAIL listed,
// PASS too with --show passed, and no colour in a file.
func TestScanTableToFile(t *testing.T) {
	srv, _ := seededEstate(t)
	dir := t.TempDir()
	chdir(t, dir)
	out := filepath.Join(dir, "report.txt")
	var stdout, stderr bytes.Buffer
	code := cli.Run(context.Background(), []string{"scan", "--endpoint-url", srv.URL(), "--regions", "eu-west-1",
		"--checks", "notebook-instance.*,training-job.*", "--show", "passed", "--output", out}, &stdout, &stderr)
	if code != cli.ExitViolations || stdout.Len() != 0 {
		t.Fatalf("exit %d, stdout %q, stderr %s", code, stdout.String(), stderr.String())
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	for _, want := range []string{"FAIL: ", "PASS: ", "gdpr-analytics-nb", "eu-churn-retrain", "regions eu-west-1", "No gaps"} {
		if !strings.Contains(text, want) {
			t.Errorf("table lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "\x1b") {
		t.Errorf("colour in a file:\n%q", text)
	}
	if strings.Contains(text, "us-east-1") {
		t.Errorf("--regions eu-west-1 scanned us-east-1:\n%s", text)
	}
}

func chdir(t *testing.T, dir string) {
	t.Helper()
	old, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Chdir(old) })
}

// TestScanAllRegions checks --regions all: the account's enabled regions are
// discovered and every seeded notebook, in both regions, is found.
func TestScanAllRegions(t *testing.T) {
	srv, manifest := seededEstate(t)
	chdir(t, t.TempDir())
	var out, errOut bytes.Buffer
	code := cli.Run(context.Background(), []string{"scan", "--endpoint-url", srv.URL(), "--regions", "all",
		"--format", "json", "--checks", "notebook-instance.cmk", "--max-attempts", "2"}, &out, &errOut)
	var doc scanDoc
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatalf("exit %d: %v\n%s", code, err, errOut.String())
	}
	if len(doc.Scan.Regions) < 3 || !slices.Contains(doc.Scan.Regions, "us-east-1") || !slices.Contains(doc.Scan.Regions, "eu-west-1") {
		t.Errorf("regions = %v", doc.Scan.Regions)
	}
	if len(doc.Scan.Gaps) != 0 {
		t.Errorf("gaps = %+v", doc.Scan.Gaps)
	}
	if got, want := len(doc.Findings), len(manifest.ByKind("notebook-instance")); got != want {
		t.Errorf("%d notebook findings across all regions, want %d", got, want)
	}
}
