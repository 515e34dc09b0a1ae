package serve_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/sagekey/sagekey/internal/testutil/loopback"
)

// binary is the sagekey binary the end-to-end tests run as a real process,
// built once per test binary.
var binary struct {
	once sync.Once
	path string
	err  error
}

func sagekeyBinary(t *testing.T) string {
	t.Helper()
	binary.once.Do(func() {
		dir, err := os.MkdirTemp("", "sagekey-serve-e2e-")
		if err != nil {
			binary.err = err
			return
		}
		binary.path = filepath.Join(dir, "sagekey")
		_, file, _, _ := runtime.Caller(0)
		root := filepath.Join(filepath.Dir(file), "..", "..")
		cmd := exec.Command("go", "build", "-o", binary.path, "./cmd/sagekey")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			binary.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binary.err != nil {
		t.Fatal(binary.err)
	}
	return binary.path
}

// process is one running `sagekey serve`.
type process struct {
	t     *testing.T
	cmd   *exec.Cmd
	addr  string
	token string
	logs  *lockedBuffer
	done  chan error
}

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startServe runs sagekey serve with args plus --listen and the token, and
// waits until /healthz answers. It is stopped with SIGTERM at cleanup.
func startServe(t *testing.T, env []string, token string, args ...string) *process {
	t.Helper()
	dir := t.TempDir()
	tokenFile := filepath.Join(dir, "token")
	if err := os.WriteFile(tokenFile, []byte(token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	p := &process{t: t, addr: loopback.FreeAddr(t), token: token, logs: &lockedBuffer{}, done: make(chan error, 1)}
	args = append([]string{"serve", "--listen", p.addr, "--auth-token-file", tokenFile, "--log-level", "info", "--log-format", "json"}, args...)
	p.cmd = exec.Command(sagekeyBinary(t), args...)
	p.cmd.Env = append(os.Environ(), env...)
	p.cmd.Stdout, p.cmd.Stderr = p.logs, p.logs
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.done <- p.cmd.Wait() }()
	t.Cleanup(func() {
		p.stop()
		if t.Failed() {
			t.Logf("--- sagekey serve %s ---\n%s", p.addr, p.logs.String())
		}
	})
	p.waitFor("healthz", 60*time.Second, func() bool {
		resp, err := http.Get("http://" + p.addr + "/healthz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	return p
}

// stop sends SIGTERM and waits for a clean exit; it reports the exit
// status error, nil for status 0.
func (p *process) stop() error {
	if p.cmd.ProcessState != nil {
		return nil
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-p.done:
		p.done <- err
		return err
	case <-time.After(60 * time.Second):
		_ = p.cmd.Process.Kill()
		return fmt.Errorf("sagekey serve did not stop within 60s of SIGTERM")
	}
}

func (p *process) waitFor(what string, limit time.Duration, ok func() bool) {
	p.t.Helper()
	deadline := time.Now().Add(limit)
	for !ok() {
		select {
		case err := <-p.done:
			p.done <- err
			p.t.Fatalf("sagekey serve exited (%v) while waiting for %s", err, what)
		default:
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("timed out after %s waiting for %s", limit, what)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func (p *process) request(method, path string) (*http.Response, []byte) {
	p.t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), method, "http://"+p.addr+path, nil)
	if err != nil {
		p.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+p.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		p.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		p.t.Fatal(err)
	}
	return resp, body
}

// metrics reads /metrics with the Prometheus text parser.
func (p *process) metrics() map[string]*dto.MetricFamily {
	p.t.Helper()
	resp, body := p.request(http.MethodGet, "/metrics")
	if resp.StatusCode != http.StatusOK {
		p.t.Fatalf("/metrics: %s", resp.Status)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(bytes.NewReader(body))
	if err != nil {
		p.t.Fatalf("/metrics does not parse: %v\n%s", err, body)
	}
	return fams
}

// counter sums a family's samples whose labels include want.
func counter(fams map[string]*dto.MetricFamily, name string, want map[string]string) float64 {
	var sum float64
	f, ok := fams[name]
	if !ok {
		return 0
	}
	for _, m := range f.GetMetric() {
		if !labelsMatch(m, want) {
			continue
		}
		switch {
		case m.GetCounter() != nil:
			sum += m.GetCounter().GetValue()
		case m.GetGauge() != nil:
			sum += m.GetGauge().GetValue()
		}
	}
	return sum
}

func labelsMatch(m *dto.Metric, want map[string]string) bool {
	for k, v := range want {
		found := false
		for _, l := range m.GetLabel() {
			if l.GetName() == k && l.GetValue() == v {
				found = true
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// scansStored counts successful scans from the process's JSON logs.
func (p *process) logLines(msg string) int {
	n := 0
	sc := bufio.NewScanner(strings.NewReader(p.logs.String()))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if strings.Contains(sc.Text(), `"msg":"`+msg+`"`) {
			n++
		}
	}
	return n
}
