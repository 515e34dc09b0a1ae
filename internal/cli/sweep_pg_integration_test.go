package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"

	"github.com/sagekey/sagekey/internal/awsclient"
	"github.com/sagekey/sagekey/internal/cli"
	"github.com/sagekey/sagekey/internal/motoserver"
	"github.com/sagekey/sagekey/internal/motoserver/mototest"
	"github.com/sagekey/sagekey/internal/shard"
	"github.com/sagekey/sagekey/internal/store"
	"github.com/sagekey/sagekey/internal/store/storetest"
)

// sweepAccounts are the six simulated accounts: moto's caller account,
// scanned with the caller's credentials, and five reached through
// OrganizationAccountAccessRole, as --accounts does. Every shard of three
// owns at least one of their twelve (account, region) units.
var sweepAccounts = []string{motoCaller, "111111111111", "222222222222", "333333333333", "444444444444", "555555555555"}

// TestSweepThreeShardsOnPostgres is the proof of sharded sweeps with real
// processes: three `sagekey scan --shard I/3` processes run in parallel
// against moto (six accounts × two regions) and store into one PostgreSQL
// database; the sweep's report and KPIs equal one unsharded scan's. Then a
// second sweep whose shard 2 is killed mid-scan (SIGKILL) is reported as
// incomplete by history, report and kpi, which keep reading the first.
func TestSweepThreeShardsOnPostgres(t *testing.T) {
	srv := mototest.ForTest(t)
	mototest.DummyCredentials(t)
	sweepDB := storetest.PostgresDatabase(t)
	wholeDB := storetest.PostgresDatabase(t)
	bin := cliBinary(t)
	dir := t.TempDir() // the processes' working directory: no stray ./sagekey.yaml

	const n = 3
	owned := make([]int, n)
	for _, a := range sweepAccounts {
		for _, r := range regions {
			owned[shard.Owner(a, r, n)]++
		}
	}
	if slices.Contains(owned, 0) {
		t.Fatalf("units per shard %v: pick accounts so that every shard owns a unit", owned)
	}
	want := seedSweepEstate(t, srv)

	scanArgs := func(endpoint, db string, extra ...string) []string {
		return append([]string{"scan", "--accounts", strings.Join(sweepAccounts, ","), "--regions", strings.Join(regions, ","),
			"--endpoint-url", endpoint, "--db", db, "--format", "json", "--progress", "never", "--max-attempts", "2"}, extra...)
	}

	// Sweep A: three shard processes in parallel, one database.
	start := time.Now()
	procs := make([]*sagekeyProc, n)
	for i := range n {
		out := filepath.Join(dir, fmt.Sprintf("shard-%d.json", i))
		procs[i] = startSagekey(t, bin, dir, scanArgs(srv.URL(), sweepDB, "--shard", fmt.Sprintf("%d/%d", i, n),
			"--sweep", "sweep-a", "-o", out)...)
	}
	seen := map[string]int{} // "check ARN status" → how many shards reported it
	for i, p := range procs {
		if code := p.wait(t); code != cli.ExitViolations {
			t.Fatalf("sweep-a shard %d: exit %d, want %d\n%s", i, code, cli.ExitViolations, p.stderr.String())
		}
		doc := readScanDoc(t, filepath.Join(dir, fmt.Sprintf("shard-%d.json", i)))
		if gaps := doc.unexpectedGaps(); len(gaps) > 0 {
			t.Errorf("sweep-a shard %d: unexpected gaps %v", i, gaps)
		}
		for _, f := range doc.Findings {
			account := strings.Split(f.Resource.ARN, ":")[4]
			if owner := shard.Owner(account, f.Resource.Region, n); owner != i {
				t.Errorf("shard %d reported %s, which shard %d owns", i, f.Resource.ARN, owner)
			}
			seen[f.CheckID+" "+f.Resource.ARN+" "+f.Status]++
		}
	}
	t.Logf("sweep-a: %d shard processes in %v (units per shard %v)", n, time.Since(start).Round(time.Millisecond), owned)

	// The same estate, unsharded, into a second database.
	start = time.Now()
	whole := startSagekey(t, bin, dir, scanArgs(srv.URL(), wholeDB, "-o", filepath.Join(dir, "whole.json"))...)
	if code := whole.wait(t); code != cli.ExitViolations {
		t.Fatalf("unsharded scan: exit %d, want %d\n%s", code, cli.ExitViolations, whole.stderr.String())
	}
	t.Logf("unsharded scan in %v", time.Since(start).Round(time.Millisecond))
	wholeDoc := readScanDoc(t, filepath.Join(dir, "whole.json"))
	if !slices.Equal(wholeDoc.Scan.Accounts, sortedCopy(sweepAccounts)) {
		t.Errorf("unsharded scan accounts %v, want %v", wholeDoc.Scan.Accounts, sweepAccounts)
	}
	// A shard's own output leaves keys out: they are judged on every
	// shard's resources once the sweep is complete (compared below, in the
	// stored states and the report).
	resourceFindings := 0
	for _, f := range wholeDoc.Findings {
		if f.Resource.Kind == "kms-key" {
			continue
		}
		resourceFindings++
		if seen[f.CheckID+" "+f.Resource.ARN+" "+f.Status] != 1 {
			t.Errorf("%s %s %s: in %d shards' output, want 1", f.CheckID, f.Resource.ARN, f.Status, seen[f.CheckID+" "+f.Resource.ARN+" "+f.Status])
		}
	}
	if len(seen) != resourceFindings {
		t.Errorf("the shards reported %d findings, the unsharded scan %d about resources", len(seen), resourceFindings)
	}
	shared := 0
	for _, f := range wholeDoc.Findings {
		if f.CheckID == "kms-key.shared" && f.Status == "FAIL" {
			shared++
		}
	}
	if shared == 0 {
		t.Errorf("the unsharded scan finds no key shared across owners; the estate should have one")
	}
	// The stored lifecycle of the sweep is the unsharded scan's, key
	// findings included: no shard stored its partial view of a key.
	sweepStates, wholeStates := storedStates(t, sweepDB), storedStates(t, wholeDB)
	for k, v := range wholeStates {
		if sweepStates[k] != v {
			t.Errorf("stored state of %s: sweep %q, unsharded %q", k, sweepStates[k], v)
		}
	}
	if len(sweepStates) != len(wholeStates) {
		t.Errorf("the sweep stored %d finding states, the unsharded scan %d", len(sweepStates), len(wholeStates))
	}
	// Every seeded resource is judged, in every account and region.
	got := wholeDoc.cmkByUnit()
	for unit, status := range want {
		if got[unit] != status {
			t.Errorf("%s: %q, want %s", unit, got[unit], status)
		}
	}

	wholeSet, _ := procFindingSet(t, bin, dir, "report", "--db", wholeDB, "--format", "json")
	sweepSet, sweepReport := procFindingSet(t, bin, dir, "report", "--db", sweepDB, "--format", "json")
	if diff := setDiff(sweepSet, wholeSet); diff != "" {
		t.Errorf("report of sweep-a differs from the unsharded scan's:\n%s", diff)
	}
	if !slices.Equal(sweepReport.doc.Scan.Accounts, sortedCopy(sweepAccounts)) || len(sweepReport.doc.Scan.Regions) != len(regions) ||
		strings.Contains(sweepReport.stderr, "missing") {
		t.Errorf("report of sweep-a: accounts %v, regions %v, stderr %s", sweepReport.doc.Scan.Accounts, sweepReport.doc.Scan.Regions, sweepReport.stderr)
	}
	wantPct, _ := procKPI(t, bin, dir, wholeDB)
	if pct, _ := procKPI(t, bin, dir, sweepDB); pct != wantPct {
		t.Errorf("kpi of sweep-a: %s; unsharded: %s", pct, wantPct)
	} else {
		t.Logf("kpi percent compliant, sweep and unsharded: %s", pct)
	}
	if hist := mustRunProc(t, bin, dir, "history", "--db", sweepDB); !strings.Contains(hist, "sweep-a") ||
		!strings.Contains(hist, fmt.Sprintf("%d/%d", n, n)) || strings.Contains(hist, "incomplete") {
		t.Errorf("history should show sweep-a complete:\n%s", hist)
	}

	// Sweep B: shards 0 and 1 complete; shard 2 reaches moto through a
	// proxy that, once the scan is under way, holds every request, and is
	// killed there.
	hung := make(chan struct{})
	proxy := stallingProxy(t, srv.URL(), 20, hung)
	start = time.Now()
	var bProcs []*sagekeyProc
	for i := range n - 1 {
		bProcs = append(bProcs, startSagekey(t, bin, dir, scanArgs(srv.URL(), sweepDB, "--shard", fmt.Sprintf("%d/%d", i, n),
			"--sweep", "sweep-b", "-o", filepath.Join(dir, fmt.Sprintf("b-%d.json", i)))...))
	}
	victim := startSagekey(t, bin, dir, scanArgs(proxy, sweepDB, "--shard", fmt.Sprintf("%d/%d", n-1, n),
		"--sweep", "sweep-b", "-o", filepath.Join(dir, "b-killed.json"))...)
	for i, p := range bProcs {
		if code := p.wait(t); code != cli.ExitViolations {
			t.Fatalf("sweep-b shard %d: exit %d, want %d\n%s", i, code, cli.ExitViolations, p.stderr.String())
		}
	}
	select {
	case <-hung:
	case <-victim.done:
		t.Fatalf("sweep-b shard %d ended before it was stalled (exit %v)\n%s", n-1, victim.err, victim.stderr.String())
	case <-time.After(60 * time.Second):
		t.Fatalf("sweep-b shard %d never reached the stall\n%s", n-1, victim.stderr.String())
	}
	if err := victim.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-victim.done
	var exitErr *exec.ExitError
	if !errors.As(victim.err, &exitErr) || exitErr.ExitCode() != -1 || !strings.Contains(victim.err.Error(), "killed") {
		t.Fatalf("sweep-b shard %d should have been killed, got %v", n-1, victim.err)
	}
	t.Logf("sweep-b: shards 0 and 1 stored, shard 2 killed mid-scan, in %v", time.Since(start).Round(time.Millisecond))

	hist := mustRunProc(t, bin, dir, "history", "--db", sweepDB)
	if !strings.Contains(hist, "sweep-b") || !strings.Contains(hist, fmt.Sprintf("%d/%d incomplete: missing shards %d", n-1, n, n-1)) {
		t.Errorf("history should show sweep-b incomplete, missing shard %d:\n%s", n-1, hist)
	}
	afterSet, after := procFindingSet(t, bin, dir, "report", "--db", sweepDB, "--format", "json")
	wantWarn := fmt.Sprintf("sweep sweep-b is missing shards %d; showing the previous complete sweep sweep-a", n-1)
	if !strings.Contains(after.stderr, wantWarn) {
		t.Errorf("report should warn %q; stderr: %s", wantWarn, after.stderr)
	}
	if diff := setDiff(afterSet, wholeSet); diff != "" {
		t.Errorf("report with sweep-b incomplete should show sweep-a:\n%s", diff)
	}
	pct, kpiOut := procKPI(t, bin, dir, sweepDB)
	if pct != wantPct {
		t.Errorf("kpi with sweep-b incomplete: %s, want sweep-a's %s", pct, wantPct)
	}
	var scope struct {
		Scope struct {
			Incomplete []struct {
				ID      string `json:"id"`
				Stored  []int  `json:"stored_shards"`
				Missing []int  `json:"missing_shards"`
			} `json:"incomplete_sweeps"`
		} `json:"scope"`
	}
	if err := json.Unmarshal([]byte(kpiOut), &scope); err != nil {
		t.Fatal(err)
	}
	if inc := scope.Scope.Incomplete; len(inc) != 1 || inc[0].ID != "sweep-b" || !slices.Equal(inc[0].Stored, []int{0, 1}) ||
		!slices.Equal(inc[0].Missing, []int{n - 1}) {
		t.Errorf("kpi scope.incomplete_sweeps = %+v, want sweep-b with shards 0, 1 stored and %d missing", inc, n-1)
	}
}

