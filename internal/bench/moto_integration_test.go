package bench

import (
	"context"
	"log/slog"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	rgt "github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"

	"github.com/sagekey/sagekey/internal/motoserver/mototest"
)

// TestNaiveBaselineAgainstMoto seeds a tiny estate into a real moto_server
// and runs the naive baseline in-process through the proxy: every call it
// makes must follow from the estate.
func TestNaiveBaselineAgainstMoto(t *testing.T) {
	srv := mototest.ForTest(t)
	ctx := context.Background()
	est, err := PlanEstate(EstateSpec{
		Regions:      []string{"us-east-1", "eu-west-1"},
		TrainingJobs: 30, Notebooks: 4, EndpointConfigs: 4, Endpoints: 2, Clusters: 1, Keys: 3, Models: 2,
	})
	if err != nil {
		t.Fatal(err)
	}
	seeded, err := Seed(ctx, func(region string) aws.Config { return mototest.Config(t, srv, region) },
		est, seedConcurrency, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(seeded.KeyARNs["us-east-1"]) + len(seeded.KeyARNs["eu-west-1"]); n != 3 {
		t.Fatalf("seeded %d keys, want 3", n)
	}
	// The two roles and their one customer-managed policy, listed as
	// sagekey lists them; moto loads no AWS-managed policy by default.
	if want := (IAMListing{Roles: 2, LocalManagedPolicies: 1, Responses: 1}); seeded.IAM != want {
		t.Errorf("IAM listing %+v, want %+v", seeded.IAM, want)
	}
	for role, arn := range seeded.RoleARNs {
		if arn != "arn:aws:iam::"+seeded.Account+":role/"+benchRoleNames[role] {
			t.Errorf("role %d ARN %q", role, arn)
		}
	}

	ps := proxyTo(t, srv.URL(), ProxyOptions{})

	res, err := RunNaive(ctx, NaiveOptions{EndpointURL: ps.URL(), Regions: est.Spec.Regions})
	if err != nil {
		t.Fatal(err)
	}
	if res.Errors != 0 {
		t.Fatalf("naive baseline had %d failed calls: %v", res.Errors, res.ErrorSamples)
	}
	keyRefs := 0
	for _, k := range EstateKinds() {
		keyRefs += est.KeyReferences(k)
		if res.Resources[k] != est.Count(k) {
			t.Errorf("naive described %d %ss, want %d", res.Resources[k], k, est.Count(k))
		}
	}
	// Keyed per region (every other resource): training jobs 8+8 with two
	// slots each, notebooks 1+1, endpoint configs 1+1, the one cluster with
	// two slots.
	if keyRefs != 2*16+2+2+2 || res.KeyReferences != keyRefs {
		t.Errorf("key references: naive found %d, plan has %d, want 38", res.KeyReferences, keyRefs)
	}

	want := map[string]int{
		// One page per region and kind: nothing exceeds 100.
		"sagemaker:ListTrainingJobs":         2,
		"sagemaker:ListNotebookInstances":    2,
		"sagemaker:ListEndpointConfigs":      2,
		"sagemaker:ListEndpoints":            2,
		"sagemaker:ListClusters":             2,
		"sagemaker:DescribeTrainingJob":      30,
		"sagemaker:DescribeNotebookInstance": 4,
		"sagemaker:DescribeEndpointConfig":   4,
		"sagemaker:DescribeEndpoint":         2,
		"sagemaker:DescribeCluster":          1,
		"sagemaker:ListTags":                 30 + 4 + 4 + 2 + 1,
		"kms:DescribeKey":                    keyRefs,
		"kms:GetKeyRotationStatus":           keyRefs,
	}
	got := ps.Snapshot()
	if !maps.Equal(got.Calls, want) {
		t.Errorf("naive calls by operation:\n got %v\nwant %v", got.Calls, want)
	}
	if got.TotalThrottled() != 0 || got.TotalUnimplemented() != 0 {
		t.Errorf("throttled %d, unimplemented %d; want none", got.TotalThrottled(), got.TotalUnimplemented())
	}
}

// TestProxyPagesMotoSearch checks the Search paging and sorting against
// moto itself: 15 training jobs in a region at MaxResults 10 take two
// pages, newest first.
func TestProxyPagesMotoSearch(t *testing.T) {
	srv := mototest.ForTest(t)
	ctx := context.Background()
	est, err := PlanEstate(EstateSpec{Regions: []string{"us-east-1"}, TrainingJobs: 15})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Seed(ctx, func(region string) aws.Config { return mototest.Config(t, srv, region) },
		est, seedConcurrency, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
	ps := proxyTo(t, srv.URL(), ProxyOptions{})

	sm := sagemaker.NewFromConfig(mototest.Config(t, srv, "us-east-1"), func(o *sagemaker.Options) {
		o.BaseEndpoint = aws.String(ps.URL())
	})
	pager := sagemaker.NewSearchPaginator(sm, &sagemaker.SearchInput{Resource: smtypes.ResourceTypeTrainingJob, MaxResults: aws.Int32(10),
		SortBy: aws.String("CreationTime"), SortOrder: smtypes.SearchSortOrderDescending})
	names := map[string]bool{}
	var created []time.Time
	for pager.HasMorePages() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page.Results {
			names[aws.ToString(r.TrainingJob.TrainingJobName)] = true
			created = append(created, aws.ToTime(r.TrainingJob.CreationTime))
			if len(r.TrainingJob.Tags) != 2 {
				t.Errorf("job %s has tags %v, want owner and cost-center", aws.ToString(r.TrainingJob.TrainingJobName), r.TrainingJob.Tags)
			}
		}
	}
	if calls := ps.Snapshot().Calls[searchOperation]; calls != 2 || len(names) != 15 {
		t.Errorf("%d Search calls returned %d distinct jobs, want 2 and 15", calls, len(names))
	}
	for i := 1; i < len(created); i++ {
		if created[i].After(created[i-1]) || created[i].IsZero() {
			t.Errorf("job %d created %s after job %d (%s): want newest first", i, created[i], i-1, created[i-1])
		}
	}
}

// TestProxyAgainstMotoForTheNewReadPaths checks, against moto itself, what
// the bound and the scans rely on: the proxy pages Search for endpoints as
// for training jobs (moto returns every match at once), counts the Tagging
// API's GetResources as tag:GetResources with its page size (moto pages it
// itself), and puts back the ProcessingResources moto drops.
func TestProxyAgainstMotoForTheNewReadPaths(t *testing.T) {
	srv := mototest.ForTest(t)
	ctx := context.Background()
	est, err := PlanEstate(EstateSpec{
		Regions: []string{"us-east-1"}, Notebooks: 4, EndpointConfigs: 4, Endpoints: 12, ProcessingJobs: 2, Keys: 1, Models: 1,
	})
	if err != nil {
		t.Fatal(err)
	}
	seeded, err := Seed(ctx, func(region string) aws.Config { return mototest.Config(t, srv, region) },
		est, seedConcurrency, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	ps := proxyTo(t, srv.URL(), ProxyOptions{})
	ps.RestoreProcessingResources(seeded.ProcessingResources)
	cfg := mototest.Config(t, srv, "us-east-1")
	sm := sagemaker.NewFromConfig(cfg, func(o *sagemaker.Options) { o.BaseEndpoint = aws.String(ps.URL()) })

	// Search for endpoints: 12 at MaxResults 10 take two pages, each
	// record with its tags.
	pager := sagemaker.NewSearchPaginator(sm, &sagemaker.SearchInput{Resource: smtypes.ResourceTypeEndpoint, MaxResults: aws.Int32(10),
		SortBy: aws.String("CreationTime"), SortOrder: smtypes.SearchSortOrderAscending})
	endpoints := map[string]bool{}
	for pager.HasMorePages() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page.Results {
			if r.Endpoint == nil || len(r.Endpoint.Tags) != 2 {
				t.Errorf("endpoint record %+v: want owner and cost-center tags", r.Endpoint)
				continue
			}
			endpoints[aws.ToString(r.Endpoint.EndpointName)] = true
		}
	}
	if c := ps.Snapshot(); c.searchCalls(searchEndpoint) != 2 || len(endpoints) != 12 {
		t.Errorf("%d Search calls for endpoints returned %d distinct endpoints, want 2 and 12", c.searchCalls(searchEndpoint), len(endpoints))
	}

	// GetResources: moto pages the 4 notebooks and 4 endpoint configs at 3
	// a page; the proxy counts every page as tag:GetResources, one query.
	ps.Reset()
	tagging := rgt.NewFromConfig(cfg, func(o *rgt.Options) { o.BaseEndpoint = aws.String(ps.URL()) })
	tp := rgt.NewGetResourcesPaginator(tagging, &rgt.GetResourcesInput{
		ResourceTypeFilters: []string{"sagemaker:endpoint-config", "sagemaker:notebook-instance"}, ResourcesPerPage: aws.Int32(3)})
	tagged := map[string]bool{}
	for tp.HasMorePages() {
		page, err := tp.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range page.ResourceTagMappingList {
			tagged[aws.ToString(m.ResourceARN)] = len(m.Tags) == 2
		}
	}
	c := ps.Snapshot()
	if len(tagged) != 8 || c.Calls[getResourcesOp] != 3 {
		t.Errorf("GetResources: %d calls returned %d resources (%v), want 3 pages of the 8", c.Calls[getResourcesOp], len(tagged), tagged)
	}
	for arn, ok := range tagged {
		if !ok {
			t.Errorf("%s returned without its two tags", arn)
		}
	}
	if len(c.Queries) != 1 || c.Queries[0].Operation != getResourcesOp || !slices.Equal(c.Queries[0].MaxResults, []int{3}) {
		t.Errorf("queries %+v, want one tag:GetResources query at page size 3", c.Queries)
	}

	// DescribeProcessingJob: moto drops ProcessingResources; the proxy puts
	// back what the seeder sent (job 0 is keyed, job 1 is not).
	for i, wantKey := range []string{seeded.KeyARNs["us-east-1"][0], ""} {
		out, err := sm.DescribeProcessingJob(ctx, &sagemaker.DescribeProcessingJobInput{ProcessingJobName: aws.String(resourceName(KindProcessingJob, i))})
		if err != nil {
			t.Fatal(err)
		}
		if out.ProcessingResources == nil || out.ProcessingResources.ClusterConfig == nil ||
			aws.ToString(out.ProcessingResources.ClusterConfig.VolumeKmsKeyId) != wantKey ||
			out.ProcessingResources.ClusterConfig.InstanceType != processingInstanceType {
			t.Errorf("job %d: ProcessingResources %+v, want the seeded one with key %q", i, out.ProcessingResources, wantKey)
		}
	}
	if n := ps.Snapshot().Restored[describeProcessingJobOp]; n != 2 {
		t.Errorf("restored %d answers, want 2", n)
	}
}
