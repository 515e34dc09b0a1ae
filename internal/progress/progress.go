// Package progress shows how far a scan has got on a terminal: accounts
// ready, account×region×collector jobs done, resources found. An org-wide
// scan can run for many minutes, and a silent terminal is indistinguishable
// from a hung one. Nothing is drawn when stderr is not a terminal (CI logs,
// pipes), where a line rewritten every few hundred milliseconds is noise.
package progress

import (
	"context"
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// Tracker counts progress. Its methods are safe for concurrent use, and a
// nil *Tracker ignores every call, so stages need no "is progress on" checks.
type Tracker struct {
	accounts, accountsReady atomic.Int64
	jobs, jobsDone          atomic.Int64
	resources               atomic.Int64
}

// AddAccounts adds n accounts to prepare.
func (t *Tracker) AddAccounts(n int) {
	if t != nil {
		t.accounts.Add(int64(n))
	}
}

// AccountReady marks one account prepared (reached, or failed as a gap).
func (t *Tracker) AccountReady() {
	if t != nil {
		t.accountsReady.Add(1)
	}
}

// AddJobs adds n collection jobs.
func (t *Tracker) AddJobs(n int) {
	if t != nil {
		t.jobs.Add(int64(n))
	}
}

// JobDone marks one collection job finished.
func (t *Tracker) JobDone() {
	if t != nil {
		t.jobsDone.Add(1)
	}
}

// Resource counts one resource found.
func (t *Tracker) Resource() {
	if t != nil {
		t.resources.Add(1)
	}
}

// Line is the current state in one line.
func (t *Tracker) Line() string {
	return fmt.Sprintf("accounts %d/%d · collectors %d/%d · resources %d",
		t.accountsReady.Load(), t.accounts.Load(), t.jobsDone.Load(), t.jobs.Load(), t.resources.Load())
}

// IsTerminal reports whether f is a character device (a terminal), using
// only the standard library.
func IsTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// Display redraws a Tracker's line on w until stopped.
type Display struct {
	stop     chan struct{}
	stopOnce sync.Once
	done     sync.WaitGroup
}

// Start draws t on w every interval until ctx ends or Stop is called. The
// caller decides whether w is a terminal.
func Start(ctx context.Context, w io.Writer, t *Tracker, interval time.Duration) *Display {
	d := &Display{stop: make(chan struct{})}
	d.done.Add(1)
	go func() {
		defer d.done.Done()
		tick := time.NewTicker(interval)
		defer tick.Stop()
		for {
			select {
			case <-tick.C:
				fmt.Fprintf(w, "\r\x1b[2K%s", t.Line())
			case <-ctx.Done():
				fmt.Fprint(w, "\r\x1b[2K")
				return
			case <-d.stop:
				// Leave the final state on screen, then a newline so logs
				// and the report start on a clean line.
				fmt.Fprintf(w, "\r\x1b[2K%s\n", t.Line())
				return
			}
		}
	}()
	return d
}

// Stop ends the display and waits for its last redraw. Calling it again,
// or on a nil Display, does nothing.
func (d *Display) Stop() {
	if d == nil {
		return
	}
	d.stopOnce.Do(func() { close(d.stop) })
	d.done.Wait()
}
