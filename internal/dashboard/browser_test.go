package dashboard

import (
	"bytes"
	"context"
	"flag"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sagekey/sagekey/internal/testutil/browser"
)

var screenshot = flag.Bool("screenshot", false, "also write docs/dashboard-{overview,findings,finding,key}.png")

// chromium runs headless Chromium on a URL. internal/testutil/browser
// opens files only; the dashboard must be seen as served, with its
// headers (the Content-Security-Policy among them) in force. Flags as
// there: --no-sandbox because CI runs as root.
func chromium(t *testing.T, bin, target string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
		"--user-data-dir=" + t.TempDir()}
	cmd := exec.CommandContext(ctx, bin, append(append(base, args...), target)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s", bin, target, err, stderr.String())
	}
	return stdout.String()
}

// TestDashboardInChromium serves the seeded dashboard on loopback and opens
// the overview, a filtered findings list, a finding and a key in a real
// headless Chromium: the pages show their figures, and the hostile tag
// values show as text without running.
func TestDashboardInChromium(t *testing.T) {
	bin := browser.Find(t)
	srv := httptest.NewServer(newDashboard(t, Options{}))
	defer srv.Close()
	pages := []struct {
		name, path, size string
		wants            []string
	}{
		{"overview", "/", "1280,1780", []string{`id="overall-compliance">40.00%<`, "<polyline", "dead0000-doom",
			"&lt;script&gt;alert(1)&lt;/script&gt;"}},
		{"findings", "/findings?status=FAIL&severity=high&kind=notebook-instance", "1280,620", []string{"<strong>2</strong> matching findings",
			"nb-01", "nb-02", "<option selected=\"\">FAIL</option>"}},
		{"finding", "/findings/" + fpNB01, "1280,960", []string{"Recreate the notebook instance", "no KmsKeyId",
			"&lt;script&gt;document.title='pwned'&lt;/script&gt;", "&lt;img src=x onerror="}},
		{"key", "/keys/" + url.PathEscape(doomKey), "1280,760", []string{`id="key-state">PendingDeletion<`, "fraud-v1", "Blast radius: 1 resources"}},
	}
	for _, p := range pages {
		dom := chromium(t, bin, srv.URL+p.path, "--dump-dom")
		for _, w := range p.wants {
			if !strings.Contains(dom, w) {
				t.Errorf("%s: the rendered page lacks %q", p.name, w)
			}
		}
		// Nothing the seed's tags carry may run or become an element: no
		// title change, no mark on the body, no script or img element.
		if strings.Contains(dom, "<title>pwned") || strings.Contains(dom, "data-pwned") ||
			strings.Contains(dom, "<script") || strings.Contains(dom, "<img") {
			t.Errorf("%s: a hostile tag value ran or was parsed as markup in the browser", p.name)
		}
		if !strings.Contains(dom, "· sagekey dashboard</title>") {
			t.Errorf("%s: the page title changed", p.name)
		}
		if t.Failed() {
			os.WriteFile(filepath.Join(os.TempDir(), "sagekey-dashboard-"+p.name+".html"), []byte(dom), 0o644)
		}
		if *screenshot {
			out, err := filepath.Abs(filepath.Join("..", "..", "docs", "dashboard-"+p.name+".png"))
			if err != nil {
				t.Fatal(err)
			}
			chromium(t, bin, srv.URL+p.path, "--screenshot="+out, "--window-size="+p.size, "--hide-scrollbars")
			if info, err := os.Stat(out); err != nil || info.Size() == 0 {
				t.Fatalf("no screenshot written to %s: %v", out, err)
			}
			t.Logf("screenshot written to %s", out)
		}
	}
}
