//go:build unix

package motoserver_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/sagekey/sagekey/internal/motoserver"
)

// TestStopKillsProcessGroup checks that nothing from the server's process
// group survives Stop.
func TestStopKillsProcessGroup(t *testing.T) {
	if _, err := exec.LookPath(motoserver.PythonName); err != nil {
		t.Skip("python3 not installed")
	}
	srv, err := motoserver.Start(context.Background(), nil)
	if errors.Is(err, motoserver.ErrNotInstalled) && os.Getenv("CI") != "true" {
		t.Skipf("moto not installed: %v", err)
	}
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	pgid := motoserver.PID(srv)
	if err := srv.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if err := syscall.Kill(-pgid, 0); !errors.Is(err, syscall.ESRCH) {
		t.Fatalf("process group %d still exists after Stop (kill -0: %v)", pgid, err)
	}
}

// TestStartMotoNotImportable checks that a python3 that cannot import moto
// makes Start return ErrNotInstalled (the launcher's exit status 3), so
// mototest skips or, under CI, fails as it does when python3 is missing.
func TestStartMotoNotImportable(t *testing.T) {
	if _, err := exec.LookPath(motoserver.PythonName); err != nil {
		t.Skip("python3 not installed")
	}
	out, err := exec.Command(motoserver.PythonName, "-c", "import sys; print(sys.executable)").Output()
	if err != nil {
		t.Fatalf("find python3: %v", err)
	}
	dir := t.TempDir()
	// -S -I: no site-packages, so moto cannot be imported.
	script := "#!/bin/sh\nexec '" + strings.TrimSpace(string(out)) + "' -S -I \"$@\"\n"
	if err := os.WriteFile(filepath.Join(dir, motoserver.PythonName), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir)
	srv, err := motoserver.Start(context.Background(), nil)
	if srv != nil {
		_ = srv.Stop()
	}
	if !errors.Is(err, motoserver.ErrNotInstalled) || !strings.Contains(err.Error(), "cannot import moto") {
		t.Fatalf("Start with a python3 lacking moto: err = %v, want ErrNotInstalled with the launcher's message", err)
	}
}
