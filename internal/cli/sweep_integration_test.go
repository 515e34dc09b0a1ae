package cli_test

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sagekey/sagekey/internal/cli"
	"github.com/sagekey/sagekey/internal/motoserver"
	"github.com/sagekey/sagekey/internal/shard"
)

// TestSweepReadsAsOneScan stores the seeded two-region estate as a
// complete sweep, then a later sweep with only shard 0, and checks that
// report, remediate, history and kpi read the complete sweep as the
// unsharded scan of the same estate, and say what the incomplete one lacks.
func TestSweepReadsAsOneScan(t *testing.T) {
	srv, manifest := seededEstate(t)
	chdir(t, t.TempDir())
	wholeDB := filepath.Join(t.TempDir(), "whole.db")
	db := filepath.Join(t.TempDir(), "history.db")
	n := 2 // the smallest shard count that splits the two regions
	for shard.Owner(manifest.Account, regions[0], n) == shard.Owner(manifest.Account, regions[1], n) {
		n++
	}
	if _, code, stderr := runScan(t, srv, "--db", wholeDB); code != cli.ExitViolations && code != cli.ExitError {
		t.Fatalf("unsharded scan: exit %d: %s", code, stderr)
	}
	for i := range n {
		scanShard(t, srv, db, "sweep-a", i, n)
	}
	now := time.Now()
	whole := findingSet(t, now, "report", "--db", wholeDB, "--format", "json")

	got, stderr := reportAt(t, now, "report", "--db", db, "--format", "json")
	if diff := setDiff(findingSet(t, now, "report", "--db", db, "--format", "json"), whole); diff != "" {
		t.Errorf("report of the complete sweep differs from the unsharded scan's:\n%s", diff)
	}
	if len(got.Scan.Regions) != 2 || strings.Contains(stderr, "missing") {
		t.Errorf("sweep report regions %v, stderr %s", got.Scan.Regions, stderr)
	}
	wantPct := kpiPercent(t, now, wholeDB)
	if pct := kpiPercent(t, now, db); pct != wantPct {
		t.Errorf("kpi percent compliant of the sweep %s, unsharded %s", pct, wantPct)
	}
	hist, _, _ := runAt(t, now, "history", "--db", db)
	if lines := strings.Count(strings.TrimSpace(hist), "\n"); lines != 1 || !strings.Contains(hist, "sweep-a") ||
		!strings.Contains(hist, fmt.Sprintf("%d/%d", n, n)) {
		t.Errorf("history should show sweep-a as one complete row:\n%s", hist)
	}
	plan, stderr, code := runAt(t, now, "remediate", "--db", db, "--format", "json")
	wholePlan, _, _ := runAt(t, now, "remediate", "--db", wholeDB, "--format", "json")
	if code != cli.ExitOK || !strings.Contains(stderr, "plan for sweep sweep-a") || len(plan) != len(wholePlan) {
		t.Errorf("remediate of the sweep: exit %d, %d bytes vs unsharded %d: %s", code, len(plan), len(wholePlan), stderr)
	}

	// A later sweep with only shard 0 stored: everything keeps reading
	// sweep-a and names the missing shards.
	scanShard(t, srv, db, "sweep-b", 0, n)
	now = time.Now() // the KPI window ends at now, and must hold sweep-b
	missing := make([]string, 0, n-1)
	for i := 1; i < n; i++ {
		missing = append(missing, strconv.Itoa(i))
	}
	wantWarn := "sweep sweep-b is missing shards " + strings.Join(missing, ", ") + "; showing the previous complete sweep sweep-a"
	_, stderr = reportAt(t, now, "report", "--db", db, "--format", "json")
	if !strings.Contains(stderr, wantWarn) {
		t.Errorf("report should warn %q; stderr: %s", wantWarn, stderr)
	}
	if diff := setDiff(findingSet(t, now, "report", "--db", db, "--format", "json"), whole); diff != "" {
		t.Errorf("report with sweep-b incomplete differs from the unsharded scan's:\n%s", diff)
	}
	out, _, _ := runAt(t, now, "kpi", "--db", db, "--format", "json")
	var doc struct {
		Scope struct {
			Incomplete []struct {
				ID      string
				Missing []int `json:"missing_shards"`
			} `json:"incomplete_sweeps"`
		}
		Compliance struct {
			Trend []struct{ Run int64 }
		}
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Scope.Incomplete) != 1 || doc.Scope.Incomplete[0].ID != "sweep-b" || len(doc.Scope.Incomplete[0].Missing) != n-1 {
		t.Errorf("kpi incomplete sweeps = %+v, want sweep-b missing %v", doc.Scope.Incomplete, missing)
	}
	if len(doc.Compliance.Trend) != 1 {
		t.Errorf("kpi trend has %d points, want 1 (sweep-a; sweep-b is incomplete)", len(doc.Compliance.Trend))
	}
	page, _, _ := runAt(t, now, "kpi", "--db", db)
	if !strings.Contains(page, "Sweep sweep-b is incomplete") {
		t.Errorf("kpi page does not name the incomplete sweep:\n%s", page)
	}
	hist, _, _ = runAt(t, now, "history", "--db", db)
	if !strings.Contains(hist, "incomplete: missing shards "+strings.Join(missing, ", ")) {
		t.Errorf("history does not mark sweep-b incomplete:\n%s", hist)
	}

	// --run names a shard: its complete sweep, or the run alone.
	var runs struct {
		Runs []struct {
			Sweep *struct {
				ID   string
				Runs []int64
			}
		}
	}
	out, _, _ = runAt(t, now, "history", "--db", db, "--format", "json")
	if err := json.Unmarshal([]byte(out), &runs); err != nil || len(runs.Runs) != 2 || runs.Runs[0].Sweep == nil {
		t.Fatalf("history json: %v\n%s", err, out)
	}
	aRun, bRun := runs.Runs[0].Sweep.Runs[0], runs.Runs[1].Sweep.Runs[0]
	_, stderr = reportAt(t, now, "report", "--db", db, "--format", "json", "--log-level", "info", "--run", fmt.Sprint(aRun))
	if !strings.Contains(stderr, "showing the whole sweep") {
		t.Errorf("report --run %d should say it shows sweep-a: %s", aRun, stderr)
	}
	if diff := setDiff(findingSet(t, now, "report", "--db", db, "--format", "json", "--run", fmt.Sprint(aRun)), whole); diff != "" {
		t.Errorf("report --run %d differs from the unsharded scan's:\n%s", aRun, diff)
	}
	partial, stderr := reportAt(t, now, "report", "--db", db, "--format", "json", "--run", fmt.Sprint(bRun))
	if !strings.Contains(stderr, "missing shards "+strings.Join(missing, ", ")+"; showing this run alone") ||
		len(partial.Scan.Regions) != 1 {
		t.Errorf("report --run %d: regions %v, stderr %s", bRun, partial.Scan.Regions, stderr)
	}
}