// seedSweepEstate seeds, in each account and region, a key, keyed and
// unkeyed training jobs and endpoint configs, an endpoint and a keyed
// notebook; in the accounts reached by role, also one unkeyed notebook per
// region. It returns the .cmk status each should get, by "account/region/
// kind/name".
func seedSweepEstate(t *testing.T, srv *motoserver.Server) map[string]string {
	t.Helper()
	want := map[string]string{}
	for _, region := range regions {
		callerCfg := mototest.Config(t, srv, region)
		for _, account := range sweepAccounts {
			cfg := callerCfg
			if account != motoCaller {
				cfg = awsclient.AssumeRole(callerCfg, callerCfg, "arn:aws:iam::"+account+":role/"+awsclient.DefaultRoleName)
			}
			seedSmall(t, cfg, account)
			unit := account + "/" + region + "/"
			for name, status := range map[string]string{
				"training-job/tj-keyed": "PASS", "training-job/tj-plain": "FAIL", "endpoint-config/ec-keyed": "PASS",
				"endpoint-config/ec-plain": "FAIL", "endpoint/ep": "PASS", "notebook-instance/nb": "PASS",
			} {
				want[unit+name] = status
			}
			if account != motoCaller {
				createNotebook(t, newSageMaker(cfg), "nb-"+account, "")
				want[unit+"notebook-instance/nb-"+account] = "FAIL"
			}
		}
		seedSharedKey(t, srv, region, want)
	}
	return want
}

