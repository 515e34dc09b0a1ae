package sagemaker

import (
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sm "github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"

	"github.com/sagekey/sagekey/internal/inventory"
)

// endpointWorld is what the endpoint Search tests serve: Search pages,
// the ListEndpoints answer (filtered by LastModifiedTimeAfter, as AWS
// does), DescribeEndpoint outputs, configs cfg-a and cfg-b, and ListTags.
// It counts every call by operation and name.
type endpointWorld struct {
	pages       [][]types.SearchRecord
	searchErr   map[int]error // by page index
	listed      []*sm.DescribeEndpointOutput
	listErr     error
	described   map[string]*sm.DescribeEndpointOutput
	describeErr map[string]error
	configErr   map[string]error
	tags        map[string][]types.Tag // by endpoint name

	mu         sync.Mutex
	calls      map[string]int
	listInputs []*sm.ListEndpointsInput
}

func (w *endpointWorld) count(op string) {
	w.mu.Lock()
	w.calls[op]++
	w.mu.Unlock()
}

func (w *endpointWorld) api(t *testing.T) *fakeAPI {
	w.calls = map[string]int{}
	configs := map[string]*sm.DescribeEndpointConfigOutput{"cfg-a": config("cfg-a", "key-a"), "cfg-b": config("cfg-b", "key-b")}
	return &fakeAPI{t: t,
		listEndpointConfigs: noEndpointConfigs,
		describeEndpointConfig: func(in *sm.DescribeEndpointConfigInput) (*sm.DescribeEndpointConfigOutput, error) {
			name := aws.ToString(in.EndpointConfigName)
			w.count("DescribeEndpointConfig " + name)
			if err := w.configErr[name]; err != nil {
				return nil, err
			}
			if c, ok := configs[name]; ok {
				return c, nil
			}
			return nil, errGone("endpoint configuration " + name)
		},
		describeModel: func(in *sm.DescribeModelInput) (*sm.DescribeModelOutput, error) {
			return &sm.DescribeModelOutput{ModelName: in.ModelName, ExecutionRoleArn: aws.String(roleARN)}, nil
		},
		search: func(in *sm.SearchInput) (*sm.SearchOutput, error) {
			if in.Resource != types.ResourceTypeEndpoint || aws.ToInt32(in.MaxResults) != 100 ||
				aws.ToString(in.SortBy) != "CreationTime" || in.SortOrder != types.SearchSortOrderAscending {
				t.Errorf("Search input = %+v", in)
			}
			i := 0
			if in.NextToken != nil {
				i, _ = strconv.Atoi(*in.NextToken)
			}
			w.count("Search")
			if err := w.searchErr[i]; err != nil {
				return nil, err
			}
			out := &sm.SearchOutput{}
			if i < len(w.pages) {
				out.Results = w.pages[i]
			}
			if i+1 < len(w.pages) {
				out.NextToken = aws.String(strconv.Itoa(i + 1))
			}
			return out, nil
		},
		listEndpoints: func(in *sm.ListEndpointsInput) (*sm.ListEndpointsOutput, error) {
			w.count("ListEndpoints")
			w.mu.Lock()
			w.listInputs = append(w.listInputs, in)
			w.mu.Unlock()
			if w.listErr != nil {
				return nil, w.listErr
			}
			out := &sm.ListEndpointsOutput{}
			for _, e := range w.listed {
				if modifiedAfter(in, e) {
					out.Endpoints = append(out.Endpoints, summary(e))
				}
			}
			return out, nil
		},
		describeEndpoint: func(in *sm.DescribeEndpointInput) (*sm.DescribeEndpointOutput, error) {
			name := aws.ToString(in.EndpointName)
			w.count("DescribeEndpoint " + name)
			if err := w.describeErr[name]; err != nil {
				return nil, err
			}
			if e, ok := w.described[name]; ok {
				return e, nil
			}
			return nil, errGone("endpoint " + name)
		},
		listTags: func(in *sm.ListTagsInput) (*sm.ListTagsOutput, error) {
			arn := aws.ToString(in.ResourceArn)
			name := arn[len(arnOf("endpoint", "")):]
			w.count("ListTags " + name)
			return &sm.ListTagsOutput{Tags: w.tags[name]}, nil
		},
	}
}

// withStatus returns a copy of an endpoint in another status.
func withStatus(e *sm.DescribeEndpointOutput, s types.EndpointStatus) *sm.DescribeEndpointOutput {
	c := *e
	c.EndpointStatus = s
	return &c
}

