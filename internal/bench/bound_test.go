package bench

import (
	"strings"
	"testing"
	"time"
)

func TestLowerBounds(t *testing.T) {
	t.Parallel()
	threeRegions := BoundInput{
		Regions: []RegionCounts{
			{Region: "us-east-1", TrainingJobs: 1667, Notebooks: 100, EndpointConfigs: 100, Endpoints: 34, Clusters: 7, Models: 34},
			{Region: "eu-west-1", TrainingJobs: 1667, Notebooks: 100, EndpointConfigs: 100, Endpoints: 33, Clusters: 7, Models: 33},
			{Region: "ap-southeast-2", TrainingJobs: 1666, Notebooks: 100, EndpointConfigs: 100, Endpoints: 33, Clusters: 6, Models: 33},
		},
		DistinctKeys: 50,
		IAM:          &IAMListing{Roles: 2, LocalManagedPolicies: 1, Responses: 1},
	}
	// Questions about kinds the estate leaves empty: ListDomains per region
	// and ListJobs for two categories per region.
	var others []ListQuery
	for _, r := range []string{"us-east-1", "eu-west-1", "ap-southeast-2"} {
		others = append(others,
			ListQuery{Operation: "sagemaker:ListDomains", Region: r, Params: "{}", Calls: 1},
			ListQuery{Operation: "sagemaker:ListJobs", Region: r, Params: `{"JobCategory":"A"}`, Calls: 1},
			ListQuery{Operation: "sagemaker:ListJobs", Region: r, Params: `{"JobCategory":"B"}`, Calls: 1},
			// Estate listings are charged by formula, not per query.
			ListQuery{Operation: "sagemaker:ListEndpoints", Region: r, Params: "{}", Calls: 1},
			ListQuery{Operation: searchOperation, Region: r, Resource: "TrainingJob", Params: `{"Resource":"TrainingJob"}`, Calls: 17},
		)
	}
	recent := threeRegions
	recent.EndpointsRecent = true
	rescanWindow := recent
	rescanWindow.JobsInSearchWindow = true
	withinLag := recent
	withinLag.WithinTagLag = true
	jobs := BoundInput{
		Regions:      []RegionCounts{{Region: "us-east-1", TrainingJobs: 50000, ProcessingJobs: 50000}},
		DistinctKeys: 50, IAM: &IAMListing{Roles: 2, LocalManagedPolicies: 1, Responses: 1},
	}
	tests := []struct {
		name      string
		in        BoundInput
		queries   []ListQuery
		rescan    bool
		wantTotal int
		wantLines map[string]int
	}{
		{
			name: "one empty region costs one page per listing, the identity and nothing else",
			in:   BoundInput{Regions: []RegionCounts{{Region: "us-east-1"}}},
			// Two Searches, the recent ListEndpoints, four List calls,
			// no tag index (nothing to ask), GetCallerIdentity.
			wantTotal: 2 + 1 + 4 + 1,
			wantLines: map[string]int{
				"sagemaker:Search Resource=TrainingJob": 1, "sagemaker:Search Resource=Endpoint": 1, "sagemaker:ListClusters": 1,
				"sagemaker:ListTags": 0, "tag:GetResources (tags of the other kinds)": 0, "kms:DescribeKey": 0,
				"kms:ListGrants": 0, "sagemaker:DescribeModel (execution roles)": 0, iamDetailsOp: 0,
			},
		},
		{
			name: "grants beyond 100 a key and IAM items beyond 1000 cost more pages",
			in: BoundInput{
				Regions:      []RegionCounts{{Region: "us-east-1", Notebooks: 1}},
				DistinctKeys: 3,
				KeyGrants:    []int{100, 101, 250}, // 1, 2 and 3 pages
				IAM:          &IAMListing{Roles: 300, LocalManagedPolicies: 200, AWSManagedPolicies: 1485, Responses: 1},
			},
			// 2 Search, 1 recent ListEndpoints, 4 List, 1 GetResources page,
			// 1 Describe, 4 × 3 KMS reads, 6 ListGrants, ceil(1985/1000) = 2
			// IAM pages, STS.
			wantTotal: 2 + 1 + 4 + 1 + 1 + 12 + 6 + 2 + 1,
			wantLines: map[string]int{"kms:ListGrants": 6, "kms:GetKeyPolicy": 3, iamDetailsOp: 2, "tag:GetResources (tags of the other kinds)": 1},
		},
		{
			name: "page boundaries: 100 fit one page, 101 need two",
			in: BoundInput{Regions: []RegionCounts{
				{Region: "a", TrainingJobs: 100, Notebooks: 101},
				{Region: "b", TrainingJobs: 101, Notebooks: 200},
			}},
			// Search TJ 1+2, Search EP 2, recent 2, ListProcessingJobs 2,
			// ListNotebookInstances 2+2, ListEndpointConfigs 2, ListClusters
			// 2, GetResources 2+2, 301 Describe, STS.
			wantTotal: 3 + 2 + 2 + 2 + 4 + 2 + 2 + 4 + 301 + 1,
			wantLines: map[string]int{"sagemaker:Search Resource=TrainingJob": 3, "sagemaker:ListNotebookInstances": 4,
				"sagemaker:DescribeNotebookInstance": 301, "tag:GetResources (tags of the other kinds)": 4, "sagemaker:ListTags": 0},
		},
		{
			name:    "first scan of the default estate",
			in:      recent,
			queries: others,
			// Search 3×17 + 3, recent ListEndpoints 3, 4 List × 3 regions,
			// GetResources 3 × ceil(207/100), Describe (300+300+20), no
			// ListTags, 9 other queries, 100 DescribeModel, 4 KMS × 50, 50
			// ListGrants, 1 IAM page, 1 STS.
			wantTotal: 54 + 3 + 12 + 9 + 620 + 9 + 100 + 200 + 50 + 1 + 1,
			wantLines: map[string]int{
				"sagemaker:Search Resource=TrainingJob":                     51,
				"sagemaker:Search Resource=Endpoint":                        3,
				"sagemaker:ListEndpoints (modified within --search-lag)":    3,
				"tag:GetResources (tags of the other kinds)":                9,
				"sagemaker:DescribeEndpointConfig":                          300,
				"sagemaker:DescribeEndpoint":                                0,
				"sagemaker:ListTags":                                        0,
				"other List/Search queries (kinds the estate leaves empty)": 9,
				"sagemaker:DescribeModel (execution roles)":                 100,
				"kms:GetKeyPolicy":                                          50,
				"kms:ListGrants":                                            50,
				iamDetailsOp:                                                1,
			},
		},
		{
			name:    "resources created within --tag-lag are read with ListTags, and the index is not asked",
			in:      withinLag,
			queries: others,
			// Endpoints' tags still come with their Search records.
			wantTotal: 54 + 3 + 12 + 0 + 620 + 620 + 9 + 100 + 200 + 50 + 1 + 1,
			wantLines: map[string]int{"tag:GetResources (tags of the other kinds)": 0, "sagemaker:ListTags": 620},
		},
		{
			name:    "re-scan of the default estate skips endpoint configs and their models and pages training jobs once",
			in:      recent,
			queries: others,
			rescan:  true,
			// Search 3 + 3, recent 3, 12 List, GetResources 9, Describe
			// (300+20), 9 other queries, 4 KMS × 50 + 50 ListGrants, IAM, STS.
			wantTotal: 6 + 3 + 12 + 9 + 320 + 9 + 200 + 50 + 1 + 1,
			wantLines: map[string]int{
				"sagemaker:Search Resource=TrainingJob":     3,
				"sagemaker:DescribeEndpointConfig":          0,
				"sagemaker:DescribeModel (execution roles)": 0,
				"sagemaker:DescribeNotebookInstance":        300,
				"sagemaker:ListTags":                        0,
				"kms:ListGrants":                            50,
				iamDetailsOp:                                1,
			},
		},
		{
			name:      "re-scan within an hour of the first pages the training jobs again",
			in:        rescanWindow,
			queries:   others,
			rescan:    true,
			wantTotal: 54 + 3 + 12 + 9 + 320 + 9 + 200 + 50 + 1 + 1,
			wantLines: map[string]int{"sagemaker:Search Resource=TrainingJob": 51},
		},
		{
			name:   "job history re-scan: processing jobs listed and their tags paged, none described",
			in:     jobs,
			rescan: true,
			// Search TJ 1, Search EP 1, recent 1, ListProcessingJobs 500, 3
			// empty List, GetResources 500, 4 × 50 KMS, 50 ListGrants, IAM, STS.
			wantTotal: 1 + 1 + 1 + 500 + 3 + 500 + 200 + 50 + 1 + 1,
			wantLines: map[string]int{"sagemaker:DescribeProcessingJob": 0, "sagemaker:ListProcessingJobs": 500,
				"tag:GetResources (tags of the other kinds)": 500},
		},
		{
			name:      "job history first scan describes every processing job",
			in:        jobs,
			wantTotal: 500 + 1 + 1 + 500 + 3 + 500 + 50000 + 200 + 50 + 1 + 1,
			wantLines: map[string]int{"sagemaker:DescribeProcessingJob": 50000, "sagemaker:DescribeTrainingJob": 0},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			observed := Counts{Calls: map[string]int{}, Queries: tt.queries}
			b := FirstScanBound(tt.in, observed)
			if tt.rescan {
				b = RescanBound(tt.in, observed)
			}
			if b.Total != tt.wantTotal {
				t.Errorf("total = %d, want %d\n%s", b.Total, tt.wantTotal, describeBound(b))
			}
			for label, want := range tt.wantLines {
				if got, ok := lineCalls(b, label); !ok || got != want {
					t.Errorf("%s = %d (present %v), want %d", label, got, ok, want)
				}
			}
		})
	}
}

