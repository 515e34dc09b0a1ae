package bench

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// TestRSSWatchIsTheChilds: while the benchmark holds 300 MiB, a child that
// holds 80 MiB is measured at about 80 MiB, and a child that holds nothing
// at almost nothing, as it is in a wrapper script; wait4's ru_maxrss says
// 300 MiB for both (Linux records the vforking parent's high-water mark
// into the child's).
func TestRSSWatchIsTheChilds(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("VmHWM is read from Linux's /proc")
	}
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Fatal("python3 is part of the test image (moto needs it): ", err)
	}
	held := make([]byte, 300<<20)
	for i := range held {
		held[i] = 1
	}
	dir := t.TempDir()
	wrapper := filepath.Join(dir, "wrapper.sh")
	script := "#!/bin/sh\n\"" + python + "\" -c 'import time; b = bytearray(80 << 20); time.sleep(0.3)'\n"
	if err := os.WriteFile(wrapper, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		bin      string
		args     []string
		min, max int64 // MiB
	}{
		{"80 MiB through a wrapper", "/bin/sh", []string{wrapper}, 80, 150},
		{"nothing", "/bin/sh", []string{"-c", "sleep 0.2"}, 0, 20},
	}
	for _, tt := range tests {
		run, err := runChild(context.Background(), childSpec{bin: tt.bin, args: tt.args, stderrPath: filepath.Join(dir, "stderr")})
		if err != nil || run.exitCode != 0 {
			t.Fatalf("%s: %v, exit %d", tt.name, err, run.exitCode)
		}
		if mib := run.peakRSSKiB / 1024; mib < tt.min || mib > tt.max {
			t.Errorf("%s: peak RSS %d MiB, want %d–%d", tt.name, mib, tt.min, tt.max)
		}
		cmd := exec.Command(tt.bin, tt.args...)
		if err := cmd.Run(); err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: watched %d MiB, wait4's ru_maxrss %d MiB", tt.name, run.peakRSSKiB/1024, rusageMaxRSSKiB(cmd.ProcessState)/1024)
	}
	runtime.KeepAlive(held)
}
