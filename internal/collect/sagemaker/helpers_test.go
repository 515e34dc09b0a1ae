package sagemaker

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sm "github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"

	"github.com/sagekey/sagekey/internal/catalog"
	"github.com/sagekey/sagekey/internal/collect"
	"github.com/sagekey/sagekey/internal/inventory"
)

var (
	target  = collect.Target{Account: "111122223333", Region: "eu-west-1"}
	created = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
)

const keyARN = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"

// Execution roles.
const (
	roleARN  = "arn:aws:iam::111122223333:role/sagemaker"
	roleARN2 = "arn:aws:iam::111122223333:role/other"
)

func arnOf(kind, name string) string {
	return "arn:aws:sagemaker:eu-west-1:111122223333:" + kind + "/" + name
}

// runCollector runs the named collector through collect.Run, as a scan
// does, and checks the result against the catalog.
func runCollector(t *testing.T, api API, name string) inventory.Inventory {
	t.Helper()
	return runNamed(t, Collectors(api), name)
}

// checkInventory asserts the invariants every collector must keep: kinds
// and slot types come from the catalog, names are unique per resource, and
// the target is stamped on everything.
func checkInventory(t *testing.T, inv inventory.Inventory, kinds []string) {
	t.Helper()
	for _, r := range inv.Resources {
		k, ok := catalog.Lookup(r.Kind)
		if !ok || !contains(kinds, r.Kind) {
			t.Errorf("resource %s: kind %q not from the catalog or not declared by the collector", r.Name, r.Kind)
			continue
		}
		if r.Account != target.Account || r.Region != target.Region {
			t.Errorf("resource %s: target %s/%s, want %s/%s", r.Name, r.Account, r.Region, target.Account, target.Region)
		}
		seen := map[string]bool{}
		for _, s := range r.Slots {
			if seen[s.Name] {
				t.Errorf("resource %s: duplicate slot name %q", r.Name, s.Name)
			}
			seen[s.Name] = true
			if s.Type == "" && s.Unknown != "" {
				continue // inventory.UnreadableSlot
			}
			if _, ok := k.Slot(s.Type); !ok {
				t.Errorf("resource %s: slot type %q is not a %s slot in the catalog", r.Name, s.Type, r.Kind)
			}
		}
	}
	for _, g := range inv.Gaps {
		if g.Account != target.Account || g.Region != target.Region {
			t.Errorf("gap %s: target %s/%s", g.Service, g.Account, g.Region)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// assertEqual compares with reflect.DeepEqual and prints both sides as JSON,
// which is readable for nested slots.
func assertEqual[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		g, _ := json.MarshalIndent(got, "", "  ")
		w, _ := json.MarshalIndent(want, "", "  ")
		t.Errorf("%s:\n got: %s\nwant: %s", what, g, w)
	}
}

func findResource(t *testing.T, inv inventory.Inventory, kind, name string) inventory.Resource {
	t.Helper()
	for _, r := range inv.Resources {
		if r.Kind == kind && r.Name == name {
			return r
		}
	}
	t.Fatalf("no %s %q in inventory (%d resources)", kind, name, len(inv.Resources))
	return inventory.Resource{}
}

func tagsOf(byARN map[string][]types.Tag) func(*sm.ListTagsInput) (*sm.ListTagsOutput, error) {
	return func(in *sm.ListTagsInput) (*sm.ListTagsOutput, error) {
		return &sm.ListTagsOutput{Tags: byARN[aws.ToString(in.ResourceArn)]}, nil
	}
}

func noTags(*sm.ListTagsInput) (*sm.ListTagsOutput, error) { return &sm.ListTagsOutput{}, nil }

func tag(k, v string) types.Tag { return types.Tag{Key: aws.String(k), Value: aws.String(v)} }

// Empty listings, for tests about other kinds.
func noNotebooks(*sm.ListNotebookInstancesInput) (*sm.ListNotebookInstancesOutput, error) {
	return &sm.ListNotebookInstancesOutput{}, nil
}

func noEndpointConfigs(*sm.ListEndpointConfigsInput) (*sm.ListEndpointConfigsOutput, error) {
	return &sm.ListEndpointConfigsOutput{}, nil
}

func noEndpoints(*sm.ListEndpointsInput) (*sm.ListEndpointsOutput, error) {
	return &sm.ListEndpointsOutput{}, nil
}

func noSearchResults(*sm.SearchInput) (*sm.SearchOutput, error) { return &sm.SearchOutput{}, nil }

func noClusters(*sm.ListClustersInput) (*sm.ListClustersOutput, error) {
	return &sm.ListClustersOutput{}, nil
}

// runNamed runs the named collector through collect.Run, as a scan does, and
// checks the result against the catalog.
func runNamed(t *testing.T, collectors []collect.Collector, name string) inventory.Inventory {
	t.Helper()
	var c collect.Collector
	for _, x := range collectors {
		if x.Name() == name {
			c = x
		}
	}
	if c == nil {
		t.Fatalf("no collector named %q", name)
	}
	sink := &collect.MemorySink{}
	collect.Run(context.Background(), []collect.Job{{Target: target, Collector: c}}, 1, sink)
	inv := sink.Inventory()
	checkInventory(t, inv, c.Kinds())
	return inv
}