// The re-scan's training Search term and the recent ListEndpoints term
// follow --search-lag: the phases' start times against the end of seeding
// decide whether the jobs and endpoints are within it, and the derivations
// name the lag.
func TestBoundsFollowTheSearchLag(t *testing.T) {
	t.Parallel()
	est, err := PlanEstate(EstateSpec{TrainingJobs: 5000, ProcessingJobs: 300, Endpoints: 150, EndpointConfigs: 150, Models: 3, Keys: 3,
		Regions: []string{"us-east-1"}})
	if err != nil {
		t.Fatal(err)
	}
	seeded := &SeededEstate{Estate: est}
	finished := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	first := &PhaseResult{Started: finished.Add(5 * time.Second)}
	rescan := &PhaseResult{Started: finished.Add(10 * time.Minute)}
	for _, tt := range []struct {
		lag                 time.Duration
		wantSearch, wantEPs int
		wantText            string
	}{
		// Every job and endpoint is minutes old: within sagekey's default
		// hour, paged again; outside a 1s lag, one page.
		{0, 50, 2, "--search-lag 1h0m0s before the last scan"},
		{time.Second, 1, 1, "no job was created after --search-lag 1s before the last scan"},
	} {
		r := &Result{Estate: EstateSummary{SeedFinished: finished}, tagLag: time.Second, searchLag: tt.lag}
		in := r.boundInput(seeded, rescan, first)
		if in.JobsInSearchWindow != (tt.lag == 0) || in.EndpointsRecent != (tt.lag == 0) {
			t.Errorf("lag %s: JobsInSearchWindow %v, EndpointsRecent %v", tt.lag, in.JobsInSearchWindow, in.EndpointsRecent)
		}
		b := RescanBound(in, Counts{Calls: map[string]int{}})
		if got, _ := lineCalls(b, "sagemaker:Search Resource=TrainingJob"); got != tt.wantSearch {
			t.Errorf("lag %s: training Search = %d, want %d\n%s", tt.lag, got, tt.wantSearch, describeBound(b))
		}
		recent := "sagemaker:ListEndpoints (modified within --search-lag)"
		if got, _ := lineCalls(b, recent); got != tt.wantEPs {
			t.Errorf("lag %s: %s = %d, want %d", tt.lag, recent, got, tt.wantEPs)
		}
		if !strings.Contains(describeBound(b), tt.wantText) {
			t.Errorf("lag %s: derivations lack %q:\n%s", tt.lag, tt.wantText, describeBound(b))
		}
	}
}