// seedSharedKey creates a key in the caller's account that protects a
// notebook there (owner team-a) and one in an account of another shard
// (owner team-b): a key shared across shards and across owners, which only
// a judgement over every shard's resources finds shared.
func seedSharedKey(t *testing.T, srv *motoserver.Server, region string, want map[string]string) {
	t.Helper()
	const n = 3
	other := ""
	for _, a := range sweepAccounts {
		if shard.Owner(a, region, n) != shard.Owner(motoCaller, region, n) {
			other = a
			break
		}
	}
	if other == "" {
		return // this region's units all fall in one shard
	}
	ctx := context.Background()
	callerCfg := mototest.Config(t, srv, region)
	k, err := kms.NewFromConfig(callerCfg).CreateKey(ctx, &kms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	key := aws.ToString(k.KeyMetadata.Arn)
	for account, owner := range map[string]string{motoCaller: "team-a", other: "team-b"} {
		cfg := callerCfg
		if account != motoCaller {
			cfg = awsclient.AssumeRole(callerCfg, callerCfg, "arn:aws:iam::"+account+":role/"+awsclient.DefaultRoleName)
		}
		if _, err := newSageMaker(cfg).CreateNotebookInstance(ctx, &sagemaker.CreateNotebookInstanceInput{
			NotebookInstanceName: aws.String("nb-shared"), InstanceType: smtypes.InstanceTypeMlT3Medium, KmsKeyId: aws.String(key),
			RoleArn: aws.String("arn:aws:iam::" + account + ":role/sagemaker"),
			Tags:    []smtypes.Tag{{Key: aws.String("owner"), Value: aws.String(owner)}},
		}); err != nil {
			t.Fatal(err)
		}
		want[account+"/"+region+"/notebook-instance/nb-shared"] = "PASS"
	}
}

// storedStates is a database's findings lifecycle: "check resource slot"
// → status, and whether a violation is open.
func storedStates(t *testing.T, url string) map[string]string {
	t.Helper()
	st, err := store.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	states, err := st.States(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, s := range states {
		out[s.CheckID+" "+s.ResourceARN+" "+s.Slot] = fmt.Sprintf("%s open=%v gone=%v", s.Status, s.Open(), !s.Gone.IsZero())
	}
	return out
}

// cmkByUnit maps "account/region/kind/name" to the status of its .cmk
// finding.
func (d scanDoc) cmkByUnit() map[string]string {
	out := map[string]string{}
	for _, f := range d.Findings {
		if strings.HasSuffix(f.CheckID, ".cmk") {
			account := strings.Split(f.Resource.ARN, ":")[4]
			out[account+"/"+f.Resource.Region+"/"+f.Resource.Kind+"/"+f.Resource.Name] = f.Status
		}
	}
	return out
}

// stallingProxy forwards to target the first pass requests, then holds
// every later one until its client goes away, closing stalled at the
// first it holds: the scan behind it is under way and stuck mid-scan.
func stallingProxy(t *testing.T, target string, pass int64, stalled chan<- struct{}) string {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(u)
	release := make(chan struct{})
	var served atomic.Int64
	var once sync.Once
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if served.Add(1) <= pass {
			proxy.ServeHTTP(w, r)
			return
		}
		once.Do(func() { close(stalled) })
		select {
		case <-r.Context().Done():
		case <-release:
		}
		http.Error(w, "stalled", http.StatusServiceUnavailable)
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) }) // runs first: frees held requests before Close waits for them
	return srv.URL
}

