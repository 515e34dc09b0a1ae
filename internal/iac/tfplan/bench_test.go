package tfplan

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/sagekey/sagekey/internal/iac/model"
)

// helperEnv names the plan TestHelperProcess reads when the benchmark
// starts the test binary again to measure one Read alone.
const helperEnv = "SAGEKEY_TFPLAN_HELPER_PLAN"

func TestGeneratedPlan(t *testing.T) {
	path := filepath.Join(t.TempDir(), "plan.json")
	want, err := writePlanFile(path, 4<<20)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := Read(context.Background(), path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Gaps) != 0 || len(cfg.Resources) != want || want == 0 {
		t.Fatalf("%d resources, gaps %v; want %d", len(cfg.Resources), cfg.Gaps, want)
	}
	for _, r := range cfg.Resources {
		if r.Type != "aws_sagemaker_notebook_instance" {
			continue
		}
		v := r.Attrs["kms_key_id"]
		if v.Kind != model.Unknown || len(v.Refs) != 1 || v.Refs[0].Attr != "arn" {
			t.Fatalf("%s kms_key_id %+v", r.Address, v)
		}
		// The key is the one in the notebook's own module instance.
		key := v.Refs[0].Address
		if r.Module != "" && !strings.HasPrefix(key, r.Module+".aws_kms_key.") {
			t.Fatalf("%s refers to %s", r.Address, key)
		}
	}
}

func TestReadCancelled(t *testing.T) {
	path := filepath.Join(t.TempDir(), "plan.json")
	if _, err := writePlanFile(path, 2<<20); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Read(ctx, path, Options{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want context.Canceled", err)
	}
}

func TestReadTooLarge(t *testing.T) {
	cfg, err := Read(context.Background(), filepath.Join("testdata", "key_in_same_plan.json"), Options{MaxSize: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Resources) != 0 || len(cfg.Gaps) != 1 || !strings.Contains(cfg.Gaps[0].Reason, "more than the limit of 100") {
		t.Fatalf("%+v", cfg)
	}
}

func TestReadMissingFile(t *testing.T) {
	if _, err := Read(context.Background(), filepath.Join("testdata", "absent.json"), Options{}); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("err %v", err)
	}
}

// TestHelperProcess is not a test: BenchmarkRead100MB runs the test binary
// again with it, so that the peak RSS it reports is that of a process that
// did nothing but one Read (plus the test binary's own baseline), not of
// the benchmark that generated the plan.
func TestHelperProcess(t *testing.T) {
	path := os.Getenv(helperEnv)
	if path == "" {
		t.Skip("run by BenchmarkRead100MB")
	}
	before := vmHWM(t)
	cfg, err := Read(context.Background(), path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("helper: resources=%d gaps=%d hwm_before_kib=%d hwm_after_kib=%d\n",
		len(cfg.Resources), len(cfg.Gaps), before, vmHWM(t))
}

// vmHWM is the process's peak resident set size in KiB.
func vmHWM(t testing.TB) int64 {
	t.Helper()
	f, err := os.Open("/proc/self/status")
	if err != nil {
		t.Skip("no /proc/self/status:", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			n, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	t.Skip("no VmHWM in /proc/self/status")
	return 0
}

// BenchmarkRead100MB reads a generated ~100 MB plan (most of it resources
// of other types and prior state). It reports ns/op of Read in the
// benchmark's own process and, as peak-RSS-MiB, the VmHWM of a separate
// process (TestHelperProcess) that ran one Read of the same file: the whole
// process's peak, test binary baseline included, as `before-MiB` shows.
func BenchmarkRead100MB(b *testing.B) {
	path := filepath.Join(b.TempDir(), "plan.json")
	want, err := writePlanFile(path, 100<<20)
	if err != nil {
		b.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.v")
	cmd.Env = append(os.Environ(), helperEnv+"="+path)
	out, err := cmd.CombinedOutput()
	if err != nil {
		b.Fatalf("helper: %v\n%s", err, out)
	}
	var resources, gaps int
	var before, after int64
	line := out[strings.Index(string(out), "helper:"):]
	if _, err := fmt.Sscanf(string(line), "helper: resources=%d gaps=%d hwm_before_kib=%d hwm_after_kib=%d",
		&resources, &gaps, &before, &after); err != nil {
		b.Fatalf("helper output %q: %v", out, err)
	}
	if resources != want || gaps != 0 {
		b.Fatalf("helper read %d resources, %d gaps; want %d", resources, gaps, want)
	}
	b.Run("read", func(b *testing.B) {
		b.SetBytes(info.Size())
		for b.Loop() {
			cfg, err := Read(context.Background(), path, Options{})
			if err != nil || len(cfg.Resources) != want {
				b.Fatalf("read: %v", err)
			}
		}
		b.ReportMetric(float64(info.Size())/(1<<20), "plan-MiB")
		b.ReportMetric(float64(after)/1024, "peak-RSS-MiB")
		b.ReportMetric(float64(before)/1024, "before-MiB")
	})
}
