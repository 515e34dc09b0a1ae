// Package mototest adapts motoserver to Go tests. It lives apart from
// motoserver so that importing "testing" never leaks into the demo binary.
package mototest

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/sagekey/sagekey/internal/motoserver"
)

// ForTest starts a moto server (motoserver.Start: moto through the
// launcher) for the duration of t and stops it in t.Cleanup. If python3 or
// moto is not installed the test is skipped, unless
// the CI environment variable is "true", in which case it fails: CI must
// exercise the integration tests. The server's output is logged if the test
// fails.
func ForTest(t testing.TB) *motoserver.Server {
	t.Helper()
	logs := &syncBuffer{}
	srv, err := motoserver.Start(context.Background(), logs)
	switch {
	case errors.Is(err, motoserver.ErrNotInstalled):
		if os.Getenv("CI") == "true" {
			t.Fatalf("moto not found; CI requires python3 with moto: pip install 'moto[server]==5.2.1' (%v)", err)
		}
		t.Skipf("moto not found (python3 must import moto), skipping integration test; install it with: pip install 'moto[server]==5.2.1' (%v)", err)
	case err != nil:
		t.Fatalf("start moto_server: %v\n--- moto_server output ---\n%s", err, logs.String())
	}
	t.Cleanup(func() {
		if err := srv.Stop(); err != nil {
			t.Errorf("stop moto_server: %v", err)
		}
		if t.Failed() {
			t.Logf("--- moto_server output ---\n%s", logs.String())
		}
	})
	return srv
}

// DummyCredentials points the standard credential chain at dummy
// credentials (moto accepts any) and away from the developer's own
// configuration, profile, endpoint override and instance metadata. Call it
// after ForTest: moto_server inherits the environment, and its botocore
// rejects an empty AWS_PROFILE.
func DummyCredentials(t testing.TB) {
	t.Helper()
	t.Setenv("AWS_ACCESS_KEY_ID", "testing")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "testing")
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_ENDPOINT_URL", "")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
}

// Config returns an aws.Config for srv in region, failing t on error.
func Config(t testing.TB, srv *motoserver.Server, region string) aws.Config {
	t.Helper()
	cfg, err := motoserver.AWSConfig(context.Background(), srv.URL(), region)
	if err != nil {
		t.Fatalf("motoserver.AWSConfig: %v", err)
	}
	return cfg
}

// syncBuffer is a bytes.Buffer safe for the concurrent writes exec makes
// from its copying goroutine and the reads made at cleanup.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
