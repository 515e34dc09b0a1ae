//go:build unix

package motoserver_test

import (
	"context"
	"errors"
	"os/exec"
	"syscall"
	"testing"

	"github.com/sagekey/sagekey/internal/motoserver"
)

// TestStopKillsProcessGroup checks that nothing from the server's process
// group survives Stop.
func TestStopKillsProcessGroup(t *testing.T) {
	if _, err := exec.LookPath(motoserver.BinaryName); err != nil {
		t.Skip("moto_server not installed")
	}
	srv, err := motoserver.Start(context.Background(), nil)
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
