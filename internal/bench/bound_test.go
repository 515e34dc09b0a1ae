package bench

import (
	"strings"
	"testing"
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
	tests := []struct {
		name      string
		in        BoundInput
		queries   []ListQuery
		rescan    bool
		wantTotal int
		wantLines map[string]int
	}{
		{
			name:      "one empty region costs one page per listing, the identity and nothing else",
			in:        BoundInput{Regions: []RegionCounts{{Region: "us-east-1"}}},
			wantTotal: 1 + 4 + 1, // Search, four List calls, GetCallerIdentity
			wantLines: map[string]int{
				"sagemaker:Search (training jobs)": 1, "sagemaker:ListClusters": 1, "sagemaker:ListTags": 0, "kms:DescribeKey": 0,
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
			// Search, four List, 1 Describe + 1 ListTags, 4 × 3 other KMS
			// reads, 6 ListGrants, ceil(1985/1000) = 2 IAM pages, STS.
			wantTotal: 1 + 4 + 2 + 12 + 6 + 2 + 1,
			wantLines: map[string]int{"kms:ListGrants": 6, "kms:GetKeyPolicy": 3, iamDetailsOp: 2},
		},
		{
			name: "page boundaries: 100 fit one page, 101 need two",
			in: BoundInput{Regions: []RegionCounts{
				{Region: "a", TrainingJobs: 100, Notebooks: 101},
				{Region: "b", TrainingJobs: 101, Notebooks: 200},
			}},
			wantTotal: (1 + 2) + (2 + 2) + 2 + 2 + 2 + 301 + 301 + 1,
			wantLines: map[string]int{"sagemaker:Search (training jobs)": 3, "sagemaker:ListNotebookInstances": 4, "sagemaker:DescribeNotebookInstance": 301},
		},
		{
			name:    "first scan of the default estate",
			in:      threeRegions,
			queries: others,
			// Search 3×17 + 4 List × 3 regions + Describe (300+300+100+20)
			// + ListTags 720 + 9 other queries + 100 DescribeModel + 5 KMS
			// × 50 + 1 IAM page + 1 STS.
			wantTotal: 51 + 12 + 720 + 720 + 9 + 100 + 250 + 1 + 1,
			wantLines: map[string]int{
				"sagemaker:Search (training jobs)":                          51,
				"sagemaker:DescribeEndpointConfig":                          300,
				"sagemaker:ListTags":                                        720,
				"other List/Search queries (kinds the estate leaves empty)": 9,
				"sagemaker:DescribeModel (execution roles)":                 100,
				"kms:GetKeyPolicy":                                          50,
				"kms:ListGrants":                                            50,
				iamDetailsOp:                                                1,
			},
		},
		{
			name:    "re-scan of the default estate skips endpoint configs and their models and pages training jobs once",
			in:      threeRegions,
			queries: others,
			rescan:  true,
			// Search 3 + 12 + Describe (300+100+20) + 720 + 9 + 5 KMS × 50
			// + 1 IAM page + 1 STS; no DescribeModel.
			wantTotal: 3 + 12 + 420 + 720 + 9 + 250 + 1 + 1,
			wantLines: map[string]int{
				"sagemaker:Search (training jobs)":          3,
				"sagemaker:DescribeEndpointConfig":          0,
				"sagemaker:DescribeModel (execution roles)": 0,
				"sagemaker:DescribeNotebookInstance":        300,
				"sagemaker:ListTags":                        720,
				"kms:ListGrants":                            50,
				iamDetailsOp:                                1,
			},
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

func TestLowerBoundComparesWithObservedCalls(t *testing.T) {
	t.Parallel()
	in := BoundInput{Regions: []RegionCounts{{Region: "r", TrainingJobs: 5, EndpointConfigs: 2}}, DistinctKeys: 1}
	observed := Counts{
		Calls: map[string]int{
			searchOperation: 2, "sagemaker:ListEndpointConfigs": 1, "sagemaker:DescribeEndpointConfig": 2,
			"sagemaker:DescribeTrainingJob": 5, "sagemaker:ListDomains": 1,
		},
		Queries: []ListQuery{
			{Operation: searchOperation, Region: "r", Resource: "TrainingJob", Calls: 1, MaxResults: []int{100}},
			{Operation: searchOperation, Region: "r", Resource: "Pipeline", Calls: 1, MaxResults: []int{0}},
			{Operation: "sagemaker:ListEndpointConfigs", Region: "r", Calls: 1, MaxResults: []int{0}},
			{Operation: "sagemaker:ListDomains", Region: "r", Calls: 1},
		},
	}
	b := RescanBound(in, observed)
	if b.Observed != 11 {
		t.Errorf("observed total = %d, want 11", b.Observed)
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
	if got := observedOf("sagemaker:Search (training jobs)"); got != 1 {
		t.Errorf("training Search observed = %d, want 1", got)
	}
	if got := observedOf("other List/Search queries (kinds the estate leaves empty)"); got != 2 {
		t.Errorf("other listings observed = %d, want 2 (ListDomains, Search Pipeline)", got)
	}
	if got := observedOf("calls to operations outside the bound"); got != 5 {
		t.Errorf("outside observed = %d, want the 5 DescribeTrainingJob calls", got)
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
