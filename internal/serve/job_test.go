package serve

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/sagekey/sagekey/internal/alert"
	"github.com/sagekey/sagekey/internal/alert/detect"
	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/history"
	"github.com/sagekey/sagekey/internal/metrics"
	"github.com/sagekey/sagekey/internal/report"
	"github.com/sagekey/sagekey/internal/scan"
	"github.com/sagekey/sagekey/internal/schedule"
	"github.com/sagekey/sagekey/internal/store"
)

// fakeEstate is a scan that stores what it is told to find: the job's
// logic runs against a real store without AWS.
type fakeEstate struct {
	st       *store.Store
	clock    *stepClock
	findings []finding.Finding
	fail     error
	scans    int
	full     []bool
	records  map[int64]Stored
}

type stepClock struct{ now time.Time }

func (c *stepClock) Now() time.Time                       { return c.now }
func (c *stepClock) After(time.Duration) <-chan time.Time { return make(chan time.Time) }

func (e *fakeEstate) scan(ctx context.Context, full bool) (*scan.Result, error) {
	e.scans++
	e.full = append(e.full, full)
	if e.fail != nil {
		return nil, e.fail
	}
	started := e.clock.now
	scope := history.Scope{Accounts: []string{"111122223333"}, Regions: []string{"us-east-1"}, Checks: []string{"notebook-instance.cmk"},
		Complete: []history.Coverage{{Account: "111122223333", Region: "us-east-1", Kinds: []string{"notebook-instance"}}}}
	rec := store.RunRecord{
		Run:          store.Run{Started: started, Finished: started.Add(time.Minute), Scope: scope, Counts: map[finding.Status]int{}},
		Observations: history.Observe(e.findings, nil),
	}
	id, err := e.st.SaveRun(ctx, rec)
	if err != nil {
		return nil, err
	}
	rec.Run.ID = id
	e.records[id] = Stored{Run: rec.Run, Findings: append([]finding.Finding(nil), e.findings...)}
	return &scan.Result{Report: &report.Report{RunID: id, Started: started, Findings: finding.NewList(e.findings)}}, nil
}

func (e *fakeEstate) load(_ context.Context, id int64) (Stored, error) {
	s, ok := e.records[id]
	if !ok {
		return Stored{}, errors.New("no such run")
	}
	return s, nil
}

func notebook(name string, status finding.Status) finding.Finding {
	return finding.Finding{CheckID: "notebook-instance.cmk", Status: status, Severity: finding.High, Message: "no customer-managed key",
		Resource: finding.Resource{ARN: "arn:aws:sagemaker:us-east-1:111122223333:notebook-instance/" + name, Kind: "notebook-instance",
			Name: name, Account: "111122223333", Region: "us-east-1"}}
}

func jobServer(t *testing.T) (*server, *fakeEstate) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "h.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	clock := &stepClock{now: time.Date(2026, 12, 7, 6, 0, 0, 0, time.UTC)}
	e := &fakeEstate{st: st, clock: clock, records: map[int64]Stored{}}
	s := &server{o: Options{Store: st, Scan: e.scan, Load: e.load, Schedule: schedule.Every{Interval: 6 * time.Hour},
		FullEvery: 7 * 24 * time.Hour, Listen: "127.0.0.1:0", Clock: clock, Metrics: metrics.New(),
		Detect: detect.Options{MinSeverity: finding.High},
		Route:  func(alert.Alert) []string { return []string{"test"} }}, wake: make(chan struct{}, 1)}
	if err := s.o.defaults(); err != nil {
		t.Fatal(err)
	}
	if err := s.startMarks(ctx); err != nil {
		t.Fatal(err)
	}
	return s, e
}

// outbox lists the alerts enqueued, by kind.
func outbox(t *testing.T, st *store.Store, at time.Time) map[alert.Kind][]alert.Alert {
	t.Helper()
	items, err := st.ClaimDueAlerts(context.Background(), at.Add(time.Hour), 1000, 1000*time.Hour) // claimed for good: each call sees only new alerts
	if err != nil {
		t.Fatal(err)
	}
	out := map[alert.Kind][]alert.Alert{}
	for _, it := range items {
		var a alert.Alert
		if err := json.Unmarshal(it.Payload, &a); err != nil {
			t.Fatal(err)
		}
		out[a.Kind] = append(out[a.Kind], a)
	}
	return out
}

