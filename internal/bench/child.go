package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"
)

// childSpec is a scanner process to run and measure.
type childSpec struct {
	bin        string
	args       []string
	env        []string
	dir        string
	stderrPath string // the child's log
}

// childRun is what running a child measured.
type childRun struct {
	wall       time.Duration
	exitCode   int
	peakRSSKiB int64
	stdout     []byte
}

// runChild runs the child to completion. Each scanner runs as its own
// process so that its peak RSS (rssWatch) is its own, not the
// benchmark's. The error is for failures to start or to wait; a non-zero
// exit is reported in exitCode.
func runChild(ctx context.Context, spec childSpec) (childRun, error) {
	logFile, err := os.Create(spec.stderrPath)
	if err != nil {
		return childRun{}, err
	}
	defer logFile.Close()
	var stdout bytes.Buffer
	cmd := exec.CommandContext(ctx, spec.bin, spec.args...)
	cmd.Env, cmd.Dir = spec.env, spec.dir
	cmd.Stdout, cmd.Stderr = &stdout, logFile
	// On Ctrl-C let the scanner stop cleanly (it handles SIGINT) before
	// being killed.
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 10 * time.Second

	start := time.Now()
	if err := cmd.Start(); err != nil {
		return childRun{}, fmt.Errorf("start %s: %w", spec.bin, err)
	}
	rss := watchRSS(cmd.Process.Pid)
	waitErr := cmd.Wait()
	peakRSS := rss.finish(cmd.ProcessState)
	run := childRun{wall: time.Since(start), stdout: stdout.Bytes()}
	if cmd.ProcessState == nil {
		return run, fmt.Errorf("wait for %s: %w", spec.bin, waitErr)
	}
	run.exitCode = cmd.ProcessState.ExitCode()
	run.peakRSSKiB = peakRSS
	var exitErr *exec.ExitError
	if waitErr != nil && !errors.As(waitErr, &exitErr) {
		return run, fmt.Errorf("wait for %s: %w", spec.bin, waitErr)
	}
	return run, nil
}

// tailOf returns the last n lines of the file at path, for error messages.
func tailOf(path string, n int) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// scannerEnv is the environment of a scanner child: the benchmark's own,
// minus anything that could point the scanner at a real AWS account or a
// different history store, plus dummy credentials.
func scannerEnv(workDir, region string) []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "AWS_") || strings.HasPrefix(name, "SAGEKEY_") {
			continue
		}
		env = append(env, kv)
	}
	return append(env,
		"AWS_ACCESS_KEY_ID=bench",
		"AWS_SECRET_ACCESS_KEY=bench",
		"AWS_REGION="+region,
		// Files that do not exist: no profile, SSO or credential_process
		// of the developer's can apply.
		"AWS_CONFIG_FILE="+workDir+"/no-aws-config",
		"AWS_SHARED_CREDENTIALS_FILE="+workDir+"/no-aws-credentials",
		"AWS_EC2_METADATA_DISABLED=true",
	)
}
