package bench

import (
	"os"
	"sync"
	"time"
)

// rssWatch measures the peak resident set of a child process and of the
// processes it starts (a wrapper script's sagekey), as the largest
// high-water mark (VmHWM) any of them reached.
//
// Why not wait4's rusage: Go starts children with vfork, and Linux records
// the parent's RSS high-water mark into the child's ru_maxrss when the
// child execs. A child of a benchmark that has parsed a 480 MB report
// therefore "peaks" at the benchmark's own size: /bin/true started by a
// process holding 300 MiB reports ru_maxrss 310 MB (TestRSSWatchIsTheChilds).
// VmHWM belongs to the memory the program itself mapped after exec.
//
// The tree is sampled every rssInterval: a new peak reached in the last
// interval before the child exits is missed. Where /proc cannot be read
// (not Linux), the rusage figure is reported instead.
type rssWatch struct {
	stop chan struct{}
	done chan struct{}

	mu    sync.Mutex
	peak  int64 // KiB
	procs bool  // /proc answered at least once
}

const rssInterval = 20 * time.Millisecond

func watchRSS(pid int) *rssWatch {
	w := &rssWatch{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(w.done)
		t := time.NewTicker(rssInterval)
		defer t.Stop()
		for {
			w.sample(pid)
			select {
			case <-w.stop:
				return
			case <-t.C:
			}
		}
	}()
	return w
}

func (w *rssWatch) sample(pid int) {
	peak, ok := treeHWM(pid)
	w.mu.Lock()
	defer w.mu.Unlock()
	w.procs = w.procs || ok
	w.peak = max(w.peak, peak)
}

// finish stops the watch once the child has exited, and returns its peak
// RSS in KiB.
func (w *rssWatch) finish(ps *os.ProcessState) int64 {
	close(w.stop)
	<-w.done
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.procs && ps != nil {
		return rusageMaxRSSKiB(ps)
	}
	return w.peak
}
