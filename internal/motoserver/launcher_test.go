package motoserver_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"

	"github.com/sagekey/sagekey/internal/motoserver"
)

const region = "us-east-1"

var teamTag = []tag{{Key: "team", Value: "ml"}}

// TestPlainMotoStillNeedsPatches shows that the unpatched moto_server still
// answers tag:GetResources with HTTP 500 when a SageMaker endpoint config or
// model card exists. When it fails, the installed moto has fixed the bugs
// launcher.py patches: delete the corresponding patch (or the launcher).
func TestPlainMotoStillNeedsPatches(t *testing.T) {
	ctx := context.Background()
	logs := &lockedBuffer{}
	srv, err := motoserver.StartPlain(ctx, logs)
	if err != nil {
		skipOrFail(t, err, logs)
	}
	t.Cleanup(func() { _ = srv.Stop() })
	sm := sagemaker.NewFromConfig(awsConfig(t, srv))

	t.Run("endpoint-config", func(t *testing.T) {
		createEndpointConfig(t, sm)
		for _, filter := range [][]string{{"sagemaker:endpoint-config"}, nil} {
			if status, _ := getResources(t, srv, filter, 0, ""); status != http.StatusInternalServerError {
				t.Errorf("plain moto_server GetResources(filter %v) with an endpoint config: status %d, want 500. "+
					"moto fixed FakeEndpointConfig.arn: drop patch_endpoint_config_arn from launcher.py", filter, status)
			}
		}
		if !logs.waitFor("'tuple' object has no attribute 'split'") {
			t.Errorf("moto_server's log lacks the known endpoint-config traceback:\n%s", logs.String())
		}
	})
	if err := srv.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	t.Run("model-card", func(t *testing.T) {
		createModelCard(t, sm)
		for _, filter := range [][]string{{"sagemaker:model-card"}, nil} {
			if status, _ := getResources(t, srv, filter, 0, ""); status != http.StatusInternalServerError {
				t.Errorf("plain moto_server GetResources(filter %v) with a model card: status %d, want 500. "+
					"moto fixed model cards in the tagging API: drop patch_model_cards from launcher.py", filter, status)
			}
		}
		if !logs.waitFor("'list' object has no attribute 'arn'") {
			t.Errorf("moto_server's log lacks the known model-card traceback:\n%s", logs.String())
		}
	})
	if t.Failed() {
		t.Logf("--- moto_server output ---\n%s", logs.String())
	}
}