func scanShard(t *testing.T, srv *motoserver.Server, db, sweep string, i, n int) {
	t.Helper()
	t.Setenv(shard.EnvK8sIndex, strconv.Itoa(i))
	t.Setenv(shard.EnvCount, strconv.Itoa(n))
	if _, code, stderr := runScan(t, srv, "--db", db, "--shard", "auto", "--sweep", sweep); code != cli.ExitViolations &&
		code != cli.ExitOK && code != cli.ExitError {
		t.Fatalf("%s shard %d: exit %d: %s", sweep, i, code, stderr)
	}
}

func reportAt(t *testing.T, now time.Time, args ...string) (scanDoc, string) {
	t.Helper()
	out, stderr, code := runAt(t, now, args...)
	if code != cli.ExitOK {
		t.Fatalf("%s: exit %d: %s", strings.Join(args, " "), code, stderr)
	}
	var doc scanDoc
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("%s: %v", strings.Join(args, " "), err)
	}
	return doc, stderr
}

// findingSet is a report's findings as "check ARN status" lines, sorted.
func findingSet(t *testing.T, now time.Time, args ...string) []string {
	t.Helper()
	doc, _ := reportAt(t, now, args...)
	var out []string
	for _, f := range doc.Findings {
		out = append(out, f.CheckID+" "+f.Resource.ARN+" "+f.Status)
	}
	slices.Sort(out)
	return out
}

func setDiff(got, want []string) string {
	var b strings.Builder
	for _, g := range got {
		if !slices.Contains(want, g) {
			fmt.Fprintf(&b, "+ %s\n", g)
		}
	}
	for _, w := range want {
		if !slices.Contains(got, w) {
			fmt.Fprintf(&b, "- %s\n", w)
		}
	}
	if b.Len() == 0 && len(got) != len(want) {
		fmt.Fprintf(&b, "%d findings, want %d\n", len(got), len(want))
	}
	return b.String()
}

func kpiPercent(t *testing.T, now time.Time, db string) string {
	t.Helper()
	out, stderr, code := runAt(t, now, "kpi", "--db", db, "--format", "json")
	if code != cli.ExitOK {
		t.Fatalf("kpi: exit %d: %s", code, stderr)
	}
	var doc kpiDoc
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Compliance.Overall.Percent == nil {
		t.Fatalf("kpi: no percent compliant: %s", out)
	}
	return fmt.Sprintf("%.4f (%d pass, %d fail)", *doc.Compliance.Overall.Percent, doc.Compliance.Overall.Pass, doc.Compliance.Overall.Fail)
}
