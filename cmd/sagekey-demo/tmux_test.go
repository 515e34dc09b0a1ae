package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// screenWidth is the terminal the person in the issue used.
const screenWidth = 100

// need finds a program the test cannot do without: locally its absence
// skips the test with a message, under CI=true it fails.
func need(t *testing.T, program, install string) {
	t.Helper()
	if _, err := exec.LookPath(program); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s not found; CI requires it: %s", program, install)
		}
		t.Skipf("%s not found, skipping the terminal test; install it with: %s", program, install)
	}
}

// TestDemoInATerminal runs the demo as a person would, in a real terminal
// (tmux) 100 columns wide, and checks what they see: every line fits the
// screen, the scan starts with its summary, and the tour after the KPIs
// names the HTML report, the worst finding's plan, the guardrails and what
// to try next.
func TestDemoInATerminal(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole demo")
	}
	need(t, "tmux", "apt-get install tmux")
	need(t, "moto_server", "pip install 'moto[server]==5.2.1'")
	dir := t.TempDir()
	bin := filepath.Join(dir, "sagekey-demo")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	conf := filepath.Join(dir, "tmux.conf")
	if err := os.WriteFile(conf, []byte("set -g history-limit 100000\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	socket := fmt.Sprintf("sagekey-demo-test-%d", os.Getpid())
	tmux := func(args ...string) (string, error) {
		out, err := exec.Command("tmux", append([]string{"-L", socket, "-f", conf}, args...)...).CombinedOutput()
		return string(out), err
	}
	t.Cleanup(func() { _, _ = tmux("kill-server") })
	// The demo runs in dir, so no stray sagekey.yaml applies; its last line
	// says how it exited, and the pane stays open to be read.
	// TMPDIR keeps the demo's database and report inside the test's directory.
	script := fmt.Sprintf("cd %q && TMPDIR=%q %q; echo DEMO-EXIT=$?; sleep 600", dir, dir, bin)
	if out, err := tmux("new-session", "-d", "-x", fmt.Sprint(screenWidth), "-y", "40", "-s", "demo", script); err != nil {
		t.Fatalf("tmux new-session: %v\n%s", err, out)
	}
	var screen string
	deadline := time.Now().Add(5 * time.Minute)
	for {
		out, err := tmux("capture-pane", "-p", "-J", "-S", "-", "-t", "demo")
		if err != nil {
			t.Fatalf("tmux capture-pane: %v\n%s", err, out)
		}
		screen = out
		if strings.Contains(screen, "DEMO-EXIT=") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the demo did not finish in 5 minutes; the screen so far:\n%s", screen)
		}
		time.Sleep(time.Second)
	}
	if !strings.Contains(screen, "DEMO-EXIT=0") {
		t.Errorf("the demo did not exit 0:\n%s", screen)
	}
	lines := strings.Split(screen, "\n")
	// -J joins the lines tmux wrapped, so a line wider than the screen
	// shows here as one long line.
	for i, l := range lines {
		if n := utf8.RuneCountInString(l); n > screenWidth {
			t.Errorf("line %d is %d columns wide, wider than the %d-column terminal: %q", i+1, n, screenWidth, l)
		}
	}
	first := strings.Join(lines[:min(15, len(lines))], "\n")
	if !regexp.MustCompile(`(?m)^\d+\.\d\d% compliant: `).MatchString(first) || !strings.Contains(first, "Scanned accounts") {
		t.Errorf("the screen does not start with the scan's summary:\n%s", first)
	}
	if strings.Contains(first, "level=WARN") {
		t.Errorf("log lines come before the summary:\n%s", first)
	}
	for _, want := range []string{"FAIL: ", "KIND ", "Percent compliant", "HTML report: ", "Cancel the key deletion",
		"Guardrails that block new violations", "SCPs", "Try next:"} {
		if !strings.Contains(screen, want) {
			t.Errorf("the screen lacks %q", want)
		}
	}
	if m := regexp.MustCompile(`HTML report: (\S+)`).FindStringSubmatch(screen); m != nil {
		if _, err := os.Stat(m[1]); err != nil {
			t.Errorf("the HTML report it names: %v", err)
		}
	}
}
