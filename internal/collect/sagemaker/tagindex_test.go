package sagemaker

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	rgt "github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi"
	rgttypes "github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi/types"
	"github.com/aws/smithy-go"
)

// fakeTagging pages resources ResourcesPerPage at a time, failing from
// page failAt on (0: never), and records the requests.
type fakeTagging struct {
	resources []rgttypes.ResourceTagMapping
	failAt    int
	requests  []*rgt.GetResourcesInput
}

func (f *fakeTagging) GetResources(_ context.Context, in *rgt.GetResourcesInput, _ ...func(*rgt.Options)) (*rgt.GetResourcesOutput, error) {
	f.requests = append(f.requests, in)
	if f.failAt > 0 && len(f.requests) >= f.failAt {
		return nil, &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "not authorized to perform tag:GetResources"}
	}
	start := 0
	if tok := aws.ToString(in.PaginationToken); tok != "" {
		fmt.Sscan(tok, &start)
	}
	end := min(start+int(aws.ToInt32(in.ResourcesPerPage)), len(f.resources))
	out := &rgt.GetResourcesOutput{ResourceTagMappingList: f.resources[start:end]}
	if end < len(f.resources) {
		out.PaginationToken = aws.String(fmt.Sprint(end))
	}
	return out, nil
}

func mapping(arn string, kv ...string) rgttypes.ResourceTagMapping {
	m := rgttypes.ResourceTagMapping{ResourceARN: aws.String(arn), Tags: []rgttypes.Tag{}}
	for i := 0; i+1 < len(kv); i += 2 {
		m.Tags = append(m.Tags, rgttypes.Tag{Key: aws.String(kv[i]), Value: aws.String(kv[i+1])})
	}
	return m
}

func TestTagIndex(t *testing.T) {
	ctx := context.Background()
	started := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	old := started.Add(-time.Hour)
	arn := func(i int) string { return fmt.Sprintf("arn:aws:sagemaker:us-east-1:1:notebook-instance/nb-%03d", i) }
	var resources []rgttypes.ResourceTagMapping
	for i := range 250 {
		resources = append(resources, mapping(arn(i), "owner", fmt.Sprint("team-", i)))
	}
	resources = append(resources, mapping("arn:aws:sagemaker:us-east-1:1:notebook-instance/Cleared")) // all tags removed

	api := &fakeTagging{resources: resources}
	x := NewTagIndex(api, []string{"sagemaker:notebook-instance"}, started, 0)
	tests := []struct {
		name    string
		arn     string
		created time.Time
		want    map[string]string
		ok      bool
	}{
		{"in the first page", arn(0), old, map[string]string{"owner": "team-0"}, true},
		{"in the last page", arn(249), old, map[string]string{"owner": "team-249"}, true},
		{"ARNs compared without case", strings.ToUpper(arn(7)), old, map[string]string{"owner": "team-7"}, true},
		{"creation time unknown", arn(8), time.Time{}, map[string]string{"owner": "team-8"}, true},
		{"tags all removed: returned with none", "arn:aws:sagemaker:us-east-1:1:notebook-instance/cleared", old, nil, true},
		{"never tagged: not returned, ListTags reads it", arn(999), old, nil, false},
		{"created within the lag: ListTags reads it", arn(3), started.Add(-time.Minute), nil, false},
		{"no ARN", "", old, nil, false},
	}
	for _, tt := range tests {
		got, ok := x.Tags(ctx, tt.arn, tt.created)
		if ok != tt.ok || fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("%s: Tags = %v, %v; want %v, %v", tt.name, got, ok, tt.want, tt.ok)
		}
	}
	if len(api.requests) != 3 {
		t.Errorf("%d GetResources calls for 251 resources, want 3 pages of 100", len(api.requests))
	}
	if x.Note() != "" {
		t.Errorf("note %q, want none", x.Note())
	}

	// Denied on the second page: the first page serves, the rest is left
	// to ListTags, and the note says why. Never a gap.
	denied := &fakeTagging{resources: resources, failAt: 2}
	x = NewTagIndex(denied, []string{"sagemaker:notebook-instance"}, started, 0)
	if _, ok := x.Tags(ctx, arn(1), old); !ok {
		t.Errorf("a resource of the page read before the failure is not served")
	}
	if _, ok := x.Tags(ctx, arn(150), old); ok {
		t.Errorf("a resource of the page that failed is served")
	}
	if !strings.Contains(x.Note(), "tag:GetResources") || !strings.Contains(x.Note(), "ListTags") {
		t.Errorf("note %q", x.Note())
	}

	// More than 100 filters: one request set per 100.
	var filters []string
	for i := range 150 {
		filters = append(filters, fmt.Sprint("sagemaker:kind-", i))
	}
	split := &fakeTagging{}
	x = NewTagIndex(split, filters, started, 0)
	x.Tags(ctx, arn(0), old)
	if len(split.requests) != 2 || len(split.requests[0].ResourceTypeFilters) != 100 || len(split.requests[1].ResourceTypeFilters) != 50 {
		t.Errorf("requests for 150 filters: %d", len(split.requests))
	}
	if none := NewTagIndex(&fakeTagging{}, nil, started, 0); func() bool { _, ok := none.Tags(ctx, arn(0), old); return ok }() {
		t.Errorf("an index without filters serves")
	}
	var nilIndex *TagIndex
	if _, ok := nilIndex.Tags(ctx, arn(0), old); ok || nilIndex.Note() != "" {
		t.Errorf("a nil index serves")
	}
}

// TestTaggingFilters: the kinds whose collectors read tags with ListTags,
// each under its ARN type; training jobs and endpoints read theirs with
// Search.
func TestTaggingFilters(t *testing.T) {
	all := TaggingFilters(nil)
	if len(all) < 20 || !slices.Contains(all, "sagemaker:notebook-instance") || slices.Contains(all, "sagemaker:training-job") ||
		slices.Contains(all, "sagemaker:endpoint") || !slices.Contains(all, "sagemaker:endpoint-config") {
		t.Errorf("filters for every kind: %v", all)
	}
	some := TaggingFilters(map[string]bool{"notebook-instance": true, "training-job": true, "endpoint": true, "endpoint-config": true})
	if fmt.Sprint(some) != "[sagemaker:endpoint-config sagemaker:notebook-instance]" {
		t.Errorf("filters = %v", some)
	}
}
