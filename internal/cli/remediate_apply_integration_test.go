package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"

	"github.com/sagekey/sagekey/internal/cli"
	"github.com/sagekey/sagekey/internal/motoserver/mototest"
)

// updateEndpointProxy stands in for UpdateEndpoint, which moto lacks. With
// fail unset it does to moto what a completed blue/green update does
// (the endpoint, same name, now serves from the new config); with fail set
// it refuses the call the way SageMaker refuses a bad update.
func updateEndpointProxy(t *testing.T, moto string, api *sagemaker.Client, fail bool) string {
	return interceptingProxy(t, moto, func(w http.ResponseWriter, r *http.Request) bool {
		if r.Header.Get("X-Amz-Target") != "SageMaker.UpdateEndpoint" {
			return false
		}
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		if fail {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = io.WriteString(w, `{"__type":"ValidationException","message":"injected: the new fleet could not be provisioned"}`)
			return true
		}
		var in struct{ EndpointName, EndpointConfigName string }
		_ = json.Unmarshal(peekBody(r), &in)
		ctx := r.Context()
		if _, err := api.DeleteEndpoint(ctx, &sagemaker.DeleteEndpointInput{EndpointName: aws.String(in.EndpointName)}); err != nil {
			t.Errorf("emulating UpdateEndpoint: %v", err)
		}
		out, err := api.CreateEndpoint(ctx, &sagemaker.CreateEndpointInput{EndpointName: aws.String(in.EndpointName), EndpointConfigName: aws.String(in.EndpointConfigName)})
		if err != nil {
			t.Errorf("emulating UpdateEndpoint: %v", err)
			return true
		}
		_ = json.NewEncoder(w).Encode(map[string]string{"EndpointArn": aws.ToString(out.EndpointArn)})
		return true
	})
}

// applyEstate seeds an endpoint serving from an unkeyed config and stores a
// scan of it, as a user would before remediating.
func applyEstate(t *testing.T, fail bool) (endpoint, db, key string, e *smallEstate) {
	t.Helper()
	srv := mototest.ForTest(t)
	mototest.DummyCredentials(t) // after moto starts: moto's own botocore must not see AWS_PROFILE=""
	cfg := mototest.Config(t, srv, "us-east-1")
	e = seedSmall(t, cfg, "123456789012")
	if _, err := e.sm.CreateEndpoint(context.Background(), &sagemaker.CreateEndpointInput{
		EndpointName: aws.String("fraud"), EndpointConfigName: aws.String("ec-plain")}); err != nil {
		t.Fatal(err)
	}
	endpoint = updateEndpointProxy(t, srv.URL(), e.sm, fail)
	db = filepath.Join(t.TempDir(), "history.db")
	var out, errOut bytes.Buffer
	code := cli.Run(context.Background(), []string{"scan", "--endpoint-url", endpoint, "--regions", "us-east-1",
		"--db", db, "--checks", "endpoint.cmk", "--format", "json"}, &out, &errOut)
	if code != cli.ExitViolations {
		t.Fatalf("scan exit %d, want 3 (the unkeyed endpoint fails): %s", code, errOut.String())
	}
	return endpoint, db, e.key, e
}

func serving(t *testing.T, api *sagemaker.Client, name string) string {
	t.Helper()
	ep, err := api.DescribeEndpoint(context.Background(), &sagemaker.DescribeEndpointInput{EndpointName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(ep.EndpointConfigName)
}

type applyDoc struct {
	Cutovers []struct {
		Endpoint string `json:"endpoint_arn"`
		Skipped  string `json:"skipped"`
		Result   struct {
			OldConfig     string `json:"old_config"`
			NewConfig     string `json:"new_config"`
			Steps         []struct{ Name, Status, Detail string }
			Error         string
			ServingConfig string `json:"serving_config"`
		} `json:"result"`
	} `json:"cutovers"`
}

func runApply(t *testing.T, stdin string, args ...string) (applyDoc, int, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := cli.RunEnv(context.Background(), cli.Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errOut},
		append([]string{"remediate", "--apply", "--format", "json", "--poll-interval", "10ms"}, args...))
	var doc applyDoc
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatalf("exit %d: %v\nstdout: %s\nstderr: %s", code, err, out.String(), errOut.String())
	}
	return doc, code, errOut.String()
}

