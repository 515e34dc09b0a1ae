package serve_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/sagekey/sagekey/internal/alert"
	"github.com/sagekey/sagekey/internal/motoserver/mototest"
	"github.com/sagekey/sagekey/internal/store"
	"github.com/sagekey/sagekey/internal/store/storetest"
)

// TestServeReplicasOnePostgres runs two `sagekey serve` processes on one
// PostgreSQL database over several scheduled intervals while the estate
// changes: their stored scans never overlap, both serve current metrics,
// and each alert reaches the webhook once.
func TestServeReplicasOnePostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: builds and runs sagekey serve")
	}
	dsn := storetest.PostgresDatabase(t)
	srv := mototest.ForTest(t)
	mototest.DummyCredentials(t)
	cfg := mototest.Config(t, srv, "us-east-1")
	est := newEstate(t, cfg)
	key := est.key()
	est.notebook("nb-keyed", key)
	hook := newReceiver(t, hookSecret)
	config := serveConfig(t, "", "")
	env := []string{"SAGEKEY_E2E_HOOK_URL=" + hook.url()}
	args := []string{"--config", config, "--db", dsn, "--endpoint-url", srv.URL(), "--every", "10s", "--jitter", "3s"}
	a := startServe(t, env, testToken, args...)
	b := startServe(t, env, testToken, args...)

	begin := time.Now()
	time.Sleep(12 * time.Second)
	plain := est.notebook("nb-plain", "")
	time.Sleep(12 * time.Second)
	est.scheduleDeletion(key)
	time.Sleep(20 * time.Second)
	for _, p := range []*process{a, b} {
		if last := counter(p.metrics(), "sagekey_last_successful_scan_timestamp_seconds", nil); last < float64(begin.Unix()) {
			t.Errorf("replica %s: last successful scan %v is before the test began", p.addr, last)
		}
	}
	for _, p := range []*process{a, b} {
		if err := p.stop(); err != nil {
			t.Errorf("replica %s after SIGTERM: %v", p.addr, err)
		}
	}

	st, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	runs, err := st.Runs(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) < 3 {
		t.Fatalf("%d scans stored over 44s at a 10s interval, want at least 3", len(runs))
	}
	slices.SortFunc(runs, func(x, y store.Run) int { return x.Started.Compare(y.Started) })
	for i := 1; i < len(runs); i++ {
		if runs[i].Started.Before(runs[i-1].Finished) {
			t.Errorf("run %d (%s) started before run %d finished (%s): scans overlapped", runs[i].ID,
				runs[i].Started.Format(time.RFC3339Nano), runs[i-1].ID, runs[i-1].Finished.Format(time.RFC3339Nano))
		}
	}
	t.Logf("%d scans stored; replica A logged %d, B %d", len(runs), a.logLines("scheduled scan complete"), b.logLines("scheduled scan complete"))

	alerts, counts, bad := hook.snapshot()
	if len(bad) > 0 {
		t.Errorf("refused deliveries: %v", bad)
	}
	var opened, keyDown int
	for id, al := range alerts {
		if counts[id] != 1 {
			t.Errorf("alert %s (%s) delivered %d times", id, al.Title, counts[id])
		}
		switch {
		case al.Kind == alert.ViolationOpened && al.Resource != nil && al.Resource.ARN == plain:
			opened++
		case al.Kind == alert.KeyStateChanged && al.Key != nil && al.Key.ARN == key:
			keyDown++
		}
	}
	if opened != 1 || keyDown != 1 {
		var all []alert.Alert
		for _, al := range alerts {
			all = append(all, al)
		}
		t.Errorf("want one alert for the new notebook and one for the key, got %d and %d:%s", opened, keyDown, describe(all))
	}
}
