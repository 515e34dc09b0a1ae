package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/sagekey/sagekey/internal/motoserver"
)

// requireMoto skips the test when moto_server is not installed, unless CI
// is "true", where it fails, as mototest.ForTest does. The trail benchmark
// starts its own moto_server, so the test only checks that it can.
func requireMoto(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath(motoserver.BinaryName); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("moto_server not found; CI requires it: pip install 'moto[server]==5.2.1' (%v)", err)
		}
		t.Skipf("moto_server not found, skipping integration test; install it with: pip install 'moto[server]==5.2.1' (%v)", err)
	}
}

// TestTrailBenchmarkAgainstMoto runs the whole trail benchmark at a tiny
// size: it builds sagekey, uploads the trail into a real moto_server and
// runs `sagekey trail` three times through the proxy. Speed is the
// machine's; what must hold anywhere is the structure: every generated
// event and object read in run 1, nothing read in run 2, the RSS check's
// run over a quarter of the events, and sagekey's own call counts matching
// the proxy's. Throttling is left to TestS3ThrottlerAnswersSlowDown: under
// steady random SlowDowns the SDK's adaptive retryer cuts sagekey's request
// rate to a few per second, and the runs would take minutes.
func TestTrailBenchmarkAgainstMoto(t *testing.T) {
	requireMoto(t)
	if testing.Short() {
		t.Skip("builds sagekey and runs it three times; skipped with -short")
	}
	const events, days = 20_000, 3
	regions := []string{"us-east-1", "eu-west-1", "ap-southeast-2"}
	files := days * 24 * len(regions)
	work := t.TempDir()
	cfg := TrailConfig{Events: events, Days: days, Regions: regions, Latency: 2 * time.Millisecond,
		RSSCheck: true, KeepDir: work, Seed: 1}
	var logs bytes.Buffer
	res, err := executeTrail(context.Background(), cfg, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatalf("benchmark aborted: %v\n%s", err, logs.String())
	}
	for _, run := range []*TrailRun{res.First, res.Second, res.Small} {
		if !run.OK() {
			t.Fatalf("run %s failed: %s", run.ID, run.Failure)
		}
		if run.PeakRSSKiB <= 0 || run.Wall <= 0 {
			t.Errorf("run %s: peak RSS %d KiB, wall %s: not measured", run.ID, run.PeakRSSKiB, run.Wall)
		}
		if !strings.Contains(run.Command, "--s3-uri s3://"+trailBucket+"/") || !strings.Contains(run.Command, "--format json") {
			t.Errorf("run %s command %q", run.ID, run.Command)
		}
		// Each attempt sagekey makes reaches the proxy once: its calls and
		// retries together are the proxy's requests.
		self := run.SelfTotal()
		if int(self.Total+self.Retries) != run.Proxy.Total() {
			t.Errorf("run %s: sagekey counted %d calls + %d retries, the proxy %d requests (%v)",
				run.ID, self.Total, self.Retries, run.Proxy.Total(), run.Proxy.Calls)
		}
	}

	if res.Trail.Events != events || res.Trail.Files != files || res.Trail.Bytes <= 0 || res.Trail.RawBytes <= res.Trail.Bytes {
		t.Errorf("trail %+v: want %d events in %d gzipped files", res.Trail, events, files)
	}
	if res.Trail.Interesting == 0 || res.Trail.Interesting > events/10 {
		t.Errorf("%d events of interest in %d: want about 2 %%", res.Trail.Interesting, events)
	}
	if rd := res.First.Read; rd.Events != events || rd.Read != files || rd.Listed != files || rd.Skipped != 0 {
		t.Errorf("run 1 read %+v, want %d events in %d objects", rd, events, files)
	}
	if got := res.First.Proxy.Calls["s3:GetObject"]; got != files {
		t.Errorf("run 1: %d GetObject requests, want one per object (%d)", got, files)
	}
	// Days read in full are not listed again; what is listed was read.
	if rd := res.Second.Read; rd.Read != 0 || rd.Events != 0 || rd.Skipped != rd.Listed || rd.CellsKnown == 0 {
		t.Errorf("run 2 read %+v, want nothing, with the days run 1 read in full not listed again", rd)
	}
	if n := res.Second.Proxy.Calls["s3:GetObject"]; n != 0 {
		t.Errorf("run 2 made %d GetObject requests", n)
	}
	if res.SmallTrail == nil || res.SmallTrail.Events != events/rssCheckDivisor || res.SmallTrail.Files != files {
		t.Errorf("RSS-check trail %+v, want %d events in %d files", res.SmallTrail, events/rssCheckDivisor, files)
	}
	if rd := res.Small.Read; rd.Events != events/rssCheckDivisor || rd.Read != files {
		t.Errorf("RSS-check run read %+v", rd)
	}
	if res.Speedup <= 0 {
		t.Errorf("speed-up %v", res.Speedup)
	}
	if runtime.GOOS == "linux" {
		for _, run := range []*TrailRun{res.First, res.Second, res.Small} {
			if c := run.CPU; c == nil || c.MotoSeconds == nil || c.SagekeySeconds <= 0 {
				t.Errorf("run %s: CPU times %+v, want sagekey's and moto_server's on Linux", run.ID, c)
			}
		}
	}

	// The structural targets hold on any machine; speed ones are the
	// machine's and only have to be judged.
	if len(res.Targets) != numTrailTargets {
		t.Fatalf("%d targets: %+v", len(res.Targets), res.Targets)
	}
	for _, i := range []int{tAllRead, tRSS1, tRSS2, tNoObjects} {
		if tg := res.Targets[i]; tg.Status != targetPass {
			t.Errorf("%s: %s (%s)", tg.Name, tg.Status, tg.Detail)
		}
	}
	for _, tg := range res.Targets {
		if tg.Status != targetPass && tg.Status != targetFail {
			t.Errorf("%s: %s, want a verdict", tg.Name, tg.Status)
		}
	}

	var out bytes.Buffer
	if err := WriteTrailText(&out, res); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"20,000 events in 216 gzipped hourly log files", "== 1. first run", "== 2. second run",
		"s3:GetObject", "== Targets =="} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
	path := filepath.Join(work, "result.json")
	if err := writeJSONFile(path, res); err != nil {
		t.Fatal(err)
	}
	var back struct {
		First struct {
			Read struct {
				Events int64 `json:"events"`
			} `json:"read"`
		} `json:"first_run"`
	}
	data, err := os.ReadFile(path)
	if err != nil || json.Unmarshal(data, &back) != nil || back.First.Read.Events != events {
		t.Errorf("JSON result does not round-trip run 1's events: %v\n%s", err, data)
	}
}
