package awsclient

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// isolate points the SDK at empty, test-owned config files and clears the
// AWS variables that would otherwise leak a developer's setup into the test.
// It uses t.Setenv, so callers cannot run in parallel.
func isolate(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	for _, v := range []string{
		"AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_DEFAULT_PROFILE",
		"AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_KMS", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
		"AWS_MAX_ATTEMPTS", "AWS_RETRY_MODE",
		"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
	} {
		t.Setenv(v, "") // the SDK treats empty as unset
	}
	return dir
}

func TestLoad(t *testing.T) {
	isolate(t)
	cfg, err := Load(context.Background(), Options{Region: "eu-west-1", EndpointURL: "http://127.0.0.1:5000"})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Region != "eu-west-1" {
		t.Errorf("Region = %q", cfg.Region)
	}
	if got := aws.ToString(cfg.BaseEndpoint); got != "http://127.0.0.1:5000" {
		t.Errorf("BaseEndpoint = %q", got)
	}
	if got := cfg.Retryer().MaxAttempts(); got != DefaultMaxAttempts {
		t.Errorf("MaxAttempts = %d, want %d", got, DefaultMaxAttempts)
	}

	cfg, err = Load(context.Background(), Options{Region: "eu-west-1", MaxAttempts: 3})
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Retryer().MaxAttempts(); got != 3 {
		t.Errorf("MaxAttempts = %d, want 3", got)
	}
	if cfg.BaseEndpoint != nil {
		t.Errorf("BaseEndpoint = %q without an override", *cfg.BaseEndpoint)
	}
}

func TestLoadNoRegion(t *testing.T) {
	isolate(t)
	_, err := Load(context.Background(), Options{})
	if !errors.Is(err, ErrNoRegion) {
		t.Fatalf("err = %v, want ErrNoRegion", err)
	}
}

func TestLoadRegionFromEnvironmentAndProfile(t *testing.T) {
	dir := isolate(t)
	const conf = "[default]\nregion = ap-south-1\n\n[profile audit]\nregion = sa-east-1\n"
	if err := os.WriteFile(filepath.Join(dir, "config"), []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, envRegion, profile, want string
	}{
		{"default profile", "", "", "ap-south-1"},
		{"named profile", "", "audit", "sa-east-1"},
		{"AWS_REGION beats the profile", "ca-central-1", "audit", "ca-central-1"},
	} {
		t.Setenv("AWS_REGION", tc.envRegion)
		cfg, err := Load(context.Background(), Options{Profile: tc.profile})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if cfg.Region != tc.want {
			t.Errorf("%s: Region = %q, want %q", tc.name, cfg.Region, tc.want)
		}
	}
}

func TestLoadUnknownProfile(t *testing.T) {
	isolate(t)
	if _, err := Load(context.Background(), Options{Profile: "nope", Region: "us-east-1"}); err == nil {
		t.Fatal("Load with an unknown profile succeeded")
	}
}

// TestLoadHonoursEndpointEnv pins the SDK behaviour the Options.EndpointURL
// comment relies on: LoadDefaultConfig reads AWS_ENDPOINT_URL by itself, and
// an explicit EndpointURL wins over it.
func TestLoadHonoursEndpointEnv(t *testing.T) {
	isolate(t)
	t.Setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:4566")
	cfg, err := Load(context.Background(), Options{Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(cfg.BaseEndpoint); got != "http://127.0.0.1:4566" {
		t.Errorf("BaseEndpoint = %q, want the AWS_ENDPOINT_URL value", got)
	}
	cfg, err = Load(context.Background(), Options{Region: "us-east-1", EndpointURL: "http://127.0.0.1:5000"})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(cfg.BaseEndpoint); got != "http://127.0.0.1:5000" {
		t.Errorf("BaseEndpoint = %q, want the explicit EndpointURL", got)
	}
}
