package cli

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runGuardrailsCmd runs the guardrails command on its own (as the root would)
// and returns stdout and the exit code exitCode decides.
func runGuardrailsCmd(t *testing.T, args ...string) (string, int) {
	t.Helper()
	var out bytes.Buffer
	cmd := newGuardrailsCommand(Env{Stdout: &out, Stderr: io.Discard})
	cmd.SetArgs(args)
	cmd.SetOut(io.Discard)
	cmd.SetErr(io.Discard)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	err := cmd.Execute()
	if err != nil && isCobraUsage(err) {
		err = usageError{err}
	}
	return out.String(), exitCode(err)
}

var guardrailsDemoArgs = []string{
	"--approved-key", "arn:aws:kms:*:123456789012:key/*",
	"--exempt-principal", "arn:aws:iam::123456789012:role/BreakGlass",
	"--key-admin", "arn:aws:iam::123456789012:role/KeyAdmin",
	"--key-user", "arn:aws:iam::123456789012:role/SageMakerExecution",
	"--owner", "ml-platform", "--cost-center", "cc-1234",
}

func TestGuardrailsCommandJSON(t *testing.T) {
	t.Parallel()
	out, code := runGuardrailsCmd(t, guardrailsDemoArgs...)
	if code != ExitOK {
		t.Fatalf("exit %d", code)
	}
	var doc struct {
		SCPs           []struct{ Name string }       `json:"scps"`
		KeyPolicy      map[string]any                `json:"key_policy"`
		NotEnforceable []struct{ Kind, Slot string } `json:"not_enforceable"`
		Notes          []string
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.SCPs) == 0 || doc.KeyPolicy == nil || len(doc.NotEnforceable) == 0 || len(doc.Notes) == 0 {
		t.Errorf("incomplete bundle: %.500s", out)
	}

	// Without key admins or users the SCPs are still produced, the key is not.
	out, code = runGuardrailsCmd(t)
	if code != ExitOK || !strings.Contains(out, `"scps"`) || strings.Contains(out, `"key_policy"`) ||
		!strings.Contains(out, "no KMS key is generated") {
		t.Errorf("exit %d, output without key flags: %.300s", code, out)
	}
}

func TestGuardrailsCommandOutDir(t *testing.T) {
	t.Parallel()
	for _, format := range []string{"terraform", "cloudformation"} {
		dir := filepath.Join(t.TempDir(), "out")
		out, code := runGuardrailsCmd(t, append([]string{"--format", format, "--out", dir}, guardrailsDemoArgs...)...)
		if code != ExitOK {
			t.Fatalf("%s: exit %d", format, code)
		}
		main := map[string]string{"terraform": "guardrails.tf", "cloudformation": "guardrails.yaml"}[format]
		for _, name := range []string{main, "scp-1.json", "iam-deny-1.json", "key-policy.json", "conformance-pack.yaml", "notes.md"} {
			b, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil || len(b) == 0 {
				t.Errorf("%s: %s missing or empty: %v", format, name, err)
			}
			if !strings.Contains(out, filepath.Join(dir, name)) {
				t.Errorf("%s: stdout does not list %s", format, name)
			}
		}
	}
}

func TestGuardrailsCommandUsageErrors(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"--format", "yaml"},
		{"--approved-key", "not-an-arn"},
		{"--key-admin", "arn:aws:iam::111111111111:role/A", "--key-user", "arn:aws:iam::222222222222:role/U"},
		{"--alias", "alias/aws/sagemaker"},
		{"--no-such-flag"},
		{"extra-argument"},
	} {
		if _, code := runGuardrailsCmd(t, args...); code != ExitUsage {
			t.Errorf("%v: exit %d, want %d", args, code, ExitUsage)
		}
	}
}
