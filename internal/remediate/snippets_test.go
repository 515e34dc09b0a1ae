package remediate

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func needBotocore(t *testing.T) {
	t.Helper()
	if err := exec.Command("python3", "-c", "import botocore").Run(); err != nil {
		t.Skip("python3 with botocore not installed")
	}
}

// runPy runs a snippet with args in dir and returns the JSON it wrote.
func runPy(t *testing.T, dir, code, out string, args ...string) (map[string]any, string) {
	t.Helper()
	cmd := exec.Command("python3", append([]string{"-"}, args...)...)
	cmd.Dir, cmd.Stdin = dir, strings.NewReader(code)
	msg, err := cmd.CombinedOutput()
	if err != nil {
		return nil, string(msg)
	}
	b, err := os.ReadFile(filepath.Join(dir, out))
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	return doc, string(msg)
}

func TestReshapeEndpointConfig(t *testing.T) {
	t.Parallel()
	needBotocore(t)
	dir := t.TempDir()
	old := `{"EndpointConfigName":"cfg","EndpointConfigArn":"arn:x","CreationTime":1.0,
	 "ProductionVariants":[{"VariantName":"A","ModelName":"m","InitialInstanceCount":1,"InstanceType":"ml.m5.xlarge"}],
	 "ShadowProductionVariants":[{"VariantName":"S","ModelName":"m2","InitialInstanceCount":1,"InstanceType":"ml.m5.xlarge",
	   "CoreDumpConfig":{"DestinationS3Uri":"s3://d/"}}],
	 "DataCaptureConfig":{"EnableCapture":true,"InitialSamplingPercentage":100,"DestinationS3Uri":"s3://cap/","CaptureOptions":[{"CaptureMode":"Input"}]},
	 "ExplainerConfig":{"ClarifyExplainerConfig":{"ShapConfig":{"ShapBaselineConfig":{"MimeType":"text/csv"}}}},
	 "ExecutionRoleArn":"arn:aws:iam::1:role/r","EnableNetworkIsolation":true}`
	_ = os.WriteFile(filepath.Join(dir, "old.json"), []byte(old), 0o644)
	_ = os.WriteFile(filepath.Join(dir, "tags.json"), []byte(`{"Tags":[{"Key":"team","Value":"x"},{"Key":"aws:cloudformation:stack-id","Value":"s"}]}`), 0o644)
	doc, msg := runPy(t, dir, reshapePy, "new.json", "old.json", "new.json", "CreateEndpointConfig",
		"--set", "EndpointConfigName", "cfg-cmk", "--key", "volume", hostingPaths["volume"], "K",
		"--key", "data-capture", hostingPaths["data-capture"], "K", "--key", "core-dump", hostingPaths["core-dump"], "K",
		"--tags", "tags.json")
	if doc == nil {
		t.Fatalf("reshape failed: %s", msg)
	}
	b, _ := json.Marshal(doc)
	s := string(b)
	for _, want := range []string{`"EndpointConfigName":"cfg-cmk"`, `"KmsKeyId":"K"`, `"CoreDumpConfig":{"DestinationS3Uri":"s3://d/","KmsKeyId":"K"}`,
		`"ExplainerConfig"`, `"ExecutionRoleArn"`, `"EnableNetworkIsolation":true`, `"Tags":[{"Key":"team","Value":"x"}]`} {
		if !strings.Contains(s, want) {
			t.Errorf("new config lacks %s:\n%s", want, s)
		}
	}
	for _, gone := range []string{"EndpointConfigArn", "CreationTime", "aws:cloudformation"} {
		if strings.Contains(s, gone) {
			t.Errorf("new config keeps read-only %s", gone)
		}
	}
	// A slot the description does not have stops the run.
	if doc, _ := runPy(t, dir, reshapePy, "x.json", "old.json", "x.json", "CreateEndpointConfig",
		"--key", "async-output", hostingPaths["async-output"], "K"); doc != nil {
		t.Error("reshape accepted a key path that does not exist")
	}
}

func TestClusterSnippet(t *testing.T) {
	t.Parallel()
	needBotocore(t)
	dir := t.TempDir()
	old := `{"ClusterName":"hp","ClusterArn":"arn:x","ClusterStatus":"InService","InstanceGroups":[
	 {"InstanceGroupName":"controller","InstanceType":"ml.m5.xlarge","CurrentCount":1,"TargetCount":1,"Status":"InService",
	  "LifeCycleConfig":{"SourceS3Uri":"s3://lc/","OnCreate":"on_create.sh"},"ExecutionRole":"arn:aws:iam::1:role/r"},
	 {"InstanceGroupName":"workers","InstanceType":"ml.p5.48xlarge","CurrentCount":2,"TargetCount":4,"Status":"InService",
	  "LifeCycleConfig":{"SourceS3Uri":"s3://lc/","OnCreate":"on_create.sh"},"ExecutionRole":"arn:aws:iam::1:role/r",
	  "InstanceStorageConfigs":[{"EbsVolumeConfig":{"VolumeSizeInGB":500}}]}]}`
	_ = os.WriteFile(filepath.Join(dir, "old.json"), []byte(old), 0o644)
	doc, msg := runPy(t, dir, clusterPy, "new.json", "old.json", "new.json", "K", "workers")
	if doc == nil {
		t.Fatalf("cluster snippet failed: %s", msg)
	}
	groups, _ := doc["InstanceGroups"].([]any)
	if len(groups) != 3 {
		t.Fatalf("groups = %d, want the two old ones and workers-cmk: %v", len(groups), doc)
	}
	b, _ := json.Marshal(groups[2])
	s := string(b)
	for _, want := range []string{`"InstanceGroupName":"workers-cmk"`, `"InstanceCount":4`,
		`{"EbsVolumeConfig":{"RootVolume":true,"VolumeKmsKeyId":"K"}}`, `{"EbsVolumeConfig":{"VolumeKmsKeyId":"K","VolumeSizeInGB":500}}`} {
		if !strings.Contains(s, want) {
			t.Errorf("new group lacks %s: %s", want, s)
		}
	}
	if b, _ := json.Marshal(groups[0]); strings.Contains(string(b), "CurrentCount") || strings.Contains(string(b), "Status") {
		t.Errorf("restated group keeps read-only fields: %s", b)
	}
}

// TestPythonSnippetsParse compiles every Python snippet of the fixture
// plan: the boto3 equivalents and the here-documents of shell commands.
func TestPythonSnippetsParse(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 not installed")
	}
	p := Build(fixture(), fixtureOptions())
	var snippets []string
	for _, it := range p.Items {
		for _, s := range it.Steps {
			for _, c := range s.Commands {
				if c.Lang == LangPython {
					snippets = append(snippets, c.Text)
				}
				for _, part := range strings.Split(c.Text, "<<'PY'\n")[1:] {
					body, _, _ := strings.Cut(part, "\nPY")
					snippets = append(snippets, body)
				}
			}
		}
	}
	if len(snippets) < 5 {
		t.Fatalf("found only %d snippets", len(snippets))
	}
	for _, s := range snippets {
		cmd := exec.Command("python3", "-c", "import ast, sys; ast.parse(sys.stdin.read())")
		cmd.Stdin = strings.NewReader(s)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("snippet does not parse: %v\n%s\n%s", err, out, s)
		}
	}
}
