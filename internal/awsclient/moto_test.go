package awsclient_test

import (
	"context"
	"slices"
	"testing"

	"github.com/sagekey/sagekey/internal/awsclient"
	"github.com/sagekey/sagekey/internal/motoserver/mototest"
)

// TestAgainstMoto drives Load, Identity and EnabledRegions end to end against
// a real moto_server, with credentials from the environment as a user would
// supply them.
func TestAgainstMoto(t *testing.T) {
	srv := mototest.ForTest(t)
	mototest.DummyCredentials(t)

	ctx := context.Background()
	cfg, err := awsclient.Load(ctx, awsclient.Options{Region: "us-east-1", EndpointURL: srv.URL(), MaxAttempts: 2})
	if err != nil {
		t.Fatal(err)
	}
	caller, err := awsclient.Identity(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if caller.Account != "123456789012" || caller.ARN == "" {
		t.Errorf("caller = %+v, want moto's account 123456789012 and an ARN", caller)
	}
	regions, err := awsclient.EnabledRegions(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(regions, "us-east-1") || !slices.IsSorted(regions) {
		t.Errorf("regions = %v, want a sorted list containing us-east-1", regions)
	}
	t.Logf("moto reports %d enabled regions", len(regions))
}