// TestLauncherGetResources shows that through the launcher GetResources
// answers 200 with the endpoint config and the model card and their tags,
// filtered and unfiltered, and pages with ResourcesPerPage and
// PaginationToken.
func TestLauncherGetResources(t *testing.T) {
	ctx := context.Background()
	logs := &lockedBuffer{}
	srv, err := motoserver.Start(ctx, logs)
	if err != nil {
		skipOrFail(t, err, logs)
	}
	t.Cleanup(func() {
		dir := motoserver.LauncherDir(srv)
		if err := srv.Stop(); err != nil {
			t.Errorf("Stop: %v", err)
		}
		if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("launcher directory %s left behind after Stop (%v)", dir, err)
		}
		if t.Failed() {
			t.Logf("--- launcher output ---\n%s", logs.String())
		}
	})
	if out := logs.String(); !strings.Contains(out, "patched FakeEndpointConfig.arn, tagging model_cards") {
		t.Errorf("launcher did not report both patches applied; output:\n%s", out)
	}
	sm := sagemaker.NewFromConfig(awsConfig(t, srv))
	modelARN, ecARN := createEndpointConfig(t, sm)
	mcARN := createModelCard(t, sm)

	want := map[string][]tag{modelARN: teamTag, ecARN: teamTag, mcARN: teamTag}
	for _, c := range []struct {
		filter []string
		want   []string
	}{
		{nil, []string{modelARN, ecARN, mcARN}},
		{[]string{"sagemaker"}, []string{modelARN, ecARN, mcARN}},
		{[]string{"sagemaker:endpoint-config"}, []string{ecARN}},
		{[]string{"sagemaker:model-card"}, []string{mcARN}},
	} {
		status, out := getResources(t, srv, c.filter, 0, "")
		if status != http.StatusOK {
			t.Errorf("GetResources(filter %v): status %d, want 200", c.filter, status)
			continue
		}
		var got []string
		for _, m := range out.ResourceTagMappingList {
			got = append(got, m.ResourceARN)
			if !slices.Equal(m.Tags, want[m.ResourceARN]) {
				t.Errorf("GetResources(filter %v): %s tags = %v, want %v", c.filter, m.ResourceARN, m.Tags, want[m.ResourceARN])
			}
		}
		slices.Sort(got)
		slices.Sort(c.want)
		if !slices.Equal(got, c.want) {
			t.Errorf("GetResources(filter %v) = %v, want %v", c.filter, got, c.want)
		}
		if out.PaginationToken != "" {
			t.Errorf("GetResources(filter %v): PaginationToken %q on a single page", c.filter, out.PaginationToken)
		}
	}

	// moto pages GetResources: ResourcesPerPage=1 gives one resource per
	// page and a token until the last page.
	var pages [][]string
	token := ""
	for range 10 {
		status, out := getResources(t, srv, nil, 1, token)
		if status != http.StatusOK {
			t.Fatalf("GetResources(ResourcesPerPage=1, token %q): status %d", token, status)
		}
		var page []string
		for _, m := range out.ResourceTagMappingList {
			page = append(page, m.ResourceARN)
		}
		pages = append(pages, page)
		if token = out.PaginationToken; token == "" {
			break
		}
	}
	var all []string
	for i, p := range pages {
		if len(p) != 1 {
			t.Errorf("page %d = %v, want exactly one resource", i+1, p)
		}
		all = append(all, p...)
	}
	slices.Sort(all)
	if wantAll := []string{ecARN, modelARN, mcARN}; !slices.Equal(all, sorted(wantAll)) || len(pages) != 3 {
		t.Errorf("paged GetResources: %d pages %v, want 3 pages of %v", len(pages), pages, wantAll)
	}
}

func sorted(s []string) []string { s = slices.Clone(s); slices.Sort(s); return s }

type tag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

type getResourcesOutput struct {
	PaginationToken        string `json:"PaginationToken"`
	ResourceTagMappingList []struct {
		ResourceARN string `json:"ResourceARN"`
		Tags        []tag  `json:"Tags"`
	} `json:"ResourceTagMappingList"`
}

// getResources calls tag:GetResources with a signed raw request, so the
// test sees moto's HTTP status itself (no SDK, no retries). perPage 0 and
// token "" are left out.
func getResources(t *testing.T, srv *motoserver.Server, filters []string, perPage int, token string) (int, getResourcesOutput) {
	t.Helper()
	in := map[string]any{}
	if filters != nil {
		in["ResourceTypeFilters"] = filters
	}
	if perPage > 0 {
		in["ResourcesPerPage"] = perPage
	}
	if token != "" {
		in["PaginationToken"] = token
	}
	body, _ := json.Marshal(in)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL()+"/", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "ResourceGroupsTaggingAPI_20170126.GetResources")
	sum := sha256.Sum256(body)
	creds := aws.Credentials{AccessKeyID: "testing", SecretAccessKey: "testing"}
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "tagging", region, time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GetResources: %v", err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out getResourcesOutput
	if resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(raw, &out); err != nil {
			t.Fatalf("GetResources: decode %q: %v", raw, err)
		}
	}
	return resp.StatusCode, out
}

func createEndpointConfig(t *testing.T, sm *sagemaker.Client) (modelARN, endpointConfigARN string) {
	t.Helper()
	ctx := context.Background()
	m, err := sm.CreateModel(ctx, &sagemaker.CreateModelInput{
		ModelName:        aws.String("m1"),
		ExecutionRoleArn: aws.String("arn:aws:iam::123456789012:role/sagemaker"),
		PrimaryContainer: &smtypes.ContainerDefinition{Image: aws.String("123456789012.dkr.ecr.us-east-1.amazonaws.com/img:1")},
		Tags:             smTags(),
	})
	if err != nil {
		t.Fatalf("CreateModel: %v", err)
	}
	ec, err := sm.CreateEndpointConfig(ctx, &sagemaker.CreateEndpointConfigInput{
		EndpointConfigName: aws.String("ec1"),
		ProductionVariants: []smtypes.ProductionVariant{{
			VariantName:          aws.String("v1"),
			ModelName:            aws.String("m1"),
			InitialInstanceCount: aws.Int32(1),
			InstanceType:         smtypes.ProductionVariantInstanceTypeMlT2Medium,
		}},
		Tags: smTags(),
	})
	if err != nil {
		t.Fatalf("CreateEndpointConfig: %v", err)
	}
	return aws.ToString(m.ModelArn), aws.ToString(ec.EndpointConfigArn)
}

