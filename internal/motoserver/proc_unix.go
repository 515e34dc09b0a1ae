//go:build unix

package motoserver

import (
	"os/exec"
	"syscall"
)

// setProcessGroup puts moto_server (and anything it spawns, e.g. via a
// pyenv shim) in its own process group so Stop can kill all of it.
func setProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

func terminateGroup(cmd *exec.Cmd) error { return signalGroup(cmd, syscall.SIGTERM) }

func killGroup(cmd *exec.Cmd) error { return signalGroup(cmd, syscall.SIGKILL) }

func signalGroup(cmd *exec.Cmd, sig syscall.Signal) error {
	// A negative pid signals the whole group; Setpgid made pgid == pid.
	err := syscall.Kill(-cmd.Process.Pid, sig)
	if err == syscall.ESRCH {
		return nil // already gone
	}
	return err
}