// cliBinary is the sagekey binary, built once per test binary.
var cliBin struct {
	once sync.Once
	path string
	err  error
}

func cliBinary(t *testing.T) string {
	t.Helper()
	cliBin.once.Do(func() {
		dir, err := os.MkdirTemp("", "sagekey-cli-e2e-")
		if err != nil {
			cliBin.err = err
			return
		}
		cliBin.path = filepath.Join(dir, "sagekey")
		_, file, _, _ := runtime.Caller(0)
		cmd := exec.Command("go", "build", "-o", cliBin.path, "./cmd/sagekey")
		cmd.Dir = filepath.Join(filepath.Dir(file), "..", "..")
		if out, err := cmd.CombinedOutput(); err != nil {
			cliBin.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if cliBin.err != nil {
		t.Fatal(cliBin.err)
	}
	return cliBin.path
}

// sagekeyProc is one running sagekey process. It inherits the test's
// environment: the dummy credentials and the throwaway XDG_DATA_HOME.
type sagekeyProc struct {
	cmd            *exec.Cmd
	stdout, stderr bytes.Buffer
	done           chan struct{}
	err            error
}

func startSagekey(t *testing.T, bin, dir string, args ...string) *sagekeyProc {
	t.Helper()
	p := &sagekeyProc{done: make(chan struct{})}
	p.cmd = exec.Command(bin, args...)
	p.cmd.Dir = dir
	p.cmd.Stdout, p.cmd.Stderr = &p.stdout, &p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

// wait returns the exit code, failing t if the process did not exit on
// its own within two minutes.
func (p *sagekeyProc) wait(t *testing.T) int {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(2 * time.Minute):
		t.Fatalf("sagekey %s did not finish\n%s", strings.Join(p.cmd.Args[1:], " "), p.stderr.String())
	}
	var exitErr *exec.ExitError
	switch {
	case p.err == nil:
		return 0
	case errors.As(p.err, &exitErr) && exitErr.ExitCode() >= 0:
		return exitErr.ExitCode()
	}
	t.Fatalf("sagekey %s: %v\n%s", strings.Join(p.cmd.Args[1:], " "), p.err, p.stderr.String())
	return -1
}

// runProc runs sagekey to completion.
func runProc(t *testing.T, bin, dir string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	p := startSagekey(t, bin, dir, args...)
	code = p.wait(t)
	return p.stdout.String(), p.stderr.String(), code
}

func mustRunProc(t *testing.T, bin, dir string, args ...string) string {
	t.Helper()
	out, stderr, code := runProc(t, bin, dir, args...)
	if code != cli.ExitOK {
		t.Fatalf("sagekey %s: exit %d\n%s", strings.Join(args, " "), code, stderr)
	}
	return out
}

type procReport struct {
	doc    scanDoc
	stderr string
}

// procFindingSet runs a report process and returns its findings as sorted
// "check ARN status" lines.
func procFindingSet(t *testing.T, bin, dir string, args ...string) ([]string, procReport) {
	t.Helper()
	out, stderr, code := runProc(t, bin, dir, args...)
	if code != cli.ExitOK {
		t.Fatalf("sagekey %s: exit %d\n%s", strings.Join(args, " "), code, stderr)
	}
	r := procReport{stderr: stderr}
	if err := json.Unmarshal([]byte(out), &r.doc); err != nil {
		t.Fatalf("sagekey %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	var set []string
	for _, f := range r.doc.Findings {
		set = append(set, f.CheckID+" "+f.Resource.ARN+" "+f.Status)
	}
	slices.Sort(set)
	return set, r
}

// procKPI runs `sagekey kpi --format json` on db and returns the overall
// compliance as text, and the document.
func procKPI(t *testing.T, bin, dir, db string) (string, string) {
	t.Helper()
	out := mustRunProc(t, bin, dir, "kpi", "--db", db, "--format", "json")
	var doc kpiDoc
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("kpi: %v\n%s", err, out)
	}
	o := doc.Compliance.Overall
	if o.Percent == nil || o.Pass == 0 || o.Fail == 0 {
		t.Fatalf("kpi: overall compliance %+v, want passes and failures:\n%s", o, out)
	}
	return fmt.Sprintf("%.4f%% (%d pass, %d fail)", *o.Percent, o.Pass, o.Fail), out
}

func readScanDoc(t *testing.T, path string) scanDoc {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc scanDoc
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return doc
}
