package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

// TestServeUsageErrors: a serve that could not run safely or as asked
// refuses to start with exit status 2 before it touches AWS or the store.
func TestServeUsageErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	shortToken := write("short", "abc\n")
	badKey := write("bad-key.yaml", "serve:\n  evry: 6h\n")
	badSink := write("bad-sink.yaml", "serve:\n  sinks:\n    - {name: a, type: pager}\n")
	db := filepath.Join(dir, "h.db")
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"beyond loopback without a token", []string{"--listen", "0.0.0.0:8080"}, "auth-token-file"},
		{"a token too short", []string{"--auth-token-file", shortToken}, "16 characters"},
		{"every and cron", []string{"--every", "1h", "--cron", "@daily"}, "mutually exclusive"},
		{"an interval too short", []string{"--every", "1s"}, "minimum"},
		{"an unknown serve key", []string{"--config", badKey}, "serve.evry"},
		{"an unknown sink type", []string{"--config", badSink}, "pager"},
		{"a bad alert severity", []string{"--alert-severity", "urgent"}, "alert-severity"},
		{"a shard", []string{"--shard", "0/3"}, "do not apply to serve"},
		{"a trail without scans", []string{"--scan=false", "--from-dir", dir}, "--scan=false"},
		{"a queue that is no URL", []string{"--queue", "sagekey-events"}, "not a queue URL"},
		{"too many pollers", []string{"--queue", "https://sqs.us-east-1.amazonaws.com/123456789012/q", "--queue-pollers", "0"}, "queue-pollers"},
		{"a visibility under a second", []string{"--queue", "https://sqs.us-east-1.amazonaws.com/123456789012/q", "--queue-visibility", "500ms"}, "visibility"},
	} {
		var stdout, stderr bytes.Buffer
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		code := RunEnv(ctx, Env{Stdout: &stdout, Stderr: &stderr, Now: time.Now},
			append([]string{"serve", "--db", db, "--run-at-start=false"}, tc.args...))
		cancel()
		if code != ExitUsage || !strings.Contains(stderr.String(), tc.want) {
			t.Errorf("%s: exit %d, stderr %q; want exit %d mentioning %q", tc.name, code, stderr.String(), ExitUsage, tc.want)
		}
	}
}

// TestDeploymentMatchesServeFlags reads the Kubernetes manifests and checks
// that the Deployment's arguments and the ConfigMap's serve section are
// what this sagekey serve accepts, so the manifests cannot drift from the
// flags.
func TestDeploymentMatchesServeFlags(t *testing.T) {
	root := filepath.Join("..", "..", "deploy", "kubernetes")
	var dep appsv1.Deployment
	readManifest(t, filepath.Join(root, "deployment.yaml"), &dep)
	var cm corev1.ConfigMap
	readManifest(t, filepath.Join(root, "configmap.yaml"), &cm)

	containers := dep.Spec.Template.Spec.Containers
	if len(containers) != 1 || len(containers[0].Args) == 0 || containers[0].Args[0] != "serve" {
		t.Fatalf("the Deployment does not run sagekey serve: %+v", containers)
	}
	cmd := newServeCommand(Env{})
	if err := cmd.ParseFlags(containers[0].Args[1:]); err != nil {
		t.Fatalf("the Deployment's args do not parse as serve flags: %v", err)
	}
	config := filepath.Join(t.TempDir(), "sagekey.yaml")
	if err := os.WriteFile(config, []byte(cm.Data["sagekey.yaml"]), 0o600); err != nil {
		t.Fatal(err)
	}
	serveCfg, err := applyServeConfig(cmd.Flags(), config)
	if err != nil {
		t.Fatalf("the ConfigMap's sagekey.yaml is refused by serve: %v", err)
	}
	if err := serveCfg.Alerts.Validate(); err != nil {
		t.Errorf("the ConfigMap's sinks and routes: %v", err)
	}
	if every := cmd.Flags().Lookup("every"); every.Value.String() == "" {
		t.Error("the ConfigMap sets no schedule")
	}
}

func readManifest(t *testing.T, path string, into any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.UnmarshalStrict(b, into); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}
