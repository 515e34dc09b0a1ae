package sagemaker

import (
	"context"
	"errors"
	"iter"
	"slices"
	"strings"
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
	// failAfter, when > 0, makes Records fail after yielding that many
	// records, from its second reading on (the first counts them).
	failAfter int
	readings  *int
}

func (k knownFake) Records(_ context.Context, _ collect.Target, kind string) iter.Seq2[inventory.Resource, error] {
	reading := 0
	if k.readings != nil {
		*k.readings++
		reading = *k.readings
	}
	return func(yield func(inventory.Resource, error) bool) {
		n := 0
		for _, r := range k.records[kind] {
			if k.failAfter > 0 && reading > 1 && n == k.failAfter {
				yield(inventory.Resource{}, errors.New("database is locked"))
				return
			}
			if !yield(r, nil) {
				return
			}
			n++
		}
	}
}

func (k knownFake) Lookup(_ context.Context, _ collect.Target, kind string, arns []string) (map[string]inventory.Resource, error) {
	out := map[string]inventory.Resource{}
	for _, arn := range arns {
		if r, ok := k.records[kind][arn]; ok {
			out[arn] = r
		}
	}
	return out, nil
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
		Region: target.Region, CreatedAt: at, Source: searchOp, Slots: wantJobSlots, ExecutionRoles: wantJobRoles}
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

// A store that fails while its older jobs are being read is a gap: the
// window kept Search from reading those jobs, so they are unseen.
func TestTrainingStoreFailingPartWayIsAGap(t *testing.T) {
	until := created
	api := &fakeAPI{t: t, search: func(in *sm.SearchInput) (*sm.SearchOutput, error) {
		return &sm.SearchOutput{Results: []types.SearchRecord{jobAt("job-new", until.Add(2*time.Hour)), jobAt("job-old-1", until.Add(-2*time.Hour))}}, nil
	}}
	readings := 0
	known := knownFake{until: until, failAfter: 1, readings: &readings, records: map[string]map[string]inventory.Resource{kindTrainingJob: {
		arnOf("training-job", "job-old-2"): storedJob("job-old-2", until.Add(-48*time.Hour)),
		arnOf("training-job", "job-old-3"): storedJob("job-old-3", until.Add(-72*time.Hour)),
	}}}
	tgt := target
	tgt.Known = known
	inv := runWith(t, trainingCollector(api), tgt)
	if readings != 2 {
		t.Errorf("stored records read %d times, want 2 (count, then emit)", readings)
	}
	if got := names(inv); len(got) != 3 || !slices.Contains(got, "job-new") || !slices.Contains(got, "job-old-1") {
		t.Errorf("jobs %v, want job-new, job-old-1 and the one stored job read before the failure", got)
	}
	if len(inv.Gaps) != 1 || !strings.Contains(inv.Gaps[0].Reason, "database is locked") {
		t.Errorf("gaps %+v, want one naming the store's error", inv.Gaps)
	}
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
			return &sm.ListEndpointsOutput{Endpoints: []types.EndpointSummary{summary(endpoint("ep", "kept", ""))}}, nil
		},
		// The endpoint is read from its Search record, tags included.
		search: func(*sm.SearchInput) (*sm.SearchOutput, error) {
			return &sm.SearchOutput{Results: []types.SearchRecord{searchRecord(endpoint("ep", "kept", ""), tag("owner", "now"))}}, nil
		},
		listTags: func(*sm.ListTagsInput) (*sm.ListTagsOutput, error) {
			mu.Lock()
			tagged++
			mu.Unlock()
			return &sm.ListTagsOutput{Tags: []types.Tag{tag("owner", "now")}}, nil
		},
		describeModel: func(in *sm.DescribeModelInput) (*sm.DescribeModelOutput, error) {
			return &sm.DescribeModelOutput{ModelName: in.ModelName, ExecutionRoleArn: aws.String(roleARN2)}, nil
		},
	}
	stored := func(name, key string, at time.Time) inventory.Resource {
		return inventory.Resource{Kind: kindEndpointConfig, ARN: arnOf("endpoint-config", name), Name: name, CreatedAt: at,
			Account: target.Account, Region: target.Region, Source: describeEndpointConfigOp, Tags: map[string]string{"owner": "then"},
			Slots:          []inventory.Slot{{Type: "volume", Name: "volume", Label: "ML storage volume", KeyRef: key, InstanceTypes: []string{"ml.m5.large"}}},
			ExecutionRoles: []string{roleARN}}
	}
	tgt := target
	readings := 0
	tgt.Known = knownFake{readings: &readings, records: map[string]map[string]inventory.Resource{kindEndpointConfig: {
		arnOf("endpoint-config", "kept"):  stored("kept", "stored-key", created),
		arnOf("endpoint-config", "again"): stored("again", "old-key", created), // same ARN, older creation
	}}}
	inv := runWith(t, hostingCollector(api, newModelRoles(api)), tgt)
	// A listing looks its items up; it never reads the whole stored history.
	assertEqual(t, "whole readings of the store", readings, 0)
	assertEqual(t, "described", described, map[string]int{"again": 1})
	assertEqual(t, "ListTags calls", tagged, 2) // tags can change: read for every listed config (the endpoint's came with Search)
	assertEqual(t, "endpoint tags", findResource(t, inv, kindEndpoint, "ep").Tags, map[string]string{"owner": "now"})
	kept := findResource(t, inv, kindEndpointConfig, "kept")
	assertEqual(t, "kept key", kept.Slots[0].KeyRef, "stored-key")
	assertEqual(t, "kept tags", kept.Tags, map[string]string{"owner": "now"})
	assertEqual(t, "recreated key", findResource(t, inv, kindEndpointConfig, "again").Slots[0].KeyRef, "new-key")
	assertEqual(t, "endpoint key", findResource(t, inv, kindEndpoint, "ep").Slots[0].KeyRef, "stored-key")
	// Roles come with the stored config; only the recreated one reads its model.
	assertEqual(t, "kept roles", kept.ExecutionRoles, []string{roleARN})
	assertEqual(t, "endpoint roles", findResource(t, inv, kindEndpoint, "ep").ExecutionRoles, []string{roleARN})
	assertEqual(t, "recreated roles", findResource(t, inv, kindEndpointConfig, "again").ExecutionRoles, []string{roleARN2})
}

