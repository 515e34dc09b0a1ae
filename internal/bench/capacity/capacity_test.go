package capacity

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// typicalUnit is one (account, region) at the benchmark's proportions
// (5,000 training jobs to 720 other resources, 50 keys over 3 regions),
// scaled to 50 resources: 3 findings each, 5 distinct keys.
var typicalUnit = Unit{TrainingJobs: 40, Described: 10, Models: 3, Keys: 5, Findings: 150}

// postgresStore is what BenchmarkSweepSaveShard and
// BenchmarkSweepSaveStored measured on PostgreSQL (docs/capacity.md):
// 5,700 findings/s written, 3 µs per stored finding read.
var postgresStore = Store{PerFindingWritten: 175 * time.Microsecond, PerFindingStored: 3 * time.Microsecond}

func sweep(accounts, shards int, latency time.Duration) Input {
	return Input{
		Accounts: accounts, Regions: 17, Unit: typicalUnit, Shards: shards, Concurrency: 8,
		Latency: latency, Rates: DefaultRates, Store: postgresStore,
		ListQueries: 27, IAMPages: 2, FromOrg: true,
	}
}

func TestDefaultRatesMatchREADME(t *testing.T) {
	t.Parallel()
	// README, "Concurrency and rate limits": List and Search 5/s, Describe
	// and ListTags 40/s, KMS 100/s (internal/awsclient/ratelimit.go).
	if want := (Rates{List: 5, Describe: 40, KMS: 100, Other: 10}); DefaultRates != want {
		t.Errorf("DefaultRates = %+v, want %+v", DefaultRates, want)
	}
}

func TestEstimate(t *testing.T) {
	t.Parallel()
	big := typicalUnit
	big.TrainingJobs, big.Described = 20000, 2000
	tests := []struct {
		name       string
		in         Input
		bottleneck string
		minWall    time.Duration
		maxWall    time.Duration
	}{
		{"100 accounts, 1 shard", sweep(100, 1, 20*time.Millisecond), APILatency, 2 * time.Minute, 30 * time.Minute},
		{"5,000 accounts, 50 shards", sweep(5000, 50, 20*time.Millisecond), StoreWrites, 30 * time.Minute, time.Hour},
		// Past the point where the store dominates, more shards change
		// nothing: the saves, one after another, are the floor (each reads
		// only its own units' stored findings).
		{"5,000 accounts, 100 shards", sweep(5000, 100, 20*time.Millisecond), StoreWrites, 30 * time.Minute, time.Hour},
		{"5,000 accounts, 1 shard", sweep(5000, 1, 20*time.Millisecond), APILatency, 3 * time.Hour, 6 * time.Hour},
		// One account with huge regions, split wide: nothing left but the
		// unit's own Search and ListTags rates.
		{"1 huge account, 17 shards", Input{Accounts: 1, Regions: 17, Unit: big, Shards: 17, Concurrency: 8,
			Latency: 20 * time.Millisecond, Rates: DefaultRates, Store: Store{}, ListQueries: 27, IAMPages: 2}, APIRates, 40 * time.Second, 2 * time.Minute},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := Estimate(tc.in)
			if r.Bottleneck != tc.bottleneck {
				t.Errorf("bottleneck %q, want %q (%+v)", r.Bottleneck, tc.bottleneck, r)
			}
			if r.Wall < tc.minWall || r.Wall > tc.maxWall {
				t.Errorf("wall %v, want within [%v, %v] (%+v)", r.Wall, tc.minWall, tc.maxWall, r)
			}
		})
	}
}

// TestMoreShardsNeverSlowTheScan checks the model's shape: sharding
// divides the API work, and only the store's reads grow with shards.
func TestMoreShardsNeverSlowTheScan(t *testing.T) {
	t.Parallel()
	for _, accounts := range []int{100, 1000, 5000} {
		prev := Estimate(sweep(accounts, 1, 20*time.Millisecond))
		for _, shards := range []int{2, 10, 50} {
			r := Estimate(sweep(accounts, shards, 20*time.Millisecond))
			if scan, prevScan := r.Collect+r.Keys+r.IAM, prev.Collect+prev.Keys+prev.IAM; scan > prevScan {
				t.Errorf("%d accounts: %d shards scan in %v, more than %v", accounts, shards, scan, prevScan)
			}
			if r.SaveRead < prev.SaveRead || r.Prep != prev.Prep || r.SaveWrite != prev.SaveWrite {
				t.Errorf("%d accounts, %d shards: store or prep terms moved the wrong way: %+v vs %+v", accounts, shards, r, prev)
			}
			prev = r
		}
	}
}

// TestCapacityTable prints the table of docs/capacity.md and the README
// (go test -run TestCapacityTable -v ./internal/bench/capacity).
func TestCapacityTable(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString("| Accounts × 17 regions | Shards | Wall (20 ms/call) | Wall (100 ms/call) | Bottleneck (20 ms) | Scan / store (20 ms) |\n")
	b.WriteString("|---|---|---|---|---|---|\n")
	for _, accounts := range []int{100, 1000, 5000} {
		for _, shards := range []int{1, 10, 50} {
			fast := Estimate(sweep(accounts, shards, 20*time.Millisecond))
			slow := Estimate(sweep(accounts, shards, 100*time.Millisecond))
			fmt.Fprintf(&b, "| %s | %d | %s | %s | %s | %s / %s |\n", thousands(accounts), shards, human(fast.Wall), human(slow.Wall),
				fast.Bottleneck, human(fast.Prep+fast.Collect+fast.Keys+fast.IAM), human(fast.SaveWrite+fast.SaveRead))
		}
	}
	t.Log("\n" + b.String())

	b.Reset()
	b.WriteString("| Accounts | Shards | Prep | Collect | Keys | IAM | Store writes | Store reads |\n|---|---|---|---|---|---|---|---|\n")
	for _, accounts := range []int{100, 1000, 5000} {
		for _, shards := range []int{1, 10, 50} {
			r := Estimate(sweep(accounts, shards, 20*time.Millisecond))
			fmt.Fprintf(&b, "| %s | %d | %s | %s | %s | %s | %s | %s |\n", thousands(accounts), shards,
				human(r.Prep), human(r.Collect), human(r.Keys), human(r.IAM), human(r.SaveWrite), human(r.SaveRead))
		}
	}
	t.Log("terms at 20 ms per call:\n" + b.String())
}

func thousands(n int) string {
	if n >= 1000 {
		return fmt.Sprintf("%d,%03d", n/1000, n%1000)
	}
	return fmt.Sprint(n)
}

func human(d time.Duration) string {
	switch {
	case d >= time.Hour:
		return fmt.Sprintf("%.1f h", d.Hours())
	case d >= time.Minute:
		return fmt.Sprintf("%.0f min", d.Minutes())
	default:
		return fmt.Sprintf("%.0f s", d.Seconds())
	}
}