func TestLowerBoundComparesWithObservedCalls(t *testing.T) {
	t.Parallel()
	in := BoundInput{Regions: []RegionCounts{{Region: "r", TrainingJobs: 5, EndpointConfigs: 2}}, DistinctKeys: 1}
	observed := Counts{
		Calls: map[string]int{
			searchOperation: 2, "sagemaker:ListEndpointConfigs": 1, "sagemaker:DescribeEndpointConfig": 2,
			"sagemaker:DescribeTrainingJob": 5, "sagemaker:ListDomains": 1, "sagemaker:DescribeDomain": 3,
		},
		Queries: []ListQuery{
			{Operation: searchOperation, Region: "r", Resource: "TrainingJob", Calls: 1, MaxResults: []int{100}},
			{Operation: searchOperation, Region: "r", Resource: "Pipeline", Calls: 1, MaxResults: []int{0}},
			{Operation: "sagemaker:ListEndpointConfigs", Region: "r", Calls: 1, MaxResults: []int{0}},
			{Operation: "sagemaker:ListDomains", Region: "r", Calls: 1},
		},
	}
	b := RescanBound(in, observed)
	if b.Observed != 14 {
		t.Errorf("observed total = %d, want 14", b.Observed)
	}
	observedOf := func(label string) int {
		for _, l := range b.Lines {
			if l.Label == label {
				return l.Observed
			}
		}
		t.Fatalf("no line %q in\n%s", label, describeBound(b))
		return 0
	}
	// Search for training jobs is the estate's; Search for pipelines is
	// another kind's question.
	if got := observedOf("sagemaker:Search Resource=TrainingJob"); got != 1 {
		t.Errorf("training Search observed = %d, want 1", got)
	}
	if got := observedOf("other List/Search queries (kinds the estate leaves empty)"); got != 2 {
		t.Errorf("other listings observed = %d, want 2 (ListDomains, Search Pipeline)", got)
	}
	if got := observedOf("sagemaker:DescribeTrainingJob"); got != 5 {
		t.Errorf("DescribeTrainingJob observed = %d, want 5 (bound 0: Search returns the jobs)", got)
	}
	if got := observedOf("calls to operations outside the bound"); got != 3 {
		t.Errorf("outside observed = %d, want the 3 DescribeDomain calls", got)
	}
	if len(b.Notes) != 1 || !strings.Contains(b.Notes[0], "sagemaker:ListEndpointConfigs with no MaxResults") {
		t.Errorf("notes = %q, want one about ListEndpointConfigs' page size", b.Notes)
	}
}

