// Package motoserver starts a real moto_server (the Python AWS emulator from
// the moto project) on a free loopback port.
//
// sagekey's integration tests and its demo command run against this emulator
// rather than against hand-written fakes: the AWS SDK serializes real
// requests, moto validates and stores them, and the auditor reads them back
// through the same API calls it makes against a real account. That catches
// wire-format and pagination mistakes that an in-process stub would hide,
// without needing AWS credentials or network access.
//
// The server is moto's own (moto.server.main, what the moto_server command
// runs), started through launcher.py, a small Python launcher embedded in
// this package: `python3 <tmp>/sagekey_moto_server.py -H 127.0.0.1 -p PORT`.
// Before serving, the launcher repairs two moto 5.2.1 bugs that make the
// Resource Groups Tagging API (tag:GetResources) answer HTTP 500 once a
// SageMaker endpoint config or model card exists: FakeEndpointConfig.arn is a
// 1-tuple instead of a string, and the tagging backend reads the SageMaker
// backend's model cards (a list of versions per name) as single resources.
// It probes moto first and patches only what the probe shows broken; if
// moto's code no longer has the shape it patches it exits with a clear
// message instead of serving (see launcher.py). TestPlainMotoStillNeedsPatches
// fails once a moto release makes the patches unnecessary. The launcher also
// answers a JSON-protocol operation moto lacks (or whose handler raises) with
// 400 UnknownOperationException, as AWS answers an operation a service does
// not offer, instead of Werkzeug's HTML 500, which the SDK would retry: a
// scan of an empty region against moto takes about a second instead of ten.
//
// Install the emulator with: pip install 'moto[server]==5.2.1'. Start needs
// python3 on PATH that can import moto; otherwise it returns ErrNotInstalled.
package motoserver

import (
	"bytes"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// ErrNotInstalled is returned (wrapped) by Start when python3 cannot be
// found on PATH or cannot import moto and its server.
var ErrNotInstalled = errors.New("moto is not installed: Start needs python3 on PATH that can import moto (pip install 'moto[server]==5.2.1')")

// BinaryName is moto's own server command. Start does not run it (it runs
// PythonName with the embedded launcher, which calls the same
// moto.server.main), but the launcher's file name contains BinaryName, so
// the server's command line still does: `python3 .../sagekey_moto_server.py
// -H 127.0.0.1 -p PORT`.
const BinaryName = "moto_server"

// PythonName is the interpreter Start looks up on PATH to run the launcher.
const PythonName = "python3"

// launcherName is the file the embedded launcher is written to.
const launcherName = "sagekey_" + BinaryName + ".py"

// launcherSource is launcher.py: moto's server with two moto 5.2.1
// tag:GetResources bugs patched (see the package doc and the file).
//
//go:embed launcher.py
var launcherSource []byte

// Exit statuses of launcher.py (EXIT_NO_MOTO, EXIT_SHAPE).
const (
	launcherExitNoMoto = 3
	launcherExitShape  = 4
)

const (
	startTimeout = 30 * time.Second
	stopTimeout  = 5 * time.Second
	pollInterval = 100 * time.Millisecond
	// startAttempts bounds retries when the chosen port is grabbed by someone
	// else between picking it and moto binding it.
	startAttempts = 3
)

// Server is a running moto server process. It must be stopped with Stop.
type Server struct {
	url  string
	cmd  *exec.Cmd
	dir  string        // temporary directory holding the launcher; removed by Stop
	done chan struct{} // closed once the process has been reaped
	err  error         // result of cmd.Wait, valid after done is closed
	tail *tailBuffer   // the last of the server's output, for start-up errors

	stopOnce sync.Once
	stopErr  error
}

// Start launches moto's server through the embedded launcher (see the
// package doc) on a free 127.0.0.1 port and waits (up to about 30 seconds,
// or until ctx is done) for it to answer HTTP requests. The server's stdout
// and stderr are written to logw, which may be io.Discard or nil.
//
// ctx bounds only the start-up; the process keeps running until Stop is
// called. If python3 is missing or cannot import moto the error wraps
// ErrNotInstalled.
func Start(ctx context.Context, logw io.Writer) (*Server, error) {
	py, err := exec.LookPath(PythonName)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotInstalled, err)
	}
	return startRetrying(ctx, logw, func(dir string) ([]string, error) {
		script := filepath.Join(dir, launcherName)
		if err := os.WriteFile(script, launcherSource, 0o600); err != nil {
			return nil, fmt.Errorf("motoserver: write launcher: %w", err)
		}
		return []string{py, script}, nil
	})
}

// startPlain launches the unpatched moto_server command instead of the
// launcher; tests use it to show the launcher is still needed.
func startPlain(ctx context.Context, logw io.Writer) (*Server, error) {
	bin, err := exec.LookPath(BinaryName)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotInstalled, err)
	}
	return startRetrying(ctx, logw, func(string) ([]string, error) { return []string{bin}, nil })
}

// startRetrying starts the command that command returns (given a fresh
// temporary directory), followed by moto's -H/-p arguments.
func startRetrying(ctx context.Context, logw io.Writer, command func(dir string) ([]string, error)) (*Server, error) {
	if logw == nil {
		logw = io.Discard
	}
	var lastErr error
	for range startAttempts {
		s, err := start(ctx, logw, command)
		if err == nil {
			return s, nil
		}
		lastErr = err
		if ctx.Err() != nil || !errors.Is(err, errExitedEarly) {
			break
		}
	}
	return nil, lastErr
}

var errExitedEarly = errors.New("moto server exited during start-up")

