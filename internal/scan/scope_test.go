package scan

import (
	"github.com/sagekey/sagekey/internal/awsclient"
	"slices"
	"testing"
	"time"

	"github.com/sagekey/sagekey/internal/collect"
	"github.com/sagekey/sagekey/internal/engine"
	"github.com/sagekey/sagekey/internal/history"
	"github.com/sagekey/sagekey/internal/inventory"
	"github.com/sagekey/sagekey/internal/rules"
)

func TestScopeOfCoversOnlyCompleteListings(t *testing.T) {
	t.Parallel()
	const acct = "111122223333"
	hosting := fakeCollector{kinds: []string{"endpoint-config", "endpoint"}}
	notebooks := fakeCollector{kinds: []string{"notebook-instance"}}
	job := func(region string, c collect.Collector) collect.Job {
		return collect.Job{Target: collect.Target{Account: acct, Region: region}, Collector: c}
	}
	outcomes := []collect.Outcome{
		{Job: job("us-east-1", hosting), Complete: true},
		{Job: job("us-east-1", notebooks), Complete: true},
		{Job: job("eu-west-1", hosting), Complete: true},
		{Job: job("eu-west-1", notebooks), Complete: false}, // a List was denied
	}
	since := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	reached := []reachedAccount{{Account: awsclient.Account{ID: acct}, regions: []string{"eu-west-1", "us-east-1"}}}
	sc := scopeOf(reached, engine.Select(rules.All(), nil, nil), since, outcomes)

	kinds := map[string][]string{}
	for _, c := range sc.Complete {
		kinds[c.Region] = c.Kinds
	}
	if want := []string{"endpoint", "endpoint-config", "kms-key", "notebook-instance"}; !slices.Equal(kinds["us-east-1"], want) {
		t.Errorf("us-east-1 covers %v, want %v", kinds["us-east-1"], want)
	}
	// A gap in one collector hides that kind and the keys of the region.
	if want := []string{"endpoint", "endpoint-config"}; !slices.Equal(kinds["eu-west-1"], want) {
		t.Errorf("eu-west-1 covers %v, want %v", kinds["eu-west-1"], want)
	}
	if !sc.Since.Equal(since) || len(sc.Checks) != len(rules.All()) {
		t.Errorf("since %v, %d checks; want %v, %d", sc.Since, len(sc.Checks), since, len(rules.All()))
	}
	gone := history.Subject{CheckID: "notebook-instance.cmk", Kind: "notebook-instance", Account: acct, Region: "eu-west-1"}
	if sc.Covers(gone) {
		t.Error("a notebook in a region whose notebook listing failed is covered")
	}
}

func TestWithinWindowKeepsAllButOldJobs(t *testing.T) {
	t.Parallel()
	since := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	old, recent := since.AddDate(0, -1, 0), since.AddDate(0, 0, 1)
	in := []inventory.Resource{
		{Kind: "training-job", Name: "old-job", CreatedAt: old},
		{Kind: "training-job", Name: "new-job", CreatedAt: recent},
		{Kind: "training-job", Name: "undated-job"},
		{Kind: "notebook-instance", Name: "old-notebook", CreatedAt: old},
	}
	if n := len(withinWindow(slices.Clone(in), time.Time{})); n != len(in) {
		t.Errorf("no window kept %d of %d", n, len(in))
	}
	var got []string
	for _, r := range withinWindow(slices.Clone(in), since) {
		got = append(got, r.Name)
	}
	if want := []string{"new-job", "undated-job", "old-notebook"}; !slices.Equal(got, want) {
		t.Errorf("kept %v, want %v", got, want)
	}
}