// TestLowerBoundChargesListGrantsPerKey: ListGrants is one question per key
// (its KeyId differs), charged on its own line, never as another kind's
// listing; a request without Limit gets a note.
func TestLowerBoundChargesListGrantsPerKey(t *testing.T) {
	t.Parallel()
	in := BoundInput{Regions: []RegionCounts{{Region: "r"}}, DistinctKeys: 2}
	observed := Counts{
		Calls: map[string]int{listGrantsOp: 2, describeModelOp: 1, iamDetailsOp: 1},
		Queries: []ListQuery{
			{Operation: listGrantsOp, Region: "r", Params: `{"KeyId":"a"}`, Calls: 1, MaxResults: []int{0}},
			{Operation: listGrantsOp, Region: "r", Params: `{"KeyId":"b"}`, Calls: 1, MaxResults: []int{0}},
		},
	}
	b := FirstScanBound(in, observed)
	for _, l := range b.Lines {
		switch l.Label {
		case listGrantsOp:
			if l.Calls != 2 || l.Observed != 2 {
				t.Errorf("ListGrants line: bound %d, observed %d; want 2 and 2", l.Calls, l.Observed)
			}
		case "other List/Search queries (kinds the estate leaves empty)":
			if l.Calls != 0 || l.Observed != 0 {
				t.Errorf("other listings: bound %d, observed %d; want ListGrants left out", l.Calls, l.Observed)
			}
		case "sagemaker:DescribeModel (execution roles)":
			// No endpoint config: the one DescribeModel is over the bound
			// of this line, yet counted here, not outside the bound.
			if l.Calls != 0 || l.Observed != 1 {
				t.Errorf("DescribeModel line: bound %d, observed %d; want 0 and 1", l.Calls, l.Observed)
			}
		case iamDetailsOp:
			if l.Calls != 0 || l.Observed != 1 || !strings.Contains(l.Derivation, "no resource runs as a role") {
				t.Errorf("IAM line: bound %d, observed %d (%s); want 0 and 1", l.Calls, l.Observed, l.Derivation)
			}
		case "calls to operations outside the bound":
			t.Errorf("calls outside the bound: %v", l.Details)
		}
	}
	if len(b.Notes) != 1 || !strings.Contains(b.Notes[0], "kms:ListGrants with no Limit") {
		t.Errorf("notes = %q, want one about ListGrants' page size", b.Notes)
	}
}

func TestParseListingDropsKMSPaging(t *testing.T) {
	t.Parallel()
	q := parseListing([]byte(`{"KeyId":"k","Limit":100,"Marker":"m"}`))
	if q.params != `{"KeyId":"k"}` || q.maxResults != 100 {
		t.Errorf("parsed %+v, want params {\"KeyId\":\"k\"} and page size 100", q)
	}
}

func TestParseListingDropsTaggingPaging(t *testing.T) {
	t.Parallel()
	q := parseListing([]byte(`{"ResourceTypeFilters":["sagemaker:notebook-instance"],"ResourcesPerPage":100,"PaginationToken":"p"}`))
	if q.params != `{"ResourceTypeFilters":["sagemaker:notebook-instance"]}` || q.maxResults != 100 {
		t.Errorf("parsed %+v, want the filters only and page size 100", q)
	}
	if !isListing(getResourcesOp) || operationFromTarget("ResourceGroupsTaggingAPI_20170126.GetResources", "tagging") != getResourcesOp {
		t.Errorf("tag:GetResources is not named or counted as a listing")
	}
}

func lineCalls(b LowerBound, label string) (int, bool) {
	for _, l := range b.Lines {
		if l.Label == label {
			return l.Calls, true
		}
	}
	return 0, false
}

func describeBound(b LowerBound) string {
	var sb strings.Builder
	for _, l := range b.Lines {
		sb.WriteString(l.Label + ": " + l.Derivation + "\n")
	}
	return sb.String()
}