func start(ctx context.Context, logw io.Writer, command func(dir string) ([]string, error)) (*Server, error) {
	port, err := freePort()
	if err != nil {
		return nil, fmt.Errorf("motoserver: pick a free port: %w", err)
	}
	dir, err := os.MkdirTemp("", "sagekey-moto-")
	if err != nil {
		return nil, fmt.Errorf("motoserver: %w", err)
	}
	argv, err := command(dir)
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	argv = append(argv, "-H", "127.0.0.1", "-p", strconv.Itoa(port))
	tail := &tailBuffer{max: 4 << 10}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdout = io.MultiWriter(logw, tail)
	cmd.Stderr = cmd.Stdout
	cmd.WaitDelay = stopTimeout
	setProcessGroup(cmd)
	if err := cmd.Start(); err != nil {
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("motoserver: start %s: %w", argv[0], err)
	}
	s := &Server{
		url:  "http://127.0.0.1:" + strconv.Itoa(port),
		cmd:  cmd,
		dir:  dir,
		done: make(chan struct{}),
		tail: tail,
	}
	go func() {
		s.err = cmd.Wait()
		close(s.done)
	}()
	if err := s.waitReady(ctx); err != nil {
		_ = s.Stop()
		return nil, err
	}
	return s, nil
}

// freePort asks the kernel for an unused loopback port. The port is released
// before moto binds it, so a race is possible; Start retries if moto exits.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func (s *Server) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	client := &http.Client{Timeout: 2 * time.Second}
	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.url+"/moto-api/config", nil)
		if err != nil {
			return fmt.Errorf("motoserver: %w", err)
		}
		if resp, err := client.Do(req); err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			return nil
		}
		select {
		case <-s.done:
			return s.exitError()
		case <-ctx.Done():
			return fmt.Errorf("motoserver: %s did not answer within %s: %w", s.url, startTimeout, ctx.Err())
		case <-tick.C:
		}
	}
}

// exitError explains why the process exited during start-up. The
// launcher's own exit statuses are final; anything else (most likely the
// port was taken) wraps errExitedEarly so Start retries.
func (s *Server) exitError() error {
	out := strings.TrimSpace(s.tail.String())
	var ee *exec.ExitError
	if errors.As(s.err, &ee) {
		switch ee.ExitCode() {
		case launcherExitNoMoto:
			return fmt.Errorf("motoserver: %w: %s", ErrNotInstalled, out)
		case launcherExitShape:
			return fmt.Errorf("motoserver: the launcher refused to serve this moto: %s", out)
		}
	}
	return fmt.Errorf("motoserver: %w: %v\n%s", errExitedEarly, s.err, out)
}

// URL is the server's base URL, e.g. http://127.0.0.1:54321. Use it as the
// AWS SDK BaseEndpoint (see AWSConfig).
func (s *Server) URL() string { return s.url }

// Reset clears all emulated AWS state (POST /moto-api/reset).
func (s *Server) Reset(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url+"/moto-api/reset", nil)
	if err != nil {
		return fmt.Errorf("motoserver: reset: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("motoserver: reset: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("motoserver: reset: unexpected status %s", resp.Status)
	}
	return nil
}

// Stop terminates the server's whole process group (SIGTERM, then SIGKILL
// after a grace period), waits for it to exit and removes the launcher's
// temporary directory. It is safe to call more
// than once; later calls return the first result.
func (s *Server) Stop() error {
	s.stopOnce.Do(func() {
		defer os.RemoveAll(s.dir)
		select {
		case <-s.done:
			return // already exited on its own
		default:
		}
		if err := terminateGroup(s.cmd); err != nil {
			s.stopErr = fmt.Errorf("motoserver: stop: %w", err)
		}
		select {
		case <-s.done:
		case <-time.After(stopTimeout):
			_ = killGroup(s.cmd)
			<-s.done
		}
	})
	return s.stopErr
}

// tailBuffer keeps the last max bytes written to it; safe for concurrent use.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	if over := len(b.buf) - b.max; over > 0 {
		b.buf = bytes.Clone(b.buf[over:])
	}
	return len(p), nil
}

func (b *tailBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.buf)
}

// UnimplementedMessage is what the launcher's 400 UnknownOperationException
// says for an operation moto does not implement (UNIMPLEMENTED_MESSAGE in
// launcher.py), after the operation's name.
const UnimplementedMessage = "not implemented by the emulator"

// AWSConfig returns an aws.Config that talks to the emulator at endpointURL
// in region, with static dummy credentials and few retries. It deliberately
// does not read environment variables or shared config files, so a
// developer's real AWS profile can never leak into tests or the demo.
func AWSConfig(ctx context.Context, endpointURL, region string) (aws.Config, error) {
	if err := ctx.Err(); err != nil {
		return aws.Config{}, err
	}
	if endpointURL == "" {
		return aws.Config{}, errors.New("motoserver: empty endpoint URL")
	}
	if region == "" {
		return aws.Config{}, errors.New("motoserver: empty region")
	}
	return aws.Config{
		Region:       region,
		BaseEndpoint: aws.String(endpointURL),
		Credentials: aws.NewCredentialsCache(
			credentials.NewStaticCredentialsProvider("testing", "testing", "testing"),
		),
		Retryer: func() aws.Retryer {
			return loggedRetries{retry.AddWithMaxAttempts(retry.NewStandard(), 2)}
		},
	}, nil
}

// loggedRetries writes to stderr why a request is retried. A retry against
// a local emulator is rare and, for a create, turns into a confusing
// "already exists" on the second attempt; the first attempt's error says
// what really happened.
type loggedRetries struct{ aws.Retryer }

func (r loggedRetries) RetryDelay(attempt int, err error) (time.Duration, error) {
	fmt.Fprintf(os.Stderr, "motoserver: retrying a request (attempt %d) after: %v\n", attempt, err)
	return r.Retryer.RetryDelay(attempt, err)
}
