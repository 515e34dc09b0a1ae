package bench

import (
	"bytes"
	"io"
	"reflect"
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
	// The bound for one region with two notebooks: Search for training
	// jobs and for endpoints 1 each, the recent ListEndpoints 1, four List
	// 1 each, 1 GetResources page, 2 DescribeNotebookInstance, no ListTags,
	// the notebooks' roles in 1 IAM page, 1 GetCallerIdentity = 12.
	exact := map[string]int{
		searchOperation: 2, "sagemaker:ListEndpoints": 1, "sagemaker:ListProcessingJobs": 1, "sagemaker:ListNotebookInstances": 1,
		"sagemaker:ListEndpointConfigs": 1, "sagemaker:ListClusters": 1, getResourcesOp: 1, "sagemaker:DescribeNotebookInstance": 2,
		iamDetailsOp: 1, "sts:GetCallerIdentity": 1,
	}
	wasteful := map[string]int{"sagemaker:DescribeTrainingJob": 5}
	for k, v := range exact {
		wasteful[k] = v
	}
	res := &Result{
		Config:    ResultConfig{ThrottleRescanPercent: 10, Estate: EstateScan},
		First:     phaseWith(t, "a", exact, time.Second, 40, reportJSON("FAIL", "FAIL", "")),
		Rescan:    phaseWith(t, "b", wasteful, time.Second, 200, reportJSON("FAIL", "FAIL", "")),
		Full:      phaseWith(t, "c", exact, time.Second, 40, reportJSON("FAIL", "FAIL", "")),
		Throttled: phaseWith(t, "e", exact, time.Second, 40, reportJSON("ERROR", "ERROR", "")),
	}
	res.evaluate(&SeededEstate{Estate: est, IAM: IAMListing{Roles: 2, LocalManagedPolicies: 1, Responses: 1}})

	want := map[string]string{
		"first scan API calls ≤ 1.1 × lower bound":                                                   targetPass,
		"naive API calls ≥ 5 × first-scan calls":                                                     targetSkip,
		"naive wall time ≥ 5 × first-scan wall time":                                                 targetSkip,
		"re-scan API calls ≤ 1.1 × its lower bound":                                                  targetFail, // 17 > 13.2
		"re-scan made no DescribeEndpointConfig / DescribeTrainingJob / DescribeProcessingJob calls": targetFail,
		"default scan (a) has the verdicts of a --full scan (c), every <kind>.tags verdict included": targetPass,
		"scan with 10 % throttling (e) has the verdicts of the first scan (a)":                       targetFail,
		// The report has no key-access finding for the two notebooks.
		"first scan's key-access verdicts are those the seeded roles imply": targetFail,
		"peak RSS of sagekey phase a < 150 MiB":                             targetPass,
		"peak RSS of sagekey phase b < 150 MiB":                             targetFail,
		"peak RSS of sagekey phase c < 150 MiB":                             targetPass,
		"peak RSS of sagekey phase e < 150 MiB":                             targetPass,
	}
	if len(res.Targets) != len(want) {
		t.Fatalf("got %d targets, want %d: %+v", len(res.Targets), len(want), res.Targets)
	}
	for _, tg := range res.Targets {
		if want[tg.Name] != tg.Status {
			t.Errorf("%s: %s (%s), want %s", tg.Name, tg.Status, tg.Detail, want[tg.Name])
		}
	}
	if res.FirstBound.Total != 12 {
		t.Errorf("first-scan bound = %d, want 12", res.FirstBound.Total)
	}
	if res.Passed() {
		t.Error("Passed() with failed targets")
	}
	var out bytes.Buffer
	if err := WriteText(&out, res); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"identical verdicts: no", "5 of 12 targets failed", "want NOT_APPLICABLE, got no finding", "skipped (-skip-naive)"} {
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
		Full:      phaseWith(t, "c", ok, time.Second, 40, reportJSON("PASS", "PASS", "")),
		Throttled: &PhaseResult{ID: "e", Failure: "sagekey exited with status 2", Counts: Counts{Calls: map[string]int{}}},
	}
	res.evaluate(&SeededEstate{Estate: est})
	for _, tg := range res.Targets {
		if strings.Contains(tg.Name, "(e)") || strings.Contains(tg.Name, "phase e") {
			if tg.Status != targetFail {
				t.Errorf("%s: %s, want FAIL because phase e failed", tg.Name, tg.Status)
			}
		}
	}
	if res.Passed() {
		t.Error("Passed() with a failed phase")
	}
}