// TestJobAlertsOnTransitionsOnly: a failing streak alerts once; the first
// scan's violations are new; an unchanged re-scan alerts on nothing; a new
// violation alerts once; only the first scan and the one a week later are
// full.
func TestJobAlertsOnTransitionsOnly(t *testing.T) {
	ctx := context.Background()
	s, e := jobServer(t)
	e.fail = errors.New("AccessDenied: not authorized")
	for range 3 {
		if err := s.job(ctx); err == nil {
			t.Fatal("a failed scan returned no error")
		}
		e.clock.now = e.clock.now.Add(time.Minute)
	}
	if got := outbox(t, s.o.Store, e.clock.now); len(got[alert.ScanFailed]) != 1 || len(got) != 1 {
		t.Fatalf("after 3 failures in a row: %v, want one scan_failed alert", got)
	}

	e.fail = nil
	e.findings = []finding.Finding{notebook("a", finding.Fail), notebook("b", finding.Pass)}
	step := func() {
		t.Helper()
		e.clock.now = e.clock.now.Add(6 * time.Hour)
		if err := s.job(ctx); err != nil {
			t.Fatal(err)
		}
	}
	step()
	if got := outbox(t, s.o.Store, e.clock.now); len(got[alert.ViolationOpened]) != 1 || got[alert.ViolationOpened][0].Resource.Name != "a" {
		t.Fatalf("first stored scan: %v, want notebook a's violation", got)
	}
	step()
	if got := outbox(t, s.o.Store, e.clock.now); len(got) != 0 {
		t.Fatalf("unchanged re-scan alerted: %v", got)
	}
	e.findings = []finding.Finding{notebook("a", finding.Fail), notebook("b", finding.Fail)}
	step()
	if got := outbox(t, s.o.Store, e.clock.now); len(got[alert.ViolationOpened]) != 1 || got[alert.ViolationOpened][0].Resource.Name != "b" || len(got) != 1 {
		t.Fatalf("new violation: %v, want notebook b's alone", got)
	}
	e.clock.now = e.clock.now.Add(7 * 24 * time.Hour)
	if err := s.job(ctx); err != nil {
		t.Fatal(err)
	}
	want := []bool{true, true, true, true, false, false, true}
	if len(e.full) != len(want) {
		t.Fatalf("scans = %v", e.full)
	}
	for i := range want {
		if e.full[i] != want[i] {
			t.Errorf("scan %d full = %v, want %v (all: %v)", i, e.full[i], want[i], e.full)
		}
	}
}

// TestJobCatchesUpAndSkipsRecentScans: a run stored without its alerts
// (a replica that crashed) is alerted by the next job; a scheduled job
// right after another replica's scan is skipped, a requested one is not.
func TestJobCatchesUpAndSkipsRecentScans(t *testing.T) {
	ctx := context.Background()
	s, e := jobServer(t)
	e.findings = []finding.Finding{notebook("a", finding.Fail)}
	if _, err := e.scan(ctx, true); err != nil { // stored, never alerted
		t.Fatal(err)
	}
	e.clock.now = e.clock.now.Add(time.Hour) // within half the 6h interval
	if err := s.job(ctx); err != nil {
		t.Fatal(err)
	}
	if e.scans != 1 {
		t.Errorf("a scheduled job right after a stored scan scanned (%d scans)", e.scans)
	}
	s.forced.Store(true)
	if err := s.job(ctx); err != nil {
		t.Fatal(err)
	}
	if e.scans != 2 {
		t.Errorf("a requested scan was skipped (%d scans)", e.scans)
	}
	if got := outbox(t, s.o.Store, e.clock.now); len(got[alert.ViolationOpened]) != 1 {
		t.Errorf("the uncaught run's violation: %v, want one alert", got)
	}
}
