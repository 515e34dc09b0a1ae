//go:build unix

package bench

import (
	"os"
	"runtime"
	"syscall"
)

// rusageMaxRSSKiB is wait4's figure, which includes the benchmark's own
// memory where children are started with vfork (see rssWatch).
func rusageMaxRSSKiB(ps *os.ProcessState) int64 {
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok || ru == nil {
		return 0
	}
	if runtime.GOOS == "darwin" || runtime.GOOS == "ios" {
		return int64(ru.Maxrss) / 1024 // bytes there, KiB on Linux and the BSDs
	}
	return int64(ru.Maxrss)
}
