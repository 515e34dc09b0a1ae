package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sagekey/sagekey/internal/awsclient"
	"github.com/sagekey/sagekey/internal/cli"
	"github.com/sagekey/sagekey/internal/motoserver/mototest"
)

// slowProxy forwards to moto after delay, like a distant or busy endpoint,
// so a scan is still running when the test cancels it.
func slowProxy(t *testing.T, moto string, delay time.Duration) string {
	t.Helper()
	return interceptingProxy(t, moto, func(_ http.ResponseWriter, r *http.Request) bool {
		select {
		case <-time.After(delay):
			return false // now forward it
		case <-r.Context().Done():
			return true // the client gave up: nothing to answer
		}
	})
}

// TestCanceledScanReportsWhatWasDone cancels a two-account scan midway (as
// Ctrl-C does): the report is still written, says which parts were not
// done, exits non-zero, and nothing is stored, since a partial scan would read as
// resources deleted.
func TestCanceledScanReportsWhatWasDone(t *testing.T) {
	srv := mototest.ForTest(t)
	mototest.DummyCredentials(t)
	const other = "222222222222"
	callerCfg := mototest.Config(t, srv, "us-east-1")
	seedSmall(t, callerCfg, motoCaller)
	seedSmall(t, awsclient.AssumeRole(callerCfg, callerCfg, "arn:aws:iam::"+other+":role/OrganizationAccountAccessRole"), other)
	db := filepath.Join(t.TempDir(), "history.db")

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	var out, errOut bytes.Buffer
	code := cli.RunEnv(ctx, cli.Env{Stdout: &out, Stderr: &errOut, Now: time.Now}, []string{"scan", "--format", "json",
		"--endpoint-url", slowProxy(t, srv.URL(), 150*time.Millisecond), "--regions", "us-east-1",
		"--accounts", motoCaller + "," + other, "--db", db, "--concurrency", "2"})
	// Violations found before the cancellation outrank it (exit 3), but
	// the cancellation is still said.
	if code != cli.ExitError && code != cli.ExitViolations {
		t.Errorf("exit %d, want %d or %d\n%s", code, cli.ExitError, cli.ExitViolations, errOut.String())
	}
	if !strings.Contains(errOut.String(), "deadline exceeded") && !strings.Contains(errOut.String(), "canceled") {
		t.Errorf("stderr does not say the scan was cut short:\n%s", errOut.String())
	}
	var doc scanDoc
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatalf("a canceled scan must still write its report: %v\n%s", err, errOut.String())
	}
	canceled := 0
	for _, g := range doc.Scan.Gaps {
		if strings.Contains(g.Reason, "canceled") || strings.Contains(g.Reason, "context deadline exceeded") {
			canceled++
		}
	}
	if canceled == 0 {
		t.Errorf("no gap says what the cancellation left undone: %+v", doc.Scan.Gaps)
	}
	if doc.Scan.APICalls.Operations == nil {
		t.Error("the calls made before the cancellation must be reported")
	}
	history, _ := clockAt(t, time.Now(), "history", "--db", db, "--format", "json")
	if !strings.Contains(history, "[]") {
		t.Errorf("a canceled scan was stored:\n%s", history)
	}
}
