package sagemaker

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sm "github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"

	"github.com/sagekey/sagekey/internal/collect"
	"github.com/sagekey/sagekey/internal/inventory"
)

// knownFake is a collect.Known serving fixed records and one window end.
type knownFake struct {
	records map[string]map[string]inventory.Resource // kind → ARN → record
	until   time.Time                                // zero: no window
}

func (k knownFake) Records(_ context.Context, _ collect.Target, kind string) (map[string]inventory.Resource, error) {
	return k.records[kind], nil
}

func (k knownFake) CompleteBefore(context.Context, collect.Target, string) (time.Time, bool) {
	return k.until, !k.until.IsZero()
}

func runWith(t *testing.T, c collect.Collector, tgt collect.Target) inventory.Inventory {
	t.Helper()
	sink := &collect.MemorySink{}
	collect.Run(context.Background(), []collect.Job{{Target: tgt, Collector: c}}, 1, sink)
	return sink.Inventory()
}

func jobAt(name string, at time.Time) types.SearchRecord {
	r := searchJob(name)
	r.TrainingJob.CreationTime = aws.Time(at)
	return r
}

func storedJob(name string, at time.Time) inventory.Resource {
	return inventory.Resource{Kind: kindTrainingJob, ARN: arnOf("training-job", name), Name: name, Account: target.Account,
		Region: target.Region, CreatedAt: at, Source: searchOp, Slots: wantJobSlots}
}

func names(inv inventory.Inventory) []string {
	var out []string
	for _, r := range inv.Resources {
		out = append(out, r.Name)
	}
	slices.Sort(out)
	return out
}

// A re-scan pages newest first only down to the stored window (less the
// index lag) and takes older jobs from the store.
func TestTrainingSearchStopsAtTheStoredWindow(t *testing.T) {
	until := created
	var pages []string
	api := &fakeAPI{t: t, search: func(in *sm.SearchInput) (*sm.SearchOutput, error) {
		if aws.ToString(in.SortBy) != "CreationTime" || in.SortOrder != types.SearchSortOrderDescending {
			t.Errorf("Search must sort newest first, got %v %v", aws.ToString(in.SortBy), in.SortOrder)
		}
		pages = append(pages, aws.ToString(in.NextToken))
		switch aws.ToString(in.NextToken) {
		case "":
			// job-mid is inside the overlap: the next page may still hold jobs
			// the last scan's Search did not see yet.
			return &sm.SearchOutput{Results: []types.SearchRecord{jobAt("job-new", until.Add(2*time.Hour)), jobAt("job-mid", until.Add(-30*time.Minute))}, NextToken: aws.String("p2")}, nil
		case "p2":
			return &sm.SearchOutput{Results: []types.SearchRecord{jobAt("job-old-1", until.Add(-2*time.Hour))}, NextToken: aws.String("p3")}, nil
		}
		t.Errorf("page %q read although every job on it is older than the window", aws.ToString(in.NextToken))
		return &sm.SearchOutput{}, nil
	}}
	known := knownFake{until: until, records: map[string]map[string]inventory.Resource{kindTrainingJob: {
		arnOf("training-job", "job-old-1"): storedJob("job-old-1", until.Add(-2*time.Hour)),
		arnOf("training-job", "job-old-2"): storedJob("job-old-2", until.Add(-48*time.Hour)),
	}}}
	tgt := target
	tgt.Known = known
	inv := runWith(t, trainingCollector(api), tgt)
	assertEqual(t, "pages", pages, []string{"", "p2"})
	assertEqual(t, "jobs", names(inv), []string{"job-mid", "job-new", "job-old-1", "job-old-2"})
	assertEqual(t, "gaps", inv.Gaps, []inventory.Gap{})
}

// A source that ignores the requested order is read to the end: stopping
// early would lose jobs.
func TestTrainingSearchReadsUnsortedResultsToTheEnd(t *testing.T) {
	api := &fakeAPI{t: t, search: func(in *sm.SearchInput) (*sm.SearchOutput, error) {
		if in.NextToken == nil {
			return &sm.SearchOutput{Results: []types.SearchRecord{jobAt("a", created.Add(-72*time.Hour)), jobAt("b", created.Add(time.Hour))}, NextToken: aws.String("p2")}, nil
		}
		return &sm.SearchOutput{Results: []types.SearchRecord{jobAt("c", created.Add(2*time.Hour))}}, nil
	}}
	tgt := target
	tgt.Since = created
	inv := runWith(t, trainingCollector(api), tgt)
	// "a" is outside --since; trimming it is the scan's job, not the collector's.
	assertEqual(t, "jobs", names(inv), []string{"a", "b", "c"})
}

// --since bounds Search the same way: newest first, stop past the bound.
func TestTrainingSearchStopsAtSince(t *testing.T) {
	calls := 0
	api := &fakeAPI{t: t, search: func(in *sm.SearchInput) (*sm.SearchOutput, error) {
		calls++
		return &sm.SearchOutput{Results: []types.SearchRecord{jobAt("new", created.Add(time.Hour)), jobAt("old", created.Add(-time.Hour))}, NextToken: aws.String("more")}, nil
	}}
	tgt := target
	tgt.Since = created
	runWith(t, trainingCollector(api), tgt)
	assertEqual(t, "Search calls", calls, 1)
}

