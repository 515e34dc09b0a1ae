package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestEventsBenchmarkAgainstMoto runs the whole events benchmark at a tiny
// size: it builds sagekey, seeds moto, starts `sagekey serve --queue`
// through the proxy and sends 10 events/s for 5 s, spread over two
// accounts. Latency is the
// machine's; what must hold anywhere is the structure: every event sent on
// schedule and alerted exactly once at the webhook with a valid signature,
// each checked by serve (its metrics say so) with sagekey's SQS and
// SageMaker requests seen by the proxy, serve stopping cleanly on SIGTERM,
// and the result evaluating to a verdict.
func TestEventsBenchmarkAgainstMoto(t *testing.T) {
	requireMoto(t)
	if testing.Short() {
		t.Skip("builds sagekey and runs sagekey serve; skipped with -short")
	}
	const rate, base = 10, 10
	work := t.TempDir()
	cfg := EventsConfig{Rate: rate, Duration: 5 * time.Second, Latency: 2 * time.Millisecond, Base: base, Accounts: 2,
		Pollers: 2, TargetP99: 5 * time.Second, KeepDir: work}
	events := cfg.Events()
	var logs bytes.Buffer
	res, err := executeEvents(context.Background(), cfg, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatalf("benchmark aborted: %v\n%s", err, logs.String())
	}
	if !res.Serve.OK() {
		t.Fatalf("serve failed: %s", res.Serve.Failure)
	}
	if res.Serve.PeakRSSKiB <= 0 || !strings.Contains(res.Serve.Command, "--queue "+res.Seed.Queue) ||
		!strings.Contains(res.Serve.Command, "--accounts 123456789012,210000000001") {
		t.Errorf("serve %+v", res.Serve)
	}
	if g := res.Generator; g.Planned != events || g.Sent != events || g.Errors != 0 || g.AchievedRate <= 0 {
		t.Errorf("generator %+v, want %d sent", g, events)
	}
	// The first scan alerts the base estate's unkeyed notebooks before
	// any event.
	if res.BaseAlerts < base/2 {
		t.Errorf("%d alerts for the base estate, want at least %d", res.BaseAlerts, base/2)
	}
	if a := res.Alerts; a.Matched != events || a.Missing != 0 || a.Duplicates != 0 || a.Redelivered != 0 || a.Refused != 0 {
		t.Errorf("alerts %+v: want every event alerted exactly once", a)
	}
	if l := res.Latency; l.Count != events || l.P50 <= 0 || l.P50 > l.P90 || l.P90 > l.P99 || l.P99 > l.Max {
		t.Errorf("latency %+v", l)
	}
	m := res.Metrics
	if m.Events["received"] < float64(events) || m.Checks["ok"] < 1 || m.CheckDuration.Count < 1 || m.Scans != 0 {
		t.Errorf("serve metrics %+v", m)
	}
	// Each notebook was created, and alerted, in its own account.
	if perAccount := res.Alerts.ByAccount; perAccount["123456789012"] != events/2 || perAccount["210000000001"] != events/2 {
		t.Errorf("alerted notebooks by account %v, want %d in each", perAccount, events/2)
	}
	for _, op := range []string{"sqs:ReceiveMessage", "sqs:DeleteMessageBatch", "sagemaker:DescribeNotebookInstance"} {
		if res.Proxy.Calls[op] == 0 {
			t.Errorf("the proxy saw no %s: %v", op, res.Proxy.Calls)
		}
	}
	if n := res.Proxy.Calls["sagemaker:CreateNotebookInstance"] + res.Proxy.Calls["sqs:SendMessage"]; n != 0 {
		t.Errorf("the generator's %d requests went through the proxy", n)
	}

	if len(res.Targets) != 3 {
		t.Fatalf("%d targets: %+v", len(res.Targets), res.Targets)
	}
	for i, tg := range res.Targets {
		if tg.Status != targetPass && tg.Status != targetFail {
			t.Errorf("%s: %s, want a verdict", tg.Name, tg.Status)
		}
		if i > 0 && tg.Status != targetPass { // missing and duplicates hold on any machine
			t.Errorf("%s: %s (%s)", tg.Name, tg.Status, tg.Detail)
		}
	}

	var out bytes.Buffer
	if err := WriteEventsText(&out, res); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"50 CreateNotebookInstance events", "== Event → alert latency", "sqs:ReceiveMessage", "== Targets =="} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
	path := filepath.Join(work, "result.json")
	if err := writeJSONFile(path, res); err != nil {
		t.Fatal(err)
	}
	var back struct {
		Alerts struct {
			Matched int `json:"matched"`
		} `json:"alerts"`
	}
	data, err := os.ReadFile(path)
	if err != nil || json.Unmarshal(data, &back) != nil || back.Alerts.Matched != events {
		t.Errorf("JSON result does not round-trip the alerted events: %v\n%s", err, data)
	}
}
