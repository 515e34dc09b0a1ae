// Package browser drives a headless Chromium for tests that must see a page
// as a reader's browser renders it (scripts run, CSS applied), not as bytes.
// Like mototest, it skips a test when Chromium is missing, unless CI=true,
// where a missing browser fails the run: CI must exercise these tests.
package browser

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"testing"
	"time"
)

// candidates are the names Debian, Ubuntu and Google builds install under.
var candidates = []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}

// Find returns the Chromium binary, skipping (locally) or failing (CI) t
// when there is none.
func Find(t testing.TB) string {
	t.Helper()
	for _, name := range candidates {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("chromium not found; CI requires it: apt-get install chromium")
	}
	t.Skipf("chromium not found, skipping browser test; install it with: apt-get install chromium")
	return ""
}

// run starts the browser headless on a local file with a throwaway
// profile. --no-sandbox because CI runs as root, where Chromium refuses to
// start sandboxed; the page is our own generated file.
func run(t testing.TB, bin string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
		"--no-first-run", "--user-data-dir=" + t.TempDir()}
	cmd := exec.CommandContext(ctx, bin, append(base, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %v: %v\n%s", bin, args, err, stderr.String())
	}
	return stdout.Bytes()
}

// DumpDOM loads the file and returns the DOM serialised after every script
// on the page has run, which is how a test proves that none ran.
func DumpDOM(t testing.TB, bin, path string) string {
	t.Helper()
	return string(run(t, bin, "--dump-dom", "file://"+path))
}

// Screenshot renders the file into a PNG at out.
func Screenshot(t testing.TB, bin, path, out, windowSize string) {
	t.Helper()
	run(t, bin, "--screenshot="+out, "--window-size="+windowSize, "--hide-scrollbars", "file://"+path)
	if info, err := os.Stat(out); err != nil || info.Size() == 0 {
		t.Fatalf("no screenshot written to %s: %v", out, err)
	}
}
