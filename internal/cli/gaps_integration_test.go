package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/sagekey/sagekey/internal/cli"
)

// denyingProxy forwards to moto but answers AccessDeniedException for the
// SageMaker operations listed, and for DescribeNotebookInstance of the named
// notebook. moto has no IAM enforcement, so this is how a denied call is
// produced end to end.
func denyingProxy(t *testing.T, target string, deniedOps []string, deniedNotebook string) string {
	t.Helper()
	return interceptingProxy(t, target, func(w http.ResponseWriter, r *http.Request) bool {
		op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "SageMaker.")
		deny := slices.Contains(deniedOps, op)
		if op == "DescribeNotebookInstance" && deniedNotebook != "" {
			var in struct{ NotebookInstanceName string }
			_ = json.Unmarshal(peekBody(r), &in)
			deny = in.NotebookInstanceName == deniedNotebook
		}
		if deny {
			w.Header().Set("Content-Type", "application/x-amz-json-1.1")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = io.WriteString(w, `{"__type":"AccessDeniedException","message":"User is not authorized to perform: sagemaker:`+op+`"}`)
		}
		return deny
	})
}

// interceptingProxy forwards to target every request that intercept does
// not answer itself (it returns true when it wrote a response). moto has
// no IAM enforcement and answers at once, so this is how the tests produce
// denied calls and slow endpoints end to end.
func interceptingProxy(t *testing.T, target string, intercept func(http.ResponseWriter, *http.Request) bool) string {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(u)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !intercept(w, r) {
			proxy.ServeHTTP(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// peekBody reads r's body and leaves it in place for the proxy.
func peekBody(r *http.Request) []byte {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	return body
}

// TestScanReportsGapsAndNeverPasses checks that a denied List is a gap that
// makes the scan incomplete (exit 1) while the other kinds are still
// scanned, and that a denied Describe makes that resource ERROR, never PASS.
func TestScanReportsGapsAndNeverPasses(t *testing.T) {
	srv, manifest := seededEstate(t)
	chdir(t, t.TempDir())
	endpoint := denyingProxy(t, srv.URL(), []string{"ListClusters"}, "fraud-detector-nb")

	var out, errOut strings.Builder
	code := cli.Run(context.Background(), []string{"scan", "--endpoint-url", endpoint, "--regions", "us-east-1",
		"--format", "json", "--checks", "notebook-instance.cmk,cluster.cmk", "--fail-on", "critical",
		"--skip-checks", "kms-key.*", "--max-attempts", "2"}, &out, &errOut)
	var doc scanDoc
	if err := json.Unmarshal([]byte(out.String()), &doc); err != nil {
		t.Fatalf("exit %d: %v\n%s\n%s", code, err, out.String(), errOut.String())
	}
	// Critical FAILs exist (pending-deletion and missing keys), and they
	// outrank the gaps.
	if code != cli.ExitViolations {
		t.Errorf("exit = %d, want %d", code, cli.ExitViolations)
	}
	services := map[string]bool{}
	for _, g := range doc.Scan.Gaps {
		services[g.Service] = true
		if !strings.Contains(g.Reason, "access denied") {
			t.Errorf("gap reason %q does not say access denied", g.Reason)
		}
	}
	if !services["sagemaker:ListClusters"] || !services["sagemaker:DescribeNotebookInstance"] {
		t.Errorf("gaps = %+v", doc.Scan.Gaps)
	}
	notebooks := 0
	for _, f := range doc.Findings {
		if f.Resource.Kind == "cluster" {
			t.Errorf("cluster finding despite denied ListClusters: %+v", f)
		}
		if f.Resource.Kind != "notebook-instance" {
			continue
		}
		notebooks++
		if f.Resource.Name == "fraud-detector-nb" && (f.Status != "ERROR" || !strings.Contains(f.Message, "access denied")) {
			t.Errorf("denied notebook: %s %q, want ERROR naming the denial", f.Status, f.Message)
		}
	}
	want := 0
	for _, e := range manifest.ByKind("notebook-instance") {
		if e.Region == "us-east-1" {
			want++
		}
	}
	if notebooks != want {
		t.Errorf("%d notebook findings, want %d: one denial must not hide the others", notebooks, want)
	}

	// Without violations at the threshold, the gaps alone decide: exit 1.
	code = cli.Run(context.Background(), []string{"scan", "--endpoint-url", endpoint, "--regions", "us-east-1",
		"--checks", "cluster.cmk", "--max-attempts", "2"}, io.Discard, io.Discard)
	if code != cli.ExitError {
		t.Errorf("gaps only: exit = %d, want %d", code, cli.ExitError)
	}
}