// modifiedAt returns a copy of an endpoint last modified at at.
func modifiedAt(e *sm.DescribeEndpointOutput, at time.Time) *sm.DescribeEndpointOutput {
	c := *e
	c.LastModifiedTime = aws.Time(at)
	return &c
}

func TestEndpointsReadWithSearch(t *testing.T) {
	const (
		fromSearch   = "sagemaker:Search+DescribeEndpointConfig"
		fromDescribe = "sagemaker:DescribeEndpoint+DescribeEndpointConfig"
	)
	volume := func(prefix, label, cfg, key string) inventory.Slot {
		return inventory.Slot{Type: "volume", Name: prefix + ":volume", Label: label + " " + cfg + ": ML storage volume",
			KeyRef: key, InstanceTypes: []string{"ml.m5.large"}}
	}
	onA := volume("config", "config", "cfg-a", "key-a")
	onB := volume("config", "config", "cfg-b", "key-b")
	pendingB := volume("pending", "pending config", "cfg-b", "key-b")
	res := func(name, cfg, source string, tags map[string]string, slots ...inventory.Slot) inventory.Resource {
		return inventory.Resource{Kind: kindEndpoint, ARN: arnOf("endpoint", name), Name: name, CreatedAt: created,
			Account: target.Account, Region: target.Region, Source: source, Tags: tags, Slots: slots,
			Attributes: map[string]string{inventory.AttrEndpointConfig: cfg}, ExecutionRoles: []string{roleARN}}
	}
	gap := func(service, reason string) inventory.Gap {
		return inventory.Gap{Account: target.Account, Region: target.Region, Service: service, Reason: reason}
	}
	recently := time.Now().Add(-5 * time.Minute)
	epA, epB := endpoint("ep-a", "cfg-a", ""), endpoint("ep-b", "cfg-b", "")
	moving := endpoint("moving", "cfg-a", "cfg-b") // Updating, cfg-b pending

	tests := []struct {
		name      string
		world     *endpointWorld
		want      []inventory.Resource
		calls     map[string]int
		gaps      []inventory.Gap
		fallback  bool // ListEndpoints lists everything (no LastModifiedTimeAfter)
		noListing bool // ListEndpoints is not called
	}{
		{
			name: "records with and without tags: no Describe, no ListTags",
			world: &endpointWorld{
				pages:  [][]types.SearchRecord{{searchRecord(epA, tag("env", "prod")), searchRecord(epB)}},
				listed: []*sm.DescribeEndpointOutput{epA, epB}, // both old: the recent listing returns neither
			},
			want: []inventory.Resource{
				res("ep-a", "cfg-a", fromSearch, map[string]string{"env": "prod"}, onA),
				res("ep-b", "cfg-b", fromSearch, nil, onB),
			},
			calls: map[string]int{"Search": 1, "ListEndpoints": 1, "DescribeEndpointConfig cfg-a": 1, "DescribeEndpointConfig cfg-b": 1},
		},
		{
			name: "records over two pages",
			world: &endpointWorld{
				pages: [][]types.SearchRecord{{searchRecord(epA)}, {searchRecord(epB), searchRecord(epA)}}, // ep-a twice: once
			},
			want:  []inventory.Resource{res("ep-a", "cfg-a", fromSearch, nil, onA), res("ep-b", "cfg-b", fromSearch, nil, onB)},
			calls: map[string]int{"Search": 2, "ListEndpoints": 1, "DescribeEndpointConfig cfg-a": 1, "DescribeEndpointConfig cfg-b": 1},
		},
		{
			// The record has no PendingDeploymentSummary: Describe shows
			// cfg-b; the tags still come from the record.
			name: "an updating endpoint is described",
			world: &endpointWorld{
				pages:     [][]types.SearchRecord{{searchRecord(moving, tag("team", "ml")), searchRecord(epA)}},
				described: map[string]*sm.DescribeEndpointOutput{"moving": moving},
			},
			want: []inventory.Resource{
				res("ep-a", "cfg-a", fromSearch, nil, onA),
				res("moving", "cfg-a", fromDescribe, map[string]string{"team": "ml"}, onA, pendingB),
			},
			calls: map[string]int{"Search": 1, "ListEndpoints": 1, "DescribeEndpoint moving": 1,
				"DescribeEndpointConfig cfg-a": 1, "DescribeEndpointConfig cfg-b": 1},
		},
		{
			name: "every unsettled status is described, settled ones are not",
			world: &endpointWorld{
				pages: [][]types.SearchRecord{{
					searchRecord(withStatus(endpoint("creating", "cfg-a", ""), types.EndpointStatusCreating)),
					searchRecord(withStatus(endpoint("sysupd", "cfg-a", ""), types.EndpointStatusSystemUpdating)),
					searchRecord(withStatus(endpoint("rolling", "cfg-a", ""), types.EndpointStatusRollingBack)),
					searchRecord(withStatus(endpoint("stuck", "cfg-a", ""), types.EndpointStatusUpdateRollbackFailed)),
					searchRecord(withStatus(endpoint("future", "cfg-a", ""), "SomethingNew")),
					searchRecord(withStatus(endpoint("off", "cfg-a", ""), types.EndpointStatusOutOfService)),
					searchRecord(withStatus(endpoint("failed", "cfg-a", ""), types.EndpointStatusFailed)),
					// Gone since the index saw it: skipped, as after List.
					searchRecord(withStatus(endpoint("deleting", "cfg-a", ""), types.EndpointStatusDeleting)),
				}},
				described: map[string]*sm.DescribeEndpointOutput{
					"creating": endpoint("creating", "cfg-a", ""), "sysupd": endpoint("sysupd", "cfg-a", ""),
					"rolling": endpoint("rolling", "cfg-a", "cfg-b"), "stuck": endpoint("stuck", "cfg-a", "cfg-b"),
					"future": endpoint("future", "cfg-a", ""),
				},
			},
			want: []inventory.Resource{
				res("creating", "cfg-a", fromDescribe, nil, onA),
				res("failed", "cfg-a", fromSearch, nil, onA),
				res("future", "cfg-a", fromDescribe, nil, onA),
				res("off", "cfg-a", fromSearch, nil, onA),
				res("rolling", "cfg-a", fromDescribe, nil, onA, pendingB),
				res("stuck", "cfg-a", fromDescribe, nil, onA, pendingB),
				res("sysupd", "cfg-a", fromDescribe, nil, onA),
			},
			calls: map[string]int{"Search": 1, "ListEndpoints": 1, "DescribeEndpointConfig cfg-a": 1, "DescribeEndpointConfig cfg-b": 1,
				"DescribeEndpoint creating": 1, "DescribeEndpoint sysupd": 1, "DescribeEndpoint rolling": 1,
				"DescribeEndpoint stuck": 1, "DescribeEndpoint future": 1, "DescribeEndpoint deleting": 1},
		},
		{
			// Unreadable, as after List: ERROR, and a gap; the record's
			// tags still stand.
			name: "an updating endpoint whose Describe fails",
			world: &endpointWorld{
				pages:       [][]types.SearchRecord{{searchRecord(moving, tag("team", "ml"))}},
				describeErr: map[string]error{"moving": errThrottled},
			},
			want: []inventory.Resource{{Kind: kindEndpoint, ARN: arnOf("endpoint", "moving"), Name: "moving", CreatedAt: created,
				Account: target.Account, Region: target.Region, Source: "sagemaker:Search", Tags: map[string]string{"team": "ml"},
				Slots:        []inventory.Slot{inventory.UnreadableSlot("sagemaker:DescribeEndpoint: throttled after retries")},
				RolesUnknown: "sagemaker:DescribeEndpoint: throttled after retries"}},
			calls: map[string]int{"Search": 1, "ListEndpoints": 1, "DescribeEndpoint moving": 1},
			gaps:  []inventory.Gap{gap("sagemaker:DescribeEndpoint", "moving: sagemaker:DescribeEndpoint: throttled after retries")},
		},
		{
			name: "a config that cannot be read is an ERROR slot, as with Describe",
			world: &endpointWorld{
				pages:     [][]types.SearchRecord{{searchRecord(epA), searchRecord(endpoint("orphan", "gone", ""))}},
				configErr: map[string]error{"cfg-a": errThrottled},
			},
			want: []inventory.Resource{
				{Kind: kindEndpoint, ARN: arnOf("endpoint", "ep-a"), Name: "ep-a", CreatedAt: created, Account: target.Account,
					Region: target.Region, Source: fromSearch, Attributes: map[string]string{inventory.AttrEndpointConfig: "cfg-a"},
					Slots: []inventory.Slot{{Type: "volume", Name: "config", Label: "endpoint config cfg-a",
						Unknown: "sagemaker:DescribeEndpointConfig: throttled after retries"}},
					RolesUnknown: "endpoint config cfg-a could not be described: sagemaker:DescribeEndpointConfig: throttled after retries"},
				{Kind: kindEndpoint, ARN: arnOf("endpoint", "orphan"), Name: "orphan", CreatedAt: created, Account: target.Account,
					Region: target.Region, Source: fromSearch, Attributes: map[string]string{inventory.AttrEndpointConfig: "gone"},
					Slots: []inventory.Slot{{Type: "volume", Name: "config", Label: "endpoint config gone",
						Unknown: "endpoint config gone no longer exists; the endpoint's keys cannot be verified"}},
					RolesUnknown: "endpoint config gone no longer exists; the models the endpoint serves cannot be read"},
			},
			calls: map[string]int{"Search": 1, "ListEndpoints": 1, "DescribeEndpointConfig cfg-a": 1, "DescribeEndpointConfig gone": 1},
		},
		{
			name: "Search denied falls back to List + Describe + ListTags",
			world: &endpointWorld{
				searchErr: map[int]error{0: errDenied},
				listed:    []*sm.DescribeEndpointOutput{epA, moving},
				described: map[string]*sm.DescribeEndpointOutput{"ep-a": epA, "moving": moving},
				tags:      map[string][]types.Tag{"ep-a": {tag("env", "prod")}},
			},
			want: []inventory.Resource{
				res("ep-a", "cfg-a", fromDescribe, map[string]string{"env": "prod"}, onA),
				res("moving", "cfg-a", fromDescribe, nil, onA, pendingB),
			},
			calls: map[string]int{"Search": 1, "ListEndpoints": 1, "DescribeEndpoint ep-a": 1, "DescribeEndpoint moving": 1,
				"ListTags ep-a": 1, "ListTags moving": 1, "DescribeEndpointConfig cfg-a": 1, "DescribeEndpointConfig cfg-b": 1},
			fallback: true,
		},
		{
			name: "Search unsupported falls back too",
			world: &endpointWorld{
				searchErr: map[int]error{0: apiErr("UnknownOperationException", "Search is not implemented")},
				listed:    []*sm.DescribeEndpointOutput{epA},
				described: map[string]*sm.DescribeEndpointOutput{"ep-a": epA},
			},
			want: []inventory.Resource{res("ep-a", "cfg-a", fromDescribe, nil, onA)},
			calls: map[string]int{"Search": 1, "ListEndpoints": 1, "DescribeEndpoint ep-a": 1, "ListTags ep-a": 1,
				"DescribeEndpointConfig cfg-a": 1},
			fallback: true,
		},
		{
			// The records read are reported; the gap marks the rest unseen.
			name: "a later page fails: a gap for Search",
			world: &endpointWorld{
				pages:     [][]types.SearchRecord{{searchRecord(epA)}, {searchRecord(epB)}},
				searchErr: map[int]error{1: errThrottled},
			},
			want:  []inventory.Resource{res("ep-a", "cfg-a", fromSearch, nil, onA)},
			calls: map[string]int{"Search": 2, "ListEndpoints": 1, "DescribeEndpointConfig cfg-a": 1},
			gaps:  []inventory.Gap{gap("sagemaker:Search", "sagemaker:Search: throttled after retries")},
		},
		{
			// Not denied: no fallback, as for training jobs; the recent
			// listing still catches what changed lately.
			name: "the first page throttled: a gap for Search",
			world: &endpointWorld{
				searchErr: map[int]error{0: errThrottled},
				listed:    []*sm.DescribeEndpointOutput{epA, modifiedAt(epB, recently)},
				described: map[string]*sm.DescribeEndpointOutput{"ep-b": modifiedAt(epB, recently)},
			},
			want:  []inventory.Resource{res("ep-b", "cfg-b", fromDescribe, nil, onB)},
			calls: map[string]int{"Search": 1, "ListEndpoints": 1, "DescribeEndpoint ep-b": 1, "ListTags ep-b": 1, "DescribeEndpointConfig cfg-b": 1},
			gaps:  []inventory.Gap{gap("sagemaker:Search", "sagemaker:Search: throttled after retries")},
		},
		{
			// Created minutes ago, not in the index yet: the recent listing
			// names it and it is described, its tags read with ListTags.
			name: "a recent endpoint missing from Search",
			world: &endpointWorld{
				pages:     [][]types.SearchRecord{{searchRecord(epA)}},
				listed:    []*sm.DescribeEndpointOutput{epA, modifiedAt(epB, recently)},
				described: map[string]*sm.DescribeEndpointOutput{"ep-b": modifiedAt(epB, recently)},
				tags:      map[string][]types.Tag{"ep-b": {tag("new", "yes")}},
			},
			want: []inventory.Resource{
				res("ep-a", "cfg-a", fromSearch, nil, onA),
				res("ep-b", "cfg-b", fromDescribe, map[string]string{"new": "yes"}, onB),
			},
			calls: map[string]int{"Search": 1, "ListEndpoints": 1, "DescribeEndpoint ep-b": 1, "ListTags ep-b": 1,
				"DescribeEndpointConfig cfg-a": 1, "DescribeEndpointConfig cfg-b": 1},
		},
		{
			// Updated minutes ago to cfg-b; the index still shows cfg-a.
			name: "a stale record of a recently updated endpoint",
			world: &endpointWorld{
				pages:     [][]types.SearchRecord{{searchRecord(epA, tag("old", "tags"))}},
				listed:    []*sm.DescribeEndpointOutput{modifiedAt(endpoint("ep-a", "cfg-b", ""), recently)},
				described: map[string]*sm.DescribeEndpointOutput{"ep-a": modifiedAt(endpoint("ep-a", "cfg-b", ""), recently)},
				tags:      map[string][]types.Tag{"ep-a": {tag("new", "tags")}},
			},
			want: []inventory.Resource{res("ep-a", "cfg-b", fromDescribe, map[string]string{"new": "tags"}, onB)},
			calls: map[string]int{"Search": 1, "ListEndpoints": 1, "DescribeEndpoint ep-a": 1, "ListTags ep-a": 1,
				"DescribeEndpointConfig cfg-b": 1},
		},
		{
			// Recent, and the index has caught up: the record serves.
			name: "a recent endpoint Search already shows as it is",
			world: &endpointWorld{
				pages:  [][]types.SearchRecord{{searchRecord(modifiedAt(epA, recently))}},
				listed: []*sm.DescribeEndpointOutput{modifiedAt(epA, recently)},
			},
			want:  []inventory.Resource{res("ep-a", "cfg-a", fromSearch, nil, onA)},
			calls: map[string]int{"Search": 1, "ListEndpoints": 1, "DescribeEndpointConfig cfg-a": 1},
		},
		{
			name: "the recent listing fails: a gap, the records still serve",
			world: &endpointWorld{
				pages:   [][]types.SearchRecord{{searchRecord(epA)}},
				listErr: errDenied,
			},
			want:  []inventory.Resource{res("ep-a", "cfg-a", fromSearch, nil, onA)},
			calls: map[string]int{"Search": 1, "ListEndpoints": 1, "DescribeEndpointConfig cfg-a": 1},
			gaps:  []inventory.Gap{gap("sagemaker:ListEndpoints", "sagemaker:ListEndpoints: access denied (AccessDeniedException)")},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := time.Now()
			inv := runCollector(t, tc.world.api(t), "sagemaker:hosting")
			assertEqual(t, "endpoints", inv.Resources, tc.want)
			delete(tc.world.calls, "ListEndpointConfigs") // the config pass, empty
			assertEqual(t, "calls", tc.world.calls, tc.calls)
			if tc.gaps == nil {
				tc.gaps = []inventory.Gap{}
			}
			assertEqual(t, "gaps", inv.Gaps, tc.gaps)
			for _, in := range tc.world.listInputs {
				after := in.LastModifiedTimeAfter
				switch {
				case tc.fallback && after != nil:
					t.Errorf("fallback ListEndpoints asks for LastModifiedTimeAfter %v", after)
				case !tc.fallback && (after == nil || after.Before(before.Add(-DefaultSearchLag-time.Second)) || after.After(before.Add(-DefaultSearchLag+time.Minute))):
					t.Errorf("recent ListEndpoints LastModifiedTimeAfter = %v, want an hour before %v", after, before)
				}
			}
		})
	}
}

// Event checks name their endpoints: they are described, Search is not
// called (the fake fails the test on any call it does not serve).
func TestEndpointsOnlyModeDescribes(t *testing.T) {
	w := &endpointWorld{described: map[string]*sm.DescribeEndpointOutput{"ep-a": endpoint("ep-a", "cfg-a", "")}}
	api := w.api(t)
	api.search, api.listEndpoints = nil, nil
	tgt := target
	tgt.Only = refs{{Kind: kindEndpoint, Name: "ep-a"}}
	inv := runWith(t, hostingCollector(api, newModelRoles(api)), tgt)
	ep := findResource(t, inv, kindEndpoint, "ep-a")
	if ep.Source != "sagemaker:DescribeEndpoint+DescribeEndpointConfig" {
		t.Errorf("source = %s", ep.Source)
	}
	assertEqual(t, "calls", w.calls, map[string]int{"DescribeEndpoint ep-a": 1, "DescribeEndpointConfig cfg-a": 1, "ListTags ep-a": 1})
}
