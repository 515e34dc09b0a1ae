//go:build unix

package bench

import (
	"os"
	"runtime"
	"syscall"
)

// peakRSSKiB is the child's maximum resident set size, from the rusage that
// wait4 returned for it.
func peakRSSKiB(ps *os.ProcessState) int64 {
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok || ru == nil {
		return 0
	}
	if runtime.GOOS == "darwin" || runtime.GOOS == "ios" {
		return int64(ru.Maxrss) / 1024 // bytes there, KiB on Linux and the BSDs
	}
	return int64(ru.Maxrss)
}
