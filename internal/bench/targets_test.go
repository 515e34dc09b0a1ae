package bench

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// phaseWith is a finished sagekey phase with the given calls, wall time,
// RSS and report.
func phaseWith(t *testing.T, id string, calls map[string]int, wall time.Duration, rssMiB int64, report string) *PhaseResult {
	return &PhaseResult{
		ID: id, Name: "phase " + id, Wall: wall, PeakRSSKiB: rssMiB * 1024,
		Counts:     Counts{Calls: calls},
		ReportPath: writeReport(t, id+".json", report),
	}
}

func TestTargetsJudgeTheMeasurements(t *testing.T) {
	t.Parallel()
	est, err := PlanEstate(EstateSpec{Regions: []string{"r"}, Notebooks: 2})
	if err != nil {
		t.Fatal(err)
	}
	// The bound for one region with two notebooks: Search 1, four List 1
	// each, 2 DescribeNotebookInstance, 2 ListTags, the notebooks' roles in
	// 1 IAM page, 1 GetCallerIdentity = 11.
	exact := map[string]int{
		searchOperation: 1, "sagemaker:ListNotebookInstances": 1, "sagemaker:ListEndpointConfigs": 1,
		"sagemaker:ListEndpoints": 1, "sagemaker:ListClusters": 1, "sagemaker:DescribeNotebookInstance": 2,
		"sagemaker:ListTags": 2, iamDetailsOp: 1, "sts:GetCallerIdentity": 1,
	}
	wasteful := map[string]int{"sagemaker:DescribeTrainingJob": 5}
	for k, v := range exact {
		wasteful[k] = v
	}
	res := &Result{
		First:     phaseWith(t, "a", exact, time.Second, 40, reportJSON("FAIL", "FAIL", "")),
		Rescan:    phaseWith(t, "b", wasteful, time.Second, 200, reportJSON("FAIL", "FAIL", "")),
		Throttled: phaseWith(t, "c", exact, time.Second, 40, reportJSON("ERROR", "ERROR", "")),
	}
	res.evaluate(&SeededEstate{Estate: est, IAM: IAMListing{Roles: 2, LocalManagedPolicies: 1, Responses: 1}})

	want := map[string]string{
		"first scan API calls ≤ 1.1 × lower bound":                           targetPass,
		"naive API calls ≥ 5 × first-scan calls":                             targetSkip,
		"naive wall time ≥ 5 × first-scan wall time":                         targetSkip,
		"re-scan API calls ≤ 1.1 × its lower bound":                          targetFail, // 16 > 12.1
		"re-scan made no DescribeEndpointConfig / DescribeTrainingJob calls": targetFail,
		"throttled full re-scan has identical verdicts to the first scan":    targetFail,
		// The report has no key-access finding for the two notebooks.
		"first scan's key-access verdicts are those the seeded roles imply": targetFail,
		"peak RSS of sagekey phase a < 150 MiB":                             targetPass,
		"peak RSS of sagekey phase b < 150 MiB":                             targetFail,
		"peak RSS of sagekey phase c < 150 MiB":                             targetPass,
	}
	if len(res.Targets) != len(want) {
		t.Fatalf("got %d targets, want %d: %+v", len(res.Targets), len(want), res.Targets)
	}
	for _, tg := range res.Targets {
		if want[tg.Name] != tg.Status {
			t.Errorf("%s: %s (%s), want %s", tg.Name, tg.Status, tg.Detail, want[tg.Name])
		}
	}
	if res.FirstBound.Total != 11 {
		t.Errorf("first-scan bound = %d, want 11", res.FirstBound.Total)
	}
	if res.Passed() {
		t.Error("Passed() with failed targets")
	}
	var out bytes.Buffer
	if err := WriteText(&out, res); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"identical verdicts: no", "5 of 10 targets failed", "want NOT_APPLICABLE, got no finding", "skipped (-skip-naive)"} {
		if !strings.Contains(out.String(), s) {
			t.Errorf("report lacks %q:\n%s", s, out.String())
		}
	}
}

func TestAFailedPhaseFailsItsTargets(t *testing.T) {
	t.Parallel()
	est, err := PlanEstate(EstateSpec{Regions: []string{"r"}})
	if err != nil {
		t.Fatal(err)
	}
	ok := map[string]int{"sts:GetCallerIdentity": 1}
	res := &Result{
		First:     phaseWith(t, "a", ok, time.Second, 40, reportJSON("PASS", "PASS", "")),
		Rescan:    phaseWith(t, "b", ok, time.Second, 40, reportJSON("PASS", "PASS", "")),
		Throttled: &PhaseResult{ID: "c", Failure: "sagekey exited with status 2", Counts: Counts{Calls: map[string]int{}}},
	}
	res.evaluate(&SeededEstate{Estate: est})
	for _, tg := range res.Targets {
		if strings.Contains(tg.Name, "identical verdicts") || strings.Contains(tg.Name, "phase c") {
			if tg.Status != targetFail {
				t.Errorf("%s: %s, want FAIL because phase c failed", tg.Name, tg.Status)
			}
		}
	}
	if res.Passed() {
		t.Error("Passed() with a failed phase")
	}
}
