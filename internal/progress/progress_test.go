package progress

import (
	"bytes"
	"context"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestTrackerCountsAndNilIsSafe(t *testing.T) {
	t.Parallel()
	var nilTracker *Tracker
	nilTracker.AddAccounts(1) // must not panic
	nilTracker.Resource()

	tr := &Tracker{}
	tr.AddAccounts(2)
	tr.AccountReady()
	tr.AddJobs(10)
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() { defer wg.Done(); tr.JobDone(); tr.Resource(); tr.Resource() }()
	}
	wg.Wait()
	if got, want := tr.Line(), "accounts 1/2 · collectors 4/10 · resources 8"; got != want {
		t.Errorf("Line() = %q, want %q", got, want)
	}
}

// syncBuffer lets the display goroutine and the test share a buffer.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestDisplayLeavesTheFinalLine(t *testing.T) {
	t.Parallel()
	tr := &Tracker{}
	tr.AddAccounts(1)
	var out syncBuffer
	d := Start(context.Background(), &out, tr, time.Hour) // no tick: only the final line
	tr.AccountReady()
	d.Stop()
	if got := out.String(); !strings.HasSuffix(got, "accounts 1/1 · collectors 0/0 · resources 0\n") {
		t.Errorf("final output %q", got)
	}
}

func TestIsTerminalIsFalseForFiles(t *testing.T) {
	t.Parallel()
	f, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if IsTerminal(f) {
		t.Error("a regular file is not a terminal")
	}
}