func createModelCard(t *testing.T, sm *sagemaker.Client) string {
	t.Helper()
	out, err := sm.CreateModelCard(context.Background(), &sagemaker.CreateModelCardInput{
		ModelCardName:   aws.String("mc1"),
		Content:         aws.String("{}"),
		ModelCardStatus: smtypes.ModelCardStatusDraft,
		Tags:            smTags(),
	})
	if err != nil {
		t.Fatalf("CreateModelCard: %v", err)
	}
	return aws.ToString(out.ModelCardArn)
}

func smTags() []smtypes.Tag {
	var out []smtypes.Tag
	for _, tg := range teamTag {
		out = append(out, smtypes.Tag{Key: aws.String(tg.Key), Value: aws.String(tg.Value)})
	}
	return out
}

func awsConfig(t *testing.T, srv *motoserver.Server) aws.Config {
	t.Helper()
	cfg, err := motoserver.AWSConfig(context.Background(), srv.URL(), region)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// skipOrFail mirrors mototest.ForTest: a missing moto skips the test
// locally and fails it under CI=true.
func skipOrFail(t *testing.T, err error, logs *lockedBuffer) {
	t.Helper()
	if errors.Is(err, motoserver.ErrNotInstalled) && os.Getenv("CI") != "true" {
		t.Skipf("moto not installed: %v", err)
	}
	t.Fatalf("start moto: %v\n--- output ---\n%s", err, logs.String())
}

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// waitFor reports whether the output comes to contain s within a few
// seconds. The server's log reaches the buffer through a pipe, so a line
// it wrote before answering a request may arrive after the answer.
func (b *lockedBuffer) waitFor(s string) bool {
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if strings.Contains(b.String(), s) {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
	}
}

// TestLauncherSelfCheck runs launcher.py (with moto's --help, so nothing is
// served) against a moto altered in-process: one that already has both fixes
// must be left unpatched, and one whose code has another shape must make
// the launcher exit with status 4 and a message instead of serving.
func TestLauncherSelfCheck(t *testing.T) {
	if err := exec.Command(motoserver.PythonName, "-c", "import moto.server").Run(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("python3 cannot import moto: %v", err)
		}
		t.Skipf("python3 cannot import moto: %v", err)
	}
	const run = "\nsys.argv = ['launcher.py', '--help']\nrunpy.run_path('launcher.py', run_name='__main__')\n"
	for _, c := range []struct {
		name, prelude string
		wantCode      int
		wantOut       string
	}{
		{"fixed upstream", `import sys, runpy
g = runpy.run_path('launcher.py', run_name='probe')
g['patch_endpoint_config_arn'](); g['patch_model_cards']()`, 0, "patched nothing (fixed upstream)"},
		{"endpoint config changed shape", `import sys, runpy
import moto.sagemaker.models as m
orig = m.FakeEndpointConfig.__init__
def init(self, *a, **k):
    orig(self, *a, **k); self.arn = ['other']
m.FakeEndpointConfig.__init__ = init`, 4, "GetResources on an endpoint config fails in an unknown way"},
		{"model cards changed shape", `import sys, runpy
import moto.sagemaker.models as m
m.SageMakerModelBackend.create_model_card = lambda *a, **k: 1/0`, 4, "probe raised ZeroDivisionError"},
	} {
		t.Run(c.name, func(t *testing.T) {
			out, err := exec.Command(motoserver.PythonName, "-c", c.prelude+run).CombinedOutput()
			code := 0
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if code != c.wantCode || !strings.Contains(string(out), c.wantOut) {
				t.Errorf("exit %d, want %d with %q; output:\n%s", code, c.wantCode, c.wantOut, out)
			}
		})
	}
}
