package bench

import (
	"os"
	"path/filepath"
	"testing"
)

// reportJSON is a sagekey.scan/v1 report with one notebook finding (one
// slot) and one key finding; status and slotStatus vary per test.
func reportJSON(status, slotStatus string, apiCalls string) string {
	return `{
  "schema": "sagekey.scan/v1",
  "scan": {"started": "2026-11-23T10:00:00Z", "gaps": []` + apiCalls + `},
  "findings": [
    {"check_id": "notebook-instance.cmk", "status": "` + status + `", "severity": "high",
     "resource": {"arn": "arn:aws:sagemaker:us-east-1:123456789012:notebook-instance/nb", "kind": "notebook-instance"},
     "slots": [{"name": "volume", "key_ref": "", "status": "` + slotStatus + `", "reason": "no key"}]},
    {"check_id": "kms-key.state", "status": "PASS", "severity": "high",
     "resource": {"arn": "arn:aws:kms:us-east-1:123456789012:key/k"}, "slots": []}
  ]
}`
}

func writeReport(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestCompareReports(t *testing.T) {
	t.Parallel()
	baseline := writeReport(t, "a.json", reportJSON("FAIL", "FAIL", ""))
	tests := []struct {
		name          string
		other         string
		wantIdentical bool
		wantMissing   int
		wantExtra     int
	}{
		{"same verdicts, different run metadata", reportJSON("FAIL", "FAIL", `, "api_calls": {"total": 9}`), true, 0, 0},
		{"a throttled slot read turned into ERROR", reportJSON("ERROR", "ERROR", ""), false, 2, 2},
		{"only the slot differs", reportJSON("FAIL", "ERROR", ""), false, 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := CompareReports(baseline, writeReport(t, "b.json", tt.other))
			if !c.Compared || c.Identical != tt.wantIdentical || c.Missing != tt.wantMissing || c.Extra != tt.wantExtra {
				t.Errorf("comparison = %+v, want identical=%v missing=%d extra=%d", c, tt.wantIdentical, tt.wantMissing, tt.wantExtra)
			}
			if c.Baseline != 3 {
				t.Errorf("baseline has %d verdicts, want 3 (two findings, one slot)", c.Baseline)
			}
		})
	}
}

func TestCompareReportsWithoutAReport(t *testing.T) {
	t.Parallel()
	c := CompareReports(filepath.Join(t.TempDir(), "missing.json"), writeReport(t, "b.json", reportJSON("PASS", "PASS", "")))
	if c.Compared || c.Identical || c.Reason == "" {
		t.Errorf("comparison = %+v, want not compared, with a reason", c)
	}
}

func TestReadScanReportFindsAPICallsWhereverSagekeyPutsThem(t *testing.T) {
	t.Parallel()
	nested, err := ReadScanReport(writeReport(t, "n.json", reportJSON("PASS", "PASS",
		`, "api_calls": {"total": 42, "retries": 1, "throttles": 1, "operations": [{"operation": "sagemaker:Search", "calls": 3}]}`)))
	if err != nil {
		t.Fatal(err)
	}
	if nested.APICalls == nil || nested.APICalls.Total != 42 || nested.APICalls.Operations[0].Operation != "sagemaker:Search" {
		t.Errorf("api_calls under scan = %+v, want total 42", nested.APICalls)
	}
	top, err := ReadScanReport(writeReport(t, "t.json", `{"findings": [], "api_calls": {"total": 7}}`))
	if err != nil {
		t.Fatal(err)
	}
	if top.APICalls == nil || top.APICalls.Total != 7 {
		t.Errorf("top-level api_calls = %+v, want total 7", top.APICalls)
	}
	absent, err := ReadScanReport(writeReport(t, "x.json", reportJSON("PASS", "PASS", "")))
	if err != nil || absent.APICalls != nil {
		t.Errorf("report without api_calls: %+v, %v; want nil, nil", absent.APICalls, err)
	}
}
