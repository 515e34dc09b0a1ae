package sagemaker

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	sm "github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"

	"github.com/sagekey/sagekey/internal/catalog"
	"github.com/sagekey/sagekey/internal/collect"
	"github.com/sagekey/sagekey/internal/inventory"
)

func TestCollectorsDeclareCatalogKinds(t *testing.T) {
	got := map[string]string{}
	for _, c := range Collectors(&fakeAPI{t: t}) {
		for _, k := range c.Kinds() {
			if _, ok := catalog.Lookup(k); !ok {
				t.Errorf("collector %s declares kind %q unknown to the catalog", c.Name(), k)
			}
			if other, dup := got[k]; dup {
				t.Errorf("kind %q collected by both %s and %s", k, other, c.Name())
			}
			got[k] = c.Name()
		}
	}
	for _, k := range []string{kindNotebook, kindEndpointConfig, kindEndpoint, kindTrainingJob, kindCluster} {
		if got[k] == "" {
			t.Errorf("no collector for kind %q", k)
		}
	}
}

// A denied List is a gap for that kind only; every other collector in the
// same region still reports its resources.
func TestListDeniedIsGapAndOthersContinue(t *testing.T) {
	api := &fakeAPI{
		t: t,
		listNotebookInstances: func(*sm.ListNotebookInstancesInput) (*sm.ListNotebookInstancesOutput, error) {
			return nil, errDenied
		},
		listEndpointConfigs: func(*sm.ListEndpointConfigsInput) (*sm.ListEndpointConfigsOutput, error) {
			return nil, errThrottled
		},
		listEndpoints: noEndpoints,
		search: func(*sm.SearchInput) (*sm.SearchOutput, error) {
			return &sm.SearchOutput{Results: []types.SearchRecord{{TrainingJob: &types.TrainingJob{
				TrainingJobName: aws.String("job-1"), TrainingJobArn: aws.String(arnOf("training-job", "job-1")),
			}}}}, nil
		},
		listClusters: func(*sm.ListClustersInput) (*sm.ListClustersOutput, error) {
			return &sm.ListClustersOutput{ClusterSummaries: []types.ClusterSummary{{
				ClusterName: aws.String("hp"), ClusterArn: aws.String(arnOf("cluster", "hp")),
			}}}, nil
		},
		describeCluster: func(*sm.DescribeClusterInput) (*sm.DescribeClusterOutput, error) {
			return &sm.DescribeClusterOutput{ClusterName: aws.String("hp"), ClusterArn: aws.String(arnOf("cluster", "hp"))}, nil
		},
		listTags: noTags,
	}
	var jobs []collect.Job
	var kinds []string
	for _, c := range Collectors(api) {
		jobs = append(jobs, collect.Job{Target: target, Collector: c})
		kinds = append(kinds, c.Kinds()...)
	}
	sink := &collect.MemorySink{}
	collect.Run(context.Background(), jobs, 4, sink)
	inv := sink.Inventory()
	checkInventory(t, inv, kinds)

	assertEqual(t, "gaps", inv.Gaps, []inventory.Gap{
		{Account: target.Account, Region: target.Region, Service: "sagemaker:ListEndpointConfigs",
			Reason: "sagemaker:ListEndpointConfigs: throttled after retries"},
		{Account: target.Account, Region: target.Region, Service: "sagemaker:ListNotebookInstances",
			Reason: "sagemaker:ListNotebookInstances: access denied (AccessDeniedException)"},
	})
	var got []string
	for _, r := range inv.Resources {
		got = append(got, r.Kind+"/"+r.Name)
	}
	assertEqual(t, "resources", got, []string{"cluster/hp", "training-job/job-1"})
}

// A panic in a describe worker goroutine must reach collect.Run's recover
// (errgroup does not carry panics) and become a gap, not crash the scan.
func TestDescribePanicBecomesGap(t *testing.T) {
	api := &fakeAPI{
		t: t,
		listNotebookInstances: func(*sm.ListNotebookInstancesInput) (*sm.ListNotebookInstancesOutput, error) {
			return &sm.ListNotebookInstancesOutput{NotebookInstances: []types.NotebookInstanceSummary{
				{NotebookInstanceName: aws.String("nb")},
			}}, nil
		},
		describeNotebookInstance: func(*sm.DescribeNotebookInstanceInput) (*sm.DescribeNotebookInstanceOutput, error) {
			panic("boom")
		},
	}
	inv := runCollector(t, api, "sagemaker:notebook-instances")
	if len(inv.Resources) != 0 {
		t.Errorf("resources = %+v, want none", inv.Resources)
	}
	assertEqual(t, "gaps", inv.Gaps, []inventory.Gap{{
		Account: target.Account, Region: target.Region,
		Service: "sagemaker:notebook-instances", Reason: "internal error: panic: boom",
	}})
}

// A canceled scan stops a collector and marks it canceled rather than
// reporting the describes it could not make as unreadable resources.
func TestCanceledDuringDescribe(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	api := &fakeAPI{
		t: t,
		listNotebookInstances: func(*sm.ListNotebookInstancesInput) (*sm.ListNotebookInstancesOutput, error) {
			return &sm.ListNotebookInstancesOutput{NotebookInstances: []types.NotebookInstanceSummary{
				{NotebookInstanceName: aws.String("nb")},
			}}, nil
		},
		describeNotebookInstance: func(*sm.DescribeNotebookInstanceInput) (*sm.DescribeNotebookInstanceOutput, error) {
			cancel()
			return nil, context.Canceled
		},
	}
	sink := &collect.MemorySink{}
	collect.Run(ctx, []collect.Job{{Target: target, Collector: notebookCollector(api)}}, 1, sink)
	inv := sink.Inventory()
	if len(inv.Resources) != 0 {
		t.Errorf("resources = %+v, want none", inv.Resources)
	}
	if len(inv.Gaps) != 1 || !strings.HasPrefix(inv.Gaps[0].Reason, "canceled") ||
		inv.Gaps[0].Service != "sagemaker:notebook-instances" {
		t.Errorf("gaps = %+v, want one canceled gap for the notebook collector", inv.Gaps)
	}
}
