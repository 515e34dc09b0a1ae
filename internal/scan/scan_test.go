package scan

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/sagekey/sagekey/internal/collect"
	"github.com/sagekey/sagekey/internal/engine"
	"github.com/sagekey/sagekey/internal/rules"
)

type fakeCollector struct{ kinds []string }

func (f fakeCollector) Name() string    { return "fake" }
func (f fakeCollector) Kinds() []string { return f.kinds }
func (f fakeCollector) Collect(context.Context, collect.Target, collect.Sink) error {
	return nil
}

func TestNeededKinds(t *testing.T) {
	t.Parallel()
	hosting := fakeCollector{kinds: []string{"endpoint-config", "endpoint"}}
	notebooks := fakeCollector{kinds: []string{"notebook-instance"}}
	tests := []struct {
		name              string
		checks, skip      []string
		wantHosting, want bool // hosting collected, notebooks collected
	}{
		{"all checks need everything", nil, nil, true, true},
		{"key checks need every kind (blast radius)", []string{"kms-key.state"}, nil, true, true},
		{"one resource check", []string{"notebook-instance.cmk"}, nil, false, true},
		{"endpoint needs the hosting collector", []string{"endpoint.cmk"}, nil, true, false},
		{"skipping key checks narrows", []string{"notebook-instance.*", "kms-key.*"}, []string{"kms-key.*"}, false, true},
	}
	for _, tt := range tests {
		kinds := neededKinds(engine.Select(rules.All(), tt.checks, tt.skip))
		if got := wanted(hosting, kinds); got != tt.wantHosting {
			t.Errorf("%s: hosting collected = %v, want %v", tt.name, got, tt.wantHosting)
		}
		if got := wanted(notebooks, kinds); got != tt.want {
			t.Errorf("%s: notebooks collected = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestResolveRegions(t *testing.T) {
	t.Parallel()
	got, err := resolveRegions(context.Background(), aws.Config{Region: "eu-west-1"}, []string{"us-east-1", "ap-south-1"})
	if err != nil || len(got) != 2 || got[0] != "ap-south-1" {
		t.Errorf("explicit regions: %v %v", got, err)
	}
	got, err = resolveRegions(context.Background(), aws.Config{Region: "eu-west-1"}, nil)
	if err != nil || len(got) != 1 || got[0] != "eu-west-1" {
		t.Errorf("configured region: %v %v", got, err)
	}
	if _, err := resolveRegions(context.Background(), aws.Config{Region: ""}, nil); err == nil {
		t.Error("no region at all must be an error")
	}
}