// TestJobHistoryTargets: the job-history estate runs phases a and b only;
// its re-scan must stay under 1,500 calls, and the verdict targets, whose
// phases it does not run, are skipped.
func TestJobHistoryTargets(t *testing.T) {
	t.Parallel()
	est, err := PlanEstate(EstateSpec{Regions: []string{"r"}, TrainingJobs: 150, ProcessingJobs: 150})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name       string
		rescan     int // ListProcessingJobs pages the re-scan makes
		wantRescan string
	}{
		{"under the ceiling", 2, targetPass},
		{"at the ceiling", jobsMaxRescanCalls, targetFail},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			calls := map[string]int{searchOperation: 3, "sagemaker:ListProcessingJobs": tt.rescan, getResourcesOp: 2, "sts:GetCallerIdentity": 1}
			res := &Result{
				Config: ResultConfig{Estate: EstateJobs, ThrottleRescanPercent: 10},
				Estate: EstateSummary{Spec: est.Spec},
				First:  phaseWith(t, "a", calls, time.Second, 40, reportJSON("PASS", "PASS", "")),
				Rescan: phaseWith(t, "b", calls, time.Second, 40, reportJSON("PASS", "PASS", "")),
			}
			res.evaluate(&SeededEstate{Estate: est})
			got := map[string]string{}
			for _, tg := range res.Targets {
				got[tg.Name] = tg.Status
			}
			for name, want := range map[string]string{
				"job-history re-scan makes < 1500 API calls":                                                 tt.wantRescan,
				"default scan (a) has the verdicts of a --full scan (c), every <kind>.tags verdict included": targetSkip,
				"scan with 10 % throttling (e) has the verdicts of the first scan (a)":                       targetSkip,
				"peak RSS of sagekey phase b < 150 MiB":                                                      targetPass,
			} {
				if got[name] != want {
					t.Errorf("%s: %s, want %s (targets %v)", name, got[name], want, got)
				}
			}
			if _, ok := got["peak RSS of sagekey phase c < 150 MiB"]; ok {
				t.Errorf("phase c is not run in the job-history estate, yet has an RSS target")
			}
		})
	}
}

func TestParseConfigEstates(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		args    []string
		want    EstateSpec // regions left out
		naive   bool
		wantErr string
	}{
		{args: nil, want: EstateSpec{TrainingJobs: 5000, Notebooks: 300, EndpointConfigs: 300, Endpoints: 100, Clusters: 20, Keys: 50, Models: 100}, naive: true},
		{args: []string{"-estate", "jobs"}, want: EstateSpec{TrainingJobs: 50000, ProcessingJobs: 50000, Keys: 50}},
		{args: []string{"-estate", "jobs", "-processing-jobs", "2000", "-notebooks", "3"},
			want: EstateSpec{TrainingJobs: 50000, ProcessingJobs: 2000, Notebooks: 3, Keys: 50}},
		{args: []string{"-estate", "history"}, wantErr: "-estate must be"},
		{args: []string{"-tag-lag", "0s"}, wantErr: "-tag-lag must be positive"},
	} {
		cfg, err := ParseConfig(tt.args, io.Discard)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%v: error %v, want %q", tt.args, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%v: %v", tt.args, err)
			continue
		}
		got := cfg.Estate
		got.Regions = nil
		if !reflect.DeepEqual(got, tt.want) || cfg.SkipNaive == tt.naive || cfg.TagLag != defaultTagLag || cfg.searchLag() != defaultTagLag {
			t.Errorf("%v: estate %+v, naive %v, tag lag %s, search lag %s; want %+v, naive %v, %s for both",
				tt.args, got, !cfg.SkipNaive, cfg.TagLag, cfg.searchLag(), tt.want, tt.naive, defaultTagLag)
		}
	}
}

// sagekey's --search-lag is the bench's tag lag, which it waits out after
// seeding.
func TestParseConfigSearchLagFollowsTagLag(t *testing.T) {
	t.Parallel()
	cfg, err := ParseConfig([]string{"-estate", "jobs", "-tag-lag", "5s"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.TagLag != 5*time.Second || cfg.searchLag() != 5*time.Second {
		t.Errorf("tag lag %s, search lag %s; want 5s for both", cfg.TagLag, cfg.searchLag())
	}
	if rc := resultConfig(cfg, "sagekey", ""); rc.TagLag != "5s" || rc.SearchLag != "5s" {
		t.Errorf("result config tag lag %q, search lag %q; want 5s for both", rc.TagLag, rc.SearchLag)
	}
}
