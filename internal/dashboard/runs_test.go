package dashboard

import (
	"context"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/history"
	"github.com/sagekey/sagekey/internal/inventory"
	"github.com/sagekey/sagekey/internal/store"
)

// sweepShard is shard index of a sweep of count, covering region alone.
func sweepShard(at time.Time, sweep string, index, count int, region string, fs []finding.Finding, gaps int) store.RunRecord {
	sc := history.Scope{Accounts: []string{acct}, Regions: []string{region}, Checks: []string{"notebook-instance.cmk"},
		Complete: []history.Coverage{{Account: acct, Region: region, Kinds: []string{"notebook-instance"}}}}
	var gs []inventory.Gap
	for range gaps {
		gs = append(gs, inventory.Gap{Account: acct, Region: region, Service: "sagemaker:ListClusters", Reason: "AccessDenied <i>" + sweep + "</i>"})
	}
	rec := runRecord(at, sc, fs, gs)
	rec.Run.Shard = &store.RunShard{Sweep: sweep, Index: index, Count: count}
	return rec
}

// seededRuns holds every kind of run, oldest first:
//
//	run 1     a scan (us-east-1, eu-west-1)
//	runs 2-5  sweep "nightly <b>1</b>", 3 shards, shard 1 retried (run 5
//	          replaces run 3, whose findings and gaps no longer count)
//	run 6     the sweep's key judgement ("sweep keys")
//	runs 7-8  sweep "nightly-2", shards 0 and 1 of 3: incomplete
//	run 9     an event check of two notebooks
func seededRuns(t testing.TB) *store.Store {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, filepath.Join(t.TempDir(), "history.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	pass := func(name, region string) finding.Finding {
		return notebookFinding(name, region, "risk", finding.Pass, goodKey)
	}
	fail := func(name, region string) finding.Finding {
		return notebookFinding(name, region, "risk", finding.Fail, "")
	}
	const sweep1 = "nightly <b>1</b>"
	recs := []store.RunRecord{
		runRecord(t0, scanScope(), scanFindings(0), nil),
		sweepShard(t0.Add(time.Hour), sweep1, 0, 3, "us-east-1", []finding.Finding{pass("nb-a", "us-east-1")}, 1),
		sweepShard(t0.Add(time.Hour+time.Minute), sweep1, 1, 3, "eu-west-1",
			[]finding.Finding{fail("nb-b", "eu-west-1"), fail("nb-c", "eu-west-1"), fail("nb-d", "eu-west-1")}, 5),
		sweepShard(t0.Add(time.Hour+2*time.Minute), sweep1, 2, 3, "ap-south-1",
			[]finding.Finding{pass("nb-e", "ap-south-1"), fail("nb-f", "ap-south-1")}, 1),
		sweepShard(t0.Add(time.Hour+10*time.Minute), sweep1, 1, 3, "eu-west-1", []finding.Finding{pass("nb-b", "eu-west-1")}, 0),
	}
	keys := runRecord(t0.Add(2*time.Hour), history.Scope{Targeted: true, Sweep: "nightly<b>", Checks: []string{"kms-key.state", "kms-key.rotation"},
		Accounts: []string{acct}, Regions: []string{"ap-south-1", "eu-west-1", "us-east-1"},
		Complete: []history.Coverage{{Account: acct, Region: "us-east-1", Kinds: []string{"kms-key"}}}},
		[]finding.Finding{keyFinding("kms-key.state", finding.Fail, "key is PendingDeletion")}, nil)
	recs = append(recs, keys,
		sweepShard(t0.Add(3*time.Hour), "nightly-2", 0, 3, "us-east-1", []finding.Finding{pass("nb-a", "us-east-1")}, 0),
		sweepShard(t0.Add(3*time.Hour+time.Minute), "nightly-2", 1, 3, "eu-west-1", []finding.Finding{pass("nb-b", "eu-west-1")}, 0))
	ev := runRecord(t0.Add(4*time.Hour), history.Scope{Targeted: true, Checks: []string{"notebook-instance.cmk"},
		Accounts: []string{acct}, Regions: []string{"us-east-1"},
		Resources: []string{nbARN("nb-a", "us-east-1"), nbARN("nb-x", "us-east-1")}},
		[]finding.Finding{pass("nb-a", "us-east-1")}, nil)
	ev.Run.Principal = "arn:aws:sts::" + acct + ":assumed-role/sagekey-serve/queue"
	recs = append(recs, ev)
	for _, rec := range recs {
		if _, err := s.SaveRun(ctx, rec); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// runRows splits the runs table into its rows.
func runRows(t *testing.T, body string) []string {
	t.Helper()
	m := regexp.MustCompile(`(?s)<table id="runs">.*?<tbody>(.*?)</tbody>`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no runs table in\n%s", body)
	}
	var rows []string
	for _, r := range strings.Split(m[1], "</tr>") {
		if r = strings.TrimSpace(r); r != "" {
			rows = append(rows, r)
		}
	}
	return rows
}

func TestRunsPageKinds(t *testing.T) {
	h := newDashboard(t, Options{Store: seededRuns(t)})
	body := fetch(t, h, "/runs")
	rows := runRows(t, body)
	if len(rows) != 5 {
		t.Fatalf("%d rows, want 5 (event check, incomplete sweep, sweep keys, sweep, scan):\n%s", len(rows), strings.Join(rows, "\n"))
	}
	ev, sw2, keys, sw1, scan := rows[0], rows[1], rows[2], rows[3], rows[4]

	mustContain(t, "event check row", ev, `id="run-9"`, `class="targeted"`, `<span class="kind">event check</span>`,
		"2 resources re-checked", "sagekey-serve/queue", `<span class="badge PASS">PASS</span> 1 `)

	mustContain(t, "incomplete sweep row", sw2, `class="sweep incomplete"`, "<code>nightly-2</code>",
		"shards 2/3 — missing shard 2", `<strong class="incomplete">incomplete</strong>`,
		`runs <span id="run-7">7</span>, <span id="run-8">8</span>`, `<span class="badge PASS">PASS</span> 2 `)

	mustContain(t, "sweep keys row", keys, `id="run-6"`, `<span class="kind">sweep keys</span>`, "keys of the sweep's units",
		`<span class="badge FAIL">FAIL</span> 1 `)
	if strings.Contains(keys, "event check") || strings.Contains(keys, "re-checked") {
		t.Errorf("the sweep keys row reads as an event check:\n%s", keys)
	}

	// Shard 1's retry (run 5) replaces run 3: PASS 1+1+1, FAIL 1, gaps 1+0+1.
	mustContain(t, "complete sweep row", sw1, `<tr class="sweep">`, "<code>nightly &lt;b&gt;1&lt;/b&gt;</code>", "shards 3/3<",
		`runs <span id="run-2">2</span>, <span id="run-3">3</span>, <span id="run-4">4</span>, <span id="run-5">5</span>`,
		"<td>2026-11-02 09:00:00<br>to 2026-11-02 09:11:35</td><td>11m35s</td>",
		`<span class="badge FAIL">FAIL</span> 1 <span class="badge PASS">PASS</span> 3 `,
		`<td class="num">2</td>`, "ap-south-1, eu-west-1, us-east-1")
	for _, not := range []string{"incomplete", "missing", "nightly <b>"} {
		if strings.Contains(sw1, not) {
			t.Errorf("the complete sweep row contains %q:\n%s", not, sw1)
		}
	}

	mustContain(t, "scan row", scan, `<tr id="run-1"><td>1</td>`, "eu-west-1, us-east-1", `<td class="num">0</td>`)
	for _, not := range []string{"kind", "sweep", "targeted"} {
		if strings.Contains(scan, not) {
			t.Errorf("the scan row contains %q:\n%s", not, scan)
		}
	}
	if strings.Contains(body, "<b>") || strings.Contains(body, "<i>") {
		t.Error("the runs page shows a sweep id unescaped")
	}
}

// Pages count rows, a sweep being one row however many runs it stored.
func TestRunsPagination(t *testing.T) {
	h := newDashboard(t, Options{Store: seededRuns(t), PageSize: 2})
	want := [][]string{
		{`id="run-9"`, "<code>nightly-2</code>"},
		{`id="run-6"`, "<code>nightly &lt;b&gt;1&lt;/b&gt;</code>"},
		{`id="run-1"`},
	}
	for i, marks := range want {
		target := "/runs?" + url.Values{"page": {string(rune('1' + i))}}.Encode()
		body := fetch(t, h, target)
		if rows := runRows(t, body); len(rows) != len(marks) {
			t.Errorf("%s: %d rows, want %d", target, len(rows), len(marks))
		}
		mustContain(t, target, body, marks...)
	}
}

// The overview's last scan is the latest complete scan or sweep: not the
// event check stored after it, nor the sweep keys, nor the incomplete sweep.
func TestOverviewLastScanIsASweep(t *testing.T) {
	h := newDashboard(t, Options{Store: seededRuns(t)})
	body := fetch(t, h, "/")
	mustContain(t, "overview", body, `<span class="big">sweep <code>nightly &lt;b&gt;1&lt;/b&gt;</code></span>last scan 2026-11-02 09:00:00 UTC, 2 gaps`,
		"3/3 shards (runs", `<span id="run-5">5</span>`, "took 11m35s", "ap-south-1, eu-west-1, us-east-1",
		"AccessDenied &lt;i&gt;nightly &lt;b&gt;1&lt;/b&gt;&lt;/i&gt;", `id="incomplete"`)
	if strings.Contains(body, "nightly-2") || strings.Contains(body, "run 9") {
		t.Error("the overview's last scan is not the complete sweep")
	}
	if n := strings.Count(body, "sagemaker:ListClusters"); n != 2 {
		t.Errorf("the overview lists %d gaps, want the 2 of the sweep's latest shard runs", n)
	}
}
