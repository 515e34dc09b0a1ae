package dashboard

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/history"
	"github.com/sagekey/sagekey/internal/store"
)

// loadFindings is the estate BenchmarkDashboardLoad serves.
const loadFindings = 100_000

// loadStore is the 100,000-finding store, seeded once per test process (the
// benchmark function runs once per b.N it tries) in a directory TestMain
// removes.
var loadStore struct {
	once sync.Once
	dir  string
	path string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if loadStore.dir != "" {
		os.RemoveAll(loadStore.dir)
	}
	os.Exit(code)
}

// loadEstate is a large organisation: 20 accounts, 4 regions, 10 kinds,
// 30 owning teams and 200 keys; 30% of verdicts fail, 5% are errors.
func loadEstate() []finding.Finding {
	kinds := []string{"notebook-instance", "endpoint-config", "training-job", "processing-job", "transform-job",
		"model", "domain", "feature-group", "hyperparameter-tuning-job", "cluster"}
	regions := []string{"us-east-1", "us-west-2", "eu-west-1", "ap-southeast-2"}
	sevs := []finding.Severity{finding.Critical, finding.High, finding.Medium, finding.Low}
	out := make([]finding.Finding, 0, loadFindings)
	for i := range loadFindings {
		account := fmt.Sprintf("1000000000%02d", i%20)
		region, kind := regions[(i/20)%4], kinds[(i/80)%10]
		key := fmt.Sprintf("arn:aws:kms:%s:%s:key/%08d-load", region, account, i%200)
		st := finding.Pass
		switch i % 20 {
		case 0, 3, 6, 9, 12, 15:
			st = finding.Fail
		case 1:
			st = finding.Error
		}
		slot := finding.Slot{Name: "volume", KeyRef: key, KeyARN: key, KeyManager: "CUSTOMER", KeyState: "Enabled", Status: st}
		if st == finding.Fail {
			slot = finding.Slot{Name: "volume", Status: st, Reason: "no KmsKeyId: AWS-owned key"}
		}
		name := fmt.Sprintf("%s-%06d", kind, i)
		out = append(out, finding.Finding{CheckID: kind + ".cmk", Status: st, Severity: sevs[(i/7)%4], Message: "volume: " + string(st),
			Resource: finding.Resource{ARN: fmt.Sprintf("arn:aws:sagemaker:%s:%s:%s/%s", region, account, kind, name), Kind: kind,
				Name: name, Account: account, Region: region,
				Tags: map[string]string{ownerTag: fmt.Sprintf("team-%02d", i%30), "cost-center": fmt.Sprintf("cc-%d", i%9)}},
			Slots: []finding.Slot{slot}, Remediation: "Recreate it with a customer-managed key."})
	}
	return out
}

// seedLoad stores two daily scans of the estate, so the overview has a
// trend and every finding a lifecycle.
func seedLoad(b *testing.B) string {
	loadStore.once.Do(func() {
		loadStore.dir, loadStore.err = os.MkdirTemp("", "sagekey-dashboard-load-")
		if loadStore.err != nil {
			return
		}
		loadStore.path = filepath.Join(loadStore.dir, "history.db")
		ctx := context.Background()
		s, err := store.Open(ctx, loadStore.path)
		if err != nil {
			loadStore.err = err
			return
		}
		defer s.Close()
		fs := loadEstate()
		sc := history.Scope{Accounts: []string{}, Regions: []string{}}
		start := time.Now()
		for day := range 2 {
			if _, err := s.SaveRun(ctx, runRecord(t0.Add(time.Duration(day)*24*time.Hour), sc, fs, nil)); err != nil {
				loadStore.err = err
				return
			}
		}
		b.Logf("seeded %d findings × 2 scans in %s", len(fs), time.Since(start).Round(time.Millisecond))
	})
	if loadStore.err != nil {
		b.Fatal(loadStore.err)
	}
	return loadStore.path
}

// BenchmarkDashboardLoad serves the dashboard over a 100,000-finding
// SQLite store on a loopback server and has 50 clients request the
// overview and a filtered findings page at once, reporting each page's
// p50 and p99 latency. The cached aggregates are built by one warm-up
// request first, as the first visitor after a scan would.
func BenchmarkDashboardLoad(b *testing.B) {
	path := seedLoad(b)
	ctx := context.Background()
	s, err := store.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	d, err := New(Options{Store: s, Now: now})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(d.Handler())
	defer srv.Close()
	const clients = 50
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
	targets := []string{"/", "/findings?status=FAIL&severity=high&kind=notebook-instance&page=3"}
	fetchOne := func(target string) (time.Duration, error) {
		start := time.Now()
		res, err := client.Get(srv.URL + target)
		if err != nil {
			return 0, err
		}
		_, err = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			return 0, fmt.Errorf("GET %s: %d", target, res.StatusCode)
		}
		return time.Since(start), err
	}
	warm := time.Now()
	for _, t := range targets {
		if _, err := fetchOne(t); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("warm-up (aggregates built) in %s", time.Since(warm).Round(time.Millisecond))

	lat := make([][]time.Duration, len(targets))
	var (
		mu   sync.Mutex
		wg   sync.WaitGroup
		errs = make(chan error, clients)
		next = make(chan int)
	)
	b.ResetTimer()
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				d, err := fetchOne(targets[i%len(targets)])
				if err != nil {
					errs <- err
					return
				}
				mu.Lock()
				lat[i%len(targets)] = append(lat[i%len(targets)], d)
				mu.Unlock()
			}
		}()
	}
	for i := range b.N {
		next <- i
	}
	close(next)
	wg.Wait()
	b.StopTimer()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	for i, name := range []string{"overview", "findings"} {
		ds := lat[i]
		if len(ds) == 0 {
			continue
		}
		slices.Sort(ds)
		b.ReportMetric(ms(ds[len(ds)/2]), name+"-p50-ms")
		b.ReportMetric(ms(ds[min(len(ds)*99/100, len(ds)-1)]), name+"-p99-ms")
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