// TestRemediateApplyCutsOverAnEndpoint runs the whole loop a user runs:
// scan, remediate --apply, and the re-scan inside the cut-over proves the
// endpoint now passes.
func TestRemediateApplyCutsOverAnEndpoint(t *testing.T) {
	endpoint, db, key, e := applyEstate(t, false)
	doc, code, stderr := runApply(t, "", "--yes", "--db", db, "--endpoint-url", endpoint, "--key", key, "--only", "*:endpoint/fraud")
	if code != cli.ExitOK || len(doc.Cutovers) != 1 {
		t.Fatalf("exit %d, cut-overs %+v\n%s", code, doc.Cutovers, stderr)
	}
	r := doc.Cutovers[0].Result
	for _, s := range r.Steps {
		if s.Status != "done" {
			t.Errorf("step %q is %s: %s", s.Name, s.Status, s.Detail)
		}
	}
	if got := serving(t, e.sm, "fraud"); got != r.NewConfig || !strings.HasPrefix(got, "ec-plain-cmk-") {
		t.Errorf("endpoint serves from %q, want the new config %q", got, r.NewConfig)
	}
	// ec-plain is deleted; the seeded endpoint "ep" serves from ec-keyed.
	if _, err := e.sm.DescribeEndpointConfig(context.Background(), &sagemaker.DescribeEndpointConfigInput{EndpointConfigName: aws.String("ec-plain")}); err == nil {
		t.Error("the old config still exists after a verified cut-over")
	}
}

// TestRemediateApplyStopsSafely injects a failed UpdateEndpoint half-way:
// the endpoint must keep serving from its old config, nothing after the
// failure may run, and the report must say exactly what was done.
func TestRemediateApplyStopsSafely(t *testing.T) {
	endpoint, db, key, e := applyEstate(t, true)
	doc, code, stderr := runApply(t, "", "--yes", "--db", db, "--endpoint-url", endpoint, "--key", key, "--only", "*:endpoint/fraud")
	if code != cli.ExitError || len(doc.Cutovers) != 1 {
		t.Fatalf("exit %d (want 1), cut-overs %+v\n%s", code, doc.Cutovers, stderr)
	}
	r := doc.Cutovers[0].Result
	var got []string
	for _, s := range r.Steps {
		got = append(got, s.Status)
	}
	if strings.Join(got, ",") != "done,done,failed,not run,not run,not run" {
		t.Errorf("steps = %v", got)
	}
	if !strings.Contains(r.Error, "injected") || r.ServingConfig != "ec-plain" {
		t.Errorf("report does not state the failure and the serving config: %+v", r)
	}
	if s := serving(t, e.sm, "fraud"); s != "ec-plain" {
		t.Errorf("endpoint serves from %q after a failed cut-over, want ec-plain", s)
	}
	if !strings.Contains(stderr, "did not complete") {
		t.Errorf("stderr does not say the cut-over did not complete: %s", stderr)
	}
}

// TestRemediateApplyAsksFirst: without --yes, anything but "y" leaves AWS
// untouched.
func TestRemediateApplyAsksFirst(t *testing.T) {
	endpoint, db, key, e := applyEstate(t, false)
	doc, code, stderr := runApply(t, "n\n", "--db", db, "--endpoint-url", endpoint, "--key", key, "--only", "*:endpoint/fraud")
	if code != cli.ExitError || len(doc.Cutovers) != 1 || doc.Cutovers[0].Skipped != "not confirmed" {
		t.Fatalf("exit %d, %+v", code, doc.Cutovers)
	}
	if !strings.Contains(stderr, "[y/N]") {
		t.Errorf("no prompt on stderr: %s", stderr)
	}
	if s := serving(t, e.sm, "fraud"); s != "ec-plain" {
		t.Errorf("endpoint moved to %q without confirmation", s)
	}
}
