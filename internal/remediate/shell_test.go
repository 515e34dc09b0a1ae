package remediate

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func needBash(t *testing.T) string {
	t.Helper()
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash not installed")
	}
	return bash
}

func shellPlan(t *testing.T) []byte {
	t.Helper()
	p := Build(fixture(), fixtureOptions())
	var buf bytes.Buffer
	if err := WriteShell(&buf, &p); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestShellSyntax(t *testing.T) {
	t.Parallel()
	bash := needBash(t)
	script := shellPlan(t)
	if !bytes.HasPrefix(script, []byte("#!/usr/bin/env bash\n")) || !bytes.Contains(script, []byte("set -euo pipefail")) {
		t.Fatal("script lacks the shebang or set -euo pipefail")
	}
	cmd := exec.Command(bash, "-n")
	cmd.Stdin = bytes.NewReader(script)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("bash -n: %v\n%s", err, out)
	}
}

// TestQuoteRoundTrip feeds hostile values through the quoting and bash:
// each must come back as exactly one, unchanged word.
func TestQuoteRoundTrip(t *testing.T) {
	t.Parallel()
	bash := needBash(t)
	for _, s := range []string{hostile, "a'b", "$(touch /tmp/pwned)", "`id`", "x\ny", "-n", "", "plain-name", `\'"`, "*", "a b"} {
		out, err := exec.Command(bash, "-c", "printf %s "+q(s)).Output()
		if err != nil || string(out) != s {
			t.Errorf("q(%q) = %s came back as %q (%v)", s, q(s), out, err)
		}
	}
	if !strings.Contains(shellPlanString(t), `old_notebook='nb'\''; rm -rf / #'`) {
		t.Error("the hostile notebook name is not single-quoted in the script")
	}
}

func shellPlanString(t *testing.T) string { return string(shellPlan(t)) }

// TestShellRunsHostileNameSafely runs the notebook item of the generated
// script against stub aws, python3 and sagekey commands that log their
// arguments, answering yes to every prompt: the hostile name must reach
// aws as one argument and nothing else may run.
func TestShellRunsHostileNameSafely(t *testing.T) {
	t.Parallel()
	bash := needBash(t)
	dir := t.TempDir()
	bin := filepath.Join(dir, "bin")
	log := filepath.Join(dir, "aws.log")
	stub := `#!/usr/bin/env bash
for a in "$@"; do printf '%s\n' "$a"; done >> "$STUB_LOG"
echo --- >> "$STUB_LOG"
case "$*" in *describe-key*) printf 'CUSTOMER\tEnabled\tarn:aws:kms:us-east-1:111122223333:key/x\n' ;; esac
`
	if err := os.MkdirAll(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, body := range map[string]string{"aws": stub, "sagekey": "#!/bin/sh\nexit 0\n", "python3": "#!/bin/sh\ncat >/dev/null\n"} {
		if err := os.WriteFile(filepath.Join(bin, name), []byte(body), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	script := filepath.Join(dir, "plan.sh")
	if err := os.WriteFile(script, shellPlan(t), 0o644); err != nil {
		t.Fatal(err)
	}
	p := Build(fixture(), fixtureOptions())
	n := itemFor(t, p, "notebook-instance.cmk", hostile).Number
	cmd := exec.Command(bash, script, strconv.Itoa(n))
	cmd.Env = append(os.Environ(), "PATH="+bin+":"+os.Getenv("PATH"), "STUB_LOG="+log,
		"SAGEKEY_WORKDIR="+filepath.Join(dir, "work"), "SAGEKEY_BACKUP_S3_URI=s3://backup/nb")
	cmd.Stdin = strings.NewReader(strings.Repeat("yes\n", 10))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("script failed: %v\n%s", err, out)
	}
	got, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	calls := strings.Split(string(got), "---\n")
	var deleted bool
	for _, c := range calls {
		args := strings.Split(strings.TrimSuffix(c, "\n"), "\n")
		if len(args) > 1 && args[1] == "delete-notebook-instance" {
			deleted = args[len(args)-1] == hostile
		}
	}
	if !deleted {
		t.Errorf("delete-notebook-instance did not receive the name as one argument:\n%s", got)
	}
}

// TestShellSkipsDestructiveWithoutYes: with no answers, nothing is deleted.
func TestShellSkipsDestructiveWithoutYes(t *testing.T) {
	t.Parallel()
	bash := needBash(t)
	p := Build(fixture(), fixtureOptions())
	n := itemFor(t, p, "endpoint-config.cmk", "fraud-config").Number
	dir := t.TempDir()
	script := filepath.Join(dir, "plan.sh")
	if err := os.WriteFile(script, shellPlan(t), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "bin")
	_ = os.MkdirAll(bin, 0o755)
	_ = os.WriteFile(filepath.Join(bin, "aws"), []byte("#!/bin/sh\necho \"$*\" >> \"$STUB_LOG\"\n"), 0o755)
	cmd := exec.Command(bash, script, strconv.Itoa(n))
	cmd.Env = append(os.Environ(), "PATH="+bin+":"+os.Getenv("PATH"), "STUB_LOG="+filepath.Join(dir, "log"),
		"SAGEKEY_WORKDIR="+filepath.Join(dir, "work"))
	cmd.Stdin = strings.NewReader("")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("script failed: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "skipped: ") {
		t.Errorf("no skip message:\n%s", out)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "log")); len(b) > 0 {
		t.Errorf("aws ran without confirmation: %s", b)
	}
}

func TestShellRequiresVariables(t *testing.T) {
	t.Parallel()
	bash := needBash(t)
	p := Build(fixture(), fixtureOptions())
	n := itemFor(t, p, "processing-job.cmk", "prep-data").Number
	cmd := exec.Command(bash, "-c", string(shellPlan(t)), "plan.sh", strconv.Itoa(n))
	cmd.Env = append(os.Environ(), "SAGEKEY_WORKDIR="+t.TempDir())
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "KMS_KEY_ARN_EU_WEST_1 is not set") {
		t.Errorf("want a clear failure for the unset key variable, got %v:\n%s", err, out)
	}
}