// A stored endpoint config with the listed ARN and creation time is used as
// is (tags read again); one recreated under the same name is described, and
// an endpoint on a stored config needs no Describe of it either.
func TestKnownEndpointConfigsAreNotDescribedAgain(t *testing.T) {
	recreated := created.Add(24 * time.Hour)
	var mu sync.Mutex
	described := map[string]int{}
	tagged := 0
	api := &fakeAPI{
		t: t,
		listEndpointConfigs: func(*sm.ListEndpointConfigsInput) (*sm.ListEndpointConfigsOutput, error) {
			return &sm.ListEndpointConfigsOutput{EndpointConfigs: []types.EndpointConfigSummary{
				{EndpointConfigName: aws.String("kept"), EndpointConfigArn: aws.String(arnOf("endpoint-config", "kept")), CreationTime: aws.Time(created)},
				{EndpointConfigName: aws.String("again"), EndpointConfigArn: aws.String(arnOf("endpoint-config", "again")), CreationTime: aws.Time(recreated)},
			}}, nil
		},
		describeEndpointConfig: func(in *sm.DescribeEndpointConfigInput) (*sm.DescribeEndpointConfigOutput, error) {
			mu.Lock()
			described[aws.ToString(in.EndpointConfigName)]++
			mu.Unlock()
			out := config(aws.ToString(in.EndpointConfigName), "new-key")
			out.CreationTime = aws.Time(recreated)
			return out, nil
		},
		listEndpoints: func(*sm.ListEndpointsInput) (*sm.ListEndpointsOutput, error) {
			return &sm.ListEndpointsOutput{Endpoints: []types.EndpointSummary{{EndpointName: aws.String("ep"), EndpointArn: aws.String(arnOf("endpoint", "ep"))}}}, nil
		},
		describeEndpoint: func(*sm.DescribeEndpointInput) (*sm.DescribeEndpointOutput, error) {
			return endpoint("ep", "kept", ""), nil
		},
		listTags: func(*sm.ListTagsInput) (*sm.ListTagsOutput, error) {
			mu.Lock()
			tagged++
			mu.Unlock()
			return &sm.ListTagsOutput{Tags: []types.Tag{tag("owner", "now")}}, nil
		},
	}
	stored := func(name, key string, at time.Time) inventory.Resource {
		return inventory.Resource{Kind: kindEndpointConfig, ARN: arnOf("endpoint-config", name), Name: name, CreatedAt: at,
			Account: target.Account, Region: target.Region, Source: describeEndpointConfigOp, Tags: map[string]string{"owner": "then"},
			Slots: []inventory.Slot{{Type: "volume", Name: "volume", Label: "ML storage volume", KeyRef: key, InstanceTypes: []string{"ml.m5.large"}}}}
	}
	tgt := target
	tgt.Known = knownFake{records: map[string]map[string]inventory.Resource{kindEndpointConfig: {
		arnOf("endpoint-config", "kept"):  stored("kept", "stored-key", created),
		arnOf("endpoint-config", "again"): stored("again", "old-key", created), // same ARN, older creation
	}}}
	inv := runWith(t, hostingCollector(api), tgt)
	assertEqual(t, "described", described, map[string]int{"again": 1})
	assertEqual(t, "ListTags calls", tagged, 3) // tags can change: read for every listed resource
	kept := findResource(t, inv, kindEndpointConfig, "kept")
	assertEqual(t, "kept key", kept.Slots[0].KeyRef, "stored-key")
	assertEqual(t, "kept tags", kept.Tags, map[string]string{"owner": "now"})
	assertEqual(t, "recreated key", findResource(t, inv, kindEndpointConfig, "again").Slots[0].KeyRef, "new-key")
	assertEqual(t, "endpoint key", findResource(t, inv, kindEndpoint, "ep").Slots[0].KeyRef, "stored-key")
}

// --since reaches the List calls of job kinds as CreationTimeAfter, a
// second early because the filter is exclusive.
func TestSinceIsPushedIntoJobListings(t *testing.T) {
	var got *time.Time
	api := &fakeAPI{
		t:      t,
		search: func(*sm.SearchInput) (*sm.SearchOutput, error) { return nil, errDenied },
		listTrainingJobs: func(in *sm.ListTrainingJobsInput) (*sm.ListTrainingJobsOutput, error) {
			got = in.CreationTimeAfter
			return &sm.ListTrainingJobsOutput{}, nil
		},
	}
	tgt := target
	tgt.Since = created
	runWith(t, trainingCollector(api), tgt)
	if got == nil || !got.Equal(created.Add(-time.Second)) {
		t.Errorf("CreationTimeAfter = %v, want %v", got, created.Add(-time.Second))
	}
	if createdAfter(time.Time{}) != nil {
		t.Error("no --since must send no filter")
	}
}
