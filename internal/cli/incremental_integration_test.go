package cli_test

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sagekey/sagekey/internal/cli"
	"github.com/sagekey/sagekey/internal/motoserver/mototest"
)

// verdicts is every finding of a report as comparable lines: check,
// resource, status, message and each slot's verdict.
func (d scanDoc) verdicts() []string {
	var out []string
	for _, f := range d.Findings {
		line := []string{f.CheckID, f.Resource.ARN, f.Status, f.Message}
		for _, s := range f.Slots {
			line = append(line, s.Name+"="+s.Status+":"+s.KeyRef+":"+s.Reason)
		}
		out = append(out, strings.Join(line, " | "))
	}
	slices.Sort(out)
	return out
}

// TestIncrementalRescanEqualsFullScan scans, changes the estate (a new
// training job, an endpoint config deleted and recreated under the same
// name with a key, a new config, a deleted notebook), then compares a
// re-scan that reuses the stored records with a scan that reuses nothing:
// the verdicts must be identical, and the re-scan must describe only the
// records that are new.
func TestIncrementalRescanEqualsFullScan(t *testing.T) {
	srv := mototest.ForTest(t)
	mototest.DummyCredentials(t)
	cfg := mototest.Config(t, srv, "us-east-1")
	e := seedSmall(t, cfg, motoCaller)
	db := filepath.Join(t.TempDir(), "history.db")
	scan := func(extra ...string) scanDoc {
		t.Helper()
		doc, code, stderr := scanJSON(t, append([]string{"--endpoint-url", srv.URL(), "--regions", "us-east-1"}, extra...)...)
		if code != cli.ExitViolations {
			t.Fatalf("exit %d, want %d\n%s", code, cli.ExitViolations, stderr)
		}
		return doc
	}

	first := scan("--db", db)
	if n := first.calls("sagemaker:DescribeEndpointConfig"); n != 2 {
		t.Fatalf("first scan described %d endpoint configs, want 2", n)
	}
	unchanged := scan("--db", db)
	if !slices.Equal(unchanged.verdicts(), first.verdicts()) {
		t.Errorf("re-scan of an unchanged estate differs:\n%s", diffLines(first.verdicts(), unchanged.verdicts()))
	}
	if n := unchanged.calls("sagemaker:DescribeEndpointConfig"); n != 0 {
		t.Errorf("re-scan of an unchanged estate described %d endpoint configs, want 0", n)
	}

	e.trainingJob("tj-new", e.key)
	e.deleteEndpointConfig("ec-plain")
	e.endpointConfig("ec-plain", e.key) // same name and ARN, new creation time
	e.endpointConfig("ec-new", "")
	deleteNotebook(t, e.sm, "nb")

	incremental := scan("--db", db)
	full := scan("--no-store")
	if !slices.Equal(incremental.verdicts(), full.verdicts()) {
		t.Fatalf("incremental and full scans differ:\n%s", diffLines(full.verdicts(), incremental.verdicts()))
	}
	if n := incremental.calls("sagemaker:DescribeEndpointConfig"); n != 2 {
		t.Errorf("incremental scan described %d endpoint configs, want 2 (the recreated one and the new one)", n)
	}
	if n := full.calls("sagemaker:DescribeEndpointConfig"); n != 3 {
		t.Errorf("full scan described %d endpoint configs, want 3", n)
	}
	status := incremental.cmkStatus()
	for name, want := range map[string]string{"training-job/tj-new": "PASS", "endpoint-config/ec-plain": "PASS", "endpoint-config/ec-new": "FAIL", "notebook-instance/nb": ""} {
		if got := status[motoCaller+"/"+name]; got != want {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}

	// --full ignores the stored records, and agrees.
	again := scan("--db", db, "--full")
	if !slices.Equal(again.verdicts(), full.verdicts()) {
		t.Errorf("--full differs from a scan without a store:\n%s", diffLines(full.verdicts(), again.verdicts()))
	}
	if n := again.calls("sagemaker:DescribeEndpointConfig"); n != 3 {
		t.Errorf("--full described %d endpoint configs, want 3", n)
	}
}

// diffLines lists what is only in want (-) or only in got (+).
func diffLines(want, got []string) string {
	var b strings.Builder
	for _, w := range want {
		if !slices.Contains(got, w) {
			b.WriteString("- " + w + "\n")
		}
	}
	for _, g := range got {
		if !slices.Contains(want, g) {
			b.WriteString("+ " + g + "\n")
		}
	}
	return b.String()
}
