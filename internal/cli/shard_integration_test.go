package cli_test

import (
	"context"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/sagekey/sagekey/internal/cli"
	"github.com/sagekey/sagekey/internal/shard"
	"github.com/sagekey/sagekey/internal/store"
)

func TestShardUsage(t *testing.T) {
	now := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	for name, args := range map[string][]string{
		"index out of range":   {"--shard", "3/3"},
		"not I/N":              {"--shard", "1"},
		"auto without env":     {"--shard", "auto"},
		"sweep without shard":  {"--sweep", "s1"},
		"sweep with a space":   {"--shard", "0/2", "--sweep", "a b"},
		"zero sweep interval":  {"--shard", "0/2", "--sweep-every", "0s"},
		"k8s index, no count":  {"--shard", "auto", "--regions", "us-east-1"}, // JOB_COMPLETION_INDEX set below
		"batch count mismatch": {"--shard", "auto"},
	} {
		t.Run(name, func(t *testing.T) {
			switch name {
			case "k8s index, no count":
				t.Setenv(shard.EnvK8sIndex, "0")
			case "batch count mismatch":
				t.Setenv(shard.EnvBatchIndex, "0")
				t.Setenv(shard.EnvBatchSize, "3")
				t.Setenv(shard.EnvCount, "2")
			}
			args := append([]string{"scan", "--no-store", "--regions", "us-east-1"}, args...)
			if _, stderr, code := runAt(t, now, args...); code != cli.ExitUsage {
				t.Errorf("exit %d, want %d: %s", code, cli.ExitUsage, stderr)
			}
		})
	}
}

// TestShardSweepSplitsTheEstate scans the seeded two-region estate as a
// sweep of two shards and checks that together they cover it exactly once,
// as an unsharded scan does, and that the store can tell the sweep is
// complete.
func TestShardSweepSplitsTheEstate(t *testing.T) {
	srv, manifest := seededEstate(t)
	chdir(t, t.TempDir())
	db := filepath.Join(t.TempDir(), "history.db")

	whole, _, _ := runScan(t, srv, "--no-store", "--skip-checks", "kms-key.*")
	// The smallest shard count that splits the two regions, so each shard
	// has a unit; shards beyond them own none and store an empty run.
	n := 2
	for shard.Owner(manifest.Account, regions[0], n) == shard.Owner(manifest.Account, regions[1], n) {
		n++
	}
	seen := map[string]int{} // check + resource ARN
	var regionsScanned []string
	for i := range n {
		t.Setenv(shard.EnvK8sIndex, strconv.Itoa(i))
		t.Setenv(shard.EnvCount, strconv.Itoa(n))
		doc, code, stderr := runScan(t, srv, "--db", db, "--shard", "auto", "--sweep", "sweep-1", "--skip-checks", "kms-key.*")
		if code != cli.ExitViolations && code != cli.ExitOK && code != cli.ExitError {
			t.Fatalf("shard %d: exit %d: %s", i, code, stderr)
		}
		for _, r := range doc.Scan.Regions {
			if shard.Owner(manifest.Account, r, n) != i {
				t.Errorf("shard %d scanned %s, which shard %d owns", i, r, shard.Owner(manifest.Account, r, n))
			}
		}
		regionsScanned = append(regionsScanned, doc.Scan.Regions...)
		for _, f := range doc.Findings {
			if shard.Owner(manifest.Account, f.Resource.Region, n) != i {
				t.Errorf("shard %d reported %s in %s", i, f.Resource.ARN, f.Resource.Region)
			}
			seen[f.CheckID+" "+f.Resource.ARN]++
		}
	}
	slices.Sort(regionsScanned)
	if !slices.Equal(regionsScanned, whole.Scan.Regions) {
		t.Errorf("shards scanned regions %v, an unsharded scan %v", regionsScanned, whole.Scan.Regions)
	}
	for _, f := range whole.Findings {
		if seen[f.CheckID+" "+f.Resource.ARN] != 1 {
			t.Errorf("%s %s: reported by %d shards, want 1", f.CheckID, f.Resource.ARN, seen[f.CheckID+" "+f.Resource.ARN])
		}
	}
	if len(seen) != len(whole.Findings) {
		t.Errorf("shards reported %d findings, an unsharded scan %d", len(seen), len(whole.Findings))
	}

	st, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	sweeps, err := st.Sweeps(context.Background())
	if err != nil || len(sweeps) != 1 || sweeps[0].ID != "sweep-1" || !sweeps[0].Complete() || sweeps[0].Count != n {
		t.Fatalf("Sweeps = %+v, %v; want sweep-1 complete with %d shards", sweeps, err, n)
	}
	runs, err := st.SweepRuns(context.Background(), "sweep-1")
	if err != nil || len(runs) != n {
		t.Fatalf("SweepRuns = %d runs, %v", len(runs), err)
	}
	for i, r := range runs {
		if r.Shard == nil || r.Shard.Index != i || r.Shard.Count != n {
			t.Errorf("run %d shard %+v, want %d/%d", r.ID, r.Shard, i, n)
		}
		for _, c := range r.Scope.Complete {
			if shard.Owner(c.Account, c.Region, n) != i {
				t.Errorf("run of shard %d has %s/%s in its scope", i, c.Account, c.Region)
			}
		}
	}
}