// A record stored before collectors recorded execution roles has neither
// roles nor a reason: reusing it would leave the resource without roles
// for good, so it is described again. A stored record with roles, or with
// the reason they are unknown, is still reused.
func TestStoredRecordsWithoutRolesAreDescribedAgain(t *testing.T) {
	var mu sync.Mutex
	described := map[string]int{}
	count := func(name string) {
		mu.Lock()
		described[name]++
		mu.Unlock()
	}
	api := &fakeJobsAPI{t: t, listTags: noTags,
		listProcessingJobs: func(*sm.ListProcessingJobsInput) (*sm.ListProcessingJobsOutput, error) {
			var out sm.ListProcessingJobsOutput
			for _, n := range []string{"old", "roles", "unknown"} {
				out.ProcessingJobSummaries = append(out.ProcessingJobSummaries, types.ProcessingJobSummary{
					ProcessingJobName: aws.String(n), ProcessingJobArn: aws.String(arnOf("processing-job", n)), CreationTime: aws.Time(created)})
			}
			return &out, nil
		},
		describeProcessingJob: func(in *sm.DescribeProcessingJobInput) (*sm.DescribeProcessingJobOutput, error) {
			count(aws.ToString(in.ProcessingJobName))
			return &sm.DescribeProcessingJobOutput{ProcessingJobName: in.ProcessingJobName, RoleArn: aws.String(roleARN2),
				ProcessingJobArn: aws.String(arnOf("processing-job", aws.ToString(in.ProcessingJobName))), CreationTime: aws.Time(created)}, nil
		},
	}
	stored := func(name string, roles []string, unknown string) inventory.Resource {
		return inventory.Resource{Kind: kindProcessingJob, ARN: arnOf("processing-job", name), Name: name, CreatedAt: created,
			Account: target.Account, Region: target.Region, Source: "sagemaker:DescribeProcessingJob",
			Slots:          []inventory.Slot{{Type: "volume", Name: "volume", Label: "ML storage volume", KeyRef: "stored-key"}},
			ExecutionRoles: roles, RolesUnknown: unknown}
	}
	tgt := target
	tgt.Known = knownFake{records: map[string]map[string]inventory.Resource{kindProcessingJob: {
		arnOf("processing-job", "old"):     stored("old", nil, ""),
		arnOf("processing-job", "roles"):   stored("roles", []string{roleARN}, ""),
		arnOf("processing-job", "unknown"): stored("unknown", nil, "model m no longer exists"),
	}}}
	inv := runWith(t, processingJobCollector(api), tgt)
	assertEqual(t, "described", described, map[string]int{"old": 1})
	assertEqual(t, "old roles", findResource(t, inv, kindProcessingJob, "old").ExecutionRoles, []string{roleARN2})
	assertEqual(t, "reused roles", findResource(t, inv, kindProcessingJob, "roles").ExecutionRoles, []string{roleARN})
	assertEqual(t, "reused reason", findResource(t, inv, kindProcessingJob, "unknown").RolesUnknown, "model m no longer exists")
	// Kinds without an execution role are not affected.
	if storedWithoutRoles(kindModelCard, inventory.Resource{}) {
		t.Error("a model card has no role to miss")
	}
}

// A training job stored before roles is left out of the stored records, so
// the stored window no longer vouches for every older job: Search reads on
// past it, and the job comes back from Search with its role.
func TestTrainingSearchReadsPastTheWindowForRecordsWithoutRoles(t *testing.T) {
	until := created
	var pages []string
	api := &fakeAPI{t: t, search: func(in *sm.SearchInput) (*sm.SearchOutput, error) {
		pages = append(pages, aws.ToString(in.NextToken))
		if in.NextToken == nil {
			return &sm.SearchOutput{Results: []types.SearchRecord{jobAt("job-new", until.Add(2*time.Hour)), jobAt("job-old", until.Add(-2*time.Hour))}, NextToken: aws.String("p2")}, nil
		}
		return &sm.SearchOutput{Results: []types.SearchRecord{jobAt("job-older", until.Add(-48*time.Hour))}}, nil
	}}
	withoutRoles := storedJob("job-older", until.Add(-48*time.Hour))
	withoutRoles.ExecutionRoles = nil
	tgt := target
	tgt.Known = knownFake{until: until, records: map[string]map[string]inventory.Resource{kindTrainingJob: {
		arnOf("training-job", "job-old"):   storedJob("job-old", until.Add(-2*time.Hour)),
		arnOf("training-job", "job-older"): withoutRoles,
	}}}
	inv := runWith(t, trainingCollector(api), tgt)
	assertEqual(t, "pages", pages, []string{"", "p2"})
	assertEqual(t, "jobs", names(inv), []string{"job-new", "job-old", "job-older"})
	older := findResource(t, inv, kindTrainingJob, "job-older")
	assertEqual(t, "older job", []any{older.Source, older.ExecutionRoles}, []any{searchOp, wantJobRoles})
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
