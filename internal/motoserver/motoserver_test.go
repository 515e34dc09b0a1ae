package motoserver_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/sagekey/sagekey/internal/motoserver"
	"github.com/sagekey/sagekey/internal/motoserver/mototest"
)

func TestStartResetStop(t *testing.T) {
	ctx := context.Background()
	srv := mototest.ForTest(t)
	cfg := mototest.Config(t, srv, "us-east-1")

	id, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatalf("GetCallerIdentity: %v", err)
	}
	if got := aws.ToString(id.Account); got != "123456789012" {
		t.Errorf("account = %q, want moto's default 123456789012", got)
	}

	kc := kms.NewFromConfig(cfg)
	if _, err := kc.CreateKey(ctx, &kms.CreateKeyInput{}); err != nil {
		t.Fatalf("CreateKey: %v", err)
	}
	if n := countKeys(t, kc); n != 1 {
		t.Fatalf("keys before reset = %d, want 1", n)
	}
	if err := srv.Reset(ctx); err != nil {
		t.Fatalf("Reset: %v", err)
	}
	if n := countKeys(t, kc); n != 0 {
		t.Fatalf("keys after reset = %d, want 0", n)
	}

	if err := srv.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if err := srv.Stop(); err != nil {
		t.Fatalf("second Stop: %v", err)
	}
	c := &http.Client{Timeout: time.Second}
	if resp, err := c.Get(srv.URL() + "/moto-api/config"); err == nil {
		resp.Body.Close()
		t.Fatalf("server still answering at %s after Stop", srv.URL())
	}
}

func TestAWSConfigValidates(t *testing.T) {
	ctx := context.Background()
	if _, err := motoserver.AWSConfig(ctx, "", "us-east-1"); err == nil {
		t.Error("empty endpoint: want error")
	}
	if _, err := motoserver.AWSConfig(ctx, "http://127.0.0.1:1", ""); err == nil {
		t.Error("empty region: want error")
	}
	cfg, err := motoserver.AWSConfig(ctx, "http://127.0.0.1:1", "eu-west-1")
	if err != nil {
		t.Fatal(err)
	}
	creds, err := cfg.Credentials.Retrieve(ctx)
	if err != nil || creds.AccessKeyID != "testing" {
		t.Errorf("credentials = %+v, %v; want static testing creds", creds, err)
	}
	if aws.ToString(cfg.BaseEndpoint) != "http://127.0.0.1:1" || cfg.Region != "eu-west-1" {
		t.Errorf("cfg endpoint/region = %q/%q", aws.ToString(cfg.BaseEndpoint), cfg.Region)
	}
}

func countKeys(t *testing.T, kc *kms.Client) int {
	t.Helper()
	out, err := kc.ListKeys(context.Background(), &kms.ListKeysInput{})
	if err != nil {
		t.Fatalf("ListKeys: %v", err)
	}
	return len(out.Keys)
}

func TestStartNotInstalled(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	srv, err := motoserver.Start(context.Background(), nil)
	if !errors.Is(err, motoserver.ErrNotInstalled) {
		if srv != nil {
			_ = srv.Stop()
		}
		t.Fatalf("Start with empty PATH: err = %v, want ErrNotInstalled", err)
	}
}
