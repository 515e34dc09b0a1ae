package serve

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/sagekey/sagekey/internal/alert"
	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/history"
	"github.com/sagekey/sagekey/internal/store"
)

// storeShard stores one shard of a sweep, as sagekey scan --shard does,
// and what the loader reads back for it: the whole sweep once complete.
func storeShard(t *testing.T, e *fakeEstate, sweep string, index, count int, region string, fs []finding.Finding, whole []finding.Finding) int64 {
	t.Helper()
	scope := history.Scope{Accounts: []string{"111122223333"}, Regions: []string{region}, Checks: []string{"notebook-instance.cmk"},
		Complete: []history.Coverage{{Account: "111122223333", Region: region, Kinds: []string{"notebook-instance"}}}}
	run := store.Run{Started: e.clock.now, Finished: e.clock.now.Add(time.Minute), Scope: scope, Counts: map[finding.Status]int{},
		Shard: &store.RunShard{Sweep: sweep, Index: index, Count: count}}
	id, err := e.st.SaveRun(context.Background(), store.RunRecord{Run: run, Observations: history.Observe(fs, nil)})
	if err != nil {
		t.Fatal(err)
	}
	run.ID = id
	e.records[id] = Stored{Run: run, Findings: whole}
	return id
}

// TestAlertsOnCompleteSweeps: serve alerts on a sweep stored by other
// processes once its last shard is in, with the violations every shard
// opened, and once.
func TestAlertsOnCompleteSweeps(t *testing.T) {
	ctx := context.Background()
	s, e := jobServer(t)
	a, b := notebook("a", finding.Fail), notebook("b", finding.Fail)
	b.Resource.Region = "eu-west-1"
	storeShard(t, e, "s1", 0, 2, "us-east-1", []finding.Finding{a}, nil)
	if err := s.alertRuns(ctx); err != nil {
		t.Fatal(err)
	}
	if got := outbox(t, s.o.Store, e.clock.now); len(got) != 0 {
		t.Fatalf("a sweep missing a shard was alerted: %v", got)
	}
	e.clock.now = e.clock.now.Add(time.Minute)
	storeShard(t, e, "s1", 1, 2, "eu-west-1", []finding.Finding{b}, []finding.Finding{a, b})
	if err := s.alertRuns(ctx); err != nil {
		t.Fatal(err)
	}
	got := outbox(t, s.o.Store, e.clock.now)
	if len(got[alert.ViolationOpened]) != 2 || len(got) != 1 {
		t.Fatalf("complete sweep: %v, want the violations of both shards", got)
	}
	if err := s.alertRuns(ctx); err != nil {
		t.Fatal(err)
	}
	if got := outbox(t, s.o.Store, e.clock.now); len(got) != 0 {
		t.Fatalf("the sweep was alerted twice: %v", got)
	}
}

// TestNoScanRefusesScanRequests: with --scan=false nothing would run the
// requested scan, so the request is refused rather than queued forever.
func TestNoScanRefusesScanRequests(t *testing.T) {
	s, _ := jobServer(t)
	s.o.NoScan = true
	rec := httptest.NewRecorder()
	s.requestScan(rec, httptest.NewRequest(http.MethodPost, "/api/scan", nil))
	if rec.Code != http.StatusConflict {
		t.Errorf("POST /api/scan with --scan=false: %d, want 409", rec.Code)
	}
}
