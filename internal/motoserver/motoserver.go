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
// Install the emulator with: pip install 'moto[server]==5.2.1'
package motoserver

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// ErrNotInstalled is returned (wrapped) by Start when the moto_server binary
// cannot be found on PATH.
var ErrNotInstalled = errors.New("moto_server is not installed (pip install 'moto[server]==5.2.1')")

// BinaryName is the executable Start looks up on PATH.
const BinaryName = "moto_server"

const (
	startTimeout = 30 * time.Second
	stopTimeout  = 5 * time.Second
	pollInterval = 100 * time.Millisecond
	// startAttempts bounds retries when the chosen port is grabbed by someone
	// else between picking it and moto binding it.
	startAttempts = 3
)

// Server is a running moto_server process. It must be stopped with Stop.
type Server struct {
	url  string
	cmd  *exec.Cmd
	done chan struct{} // closed once the process has been reaped
	err  error         // result of cmd.Wait, valid after done is closed

	stopOnce sync.Once
	stopErr  error
}

// Start launches moto_server on a free 127.0.0.1 port and waits (up to about
// 30 seconds, or until ctx is done) for it to answer HTTP requests. The
// server's stdout and stderr are written to logw, which may be io.Discard
// or nil.
//
// ctx bounds only the start-up; the process keeps running until Stop is
// called. If the binary is missing the error wraps ErrNotInstalled.
func Start(ctx context.Context, logw io.Writer) (*Server, error) {
	bin, err := exec.LookPath(BinaryName)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotInstalled, err)
	}
	if logw == nil {
		logw = io.Discard
	}
	var lastErr error
	for range startAttempts {
		s, err := start(ctx, bin, logw)
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

var errExitedEarly = errors.New("moto_server exited during start-up")

func start(ctx context.Context, bin string, logw io.Writer) (*Server, error) {
	port, err := freePort()
	if err != nil {
		return nil, fmt.Errorf("motoserver: pick a free port: %w", err)
	}
	cmd := exec.Command(bin, "-H", "127.0.0.1", "-p", strconv.Itoa(port))
	cmd.Stdout = logw
	cmd.Stderr = logw
	cmd.WaitDelay = stopTimeout
	setProcessGroup(cmd)
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("motoserver: start %s: %w", bin, err)
	}
	s := &Server{
		url:  "http://127.0.0.1:" + strconv.Itoa(port),
		cmd:  cmd,
		done: make(chan struct{}),
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
			return fmt.Errorf("motoserver: %w: %v", errExitedEarly, s.err)
		case <-ctx.Done():
			return fmt.Errorf("motoserver: %s did not answer within %s: %w", s.url, startTimeout, ctx.Err())
		case <-tick.C:
		}
	}
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
// after a grace period) and waits for it to exit. It is safe to call more
// than once; later calls return the first result.
func (s *Server) Stop() error {
	s.stopOnce.Do(func() {
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
			return retry.AddWithMaxAttempts(retry.NewStandard(), 2)
		},
	}, nil
}
