//go:build linux

package bench

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// userHZ is the unit of the CPU times in /proc/<pid>/stat: Linux fixes it
// at 100 for user space whatever the kernel's own tick.
const userHZ = 100

// cpuNow samples the CPU time (user + system) used so far by this process
// (the proxy, as nothing else runs during a measured run), by its children
// that have been waited for (so the difference across a run is the sagekey
// child's), and by moto_server (pid 0: not sampled).
func cpuNow(motoPID int) cpuSample {
	var self, children syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &self) != nil || syscall.Getrusage(syscall.RUSAGE_CHILDREN, &children) != nil {
		return cpuSample{}
	}
	s := cpuSample{ok: true, self: rusageCPU(&self), children: rusageCPU(&children), moto: -1}
	if motoPID > 0 {
		if d, ok := procCPU(motoPID); ok {
			s.moto = d
		}
	}
	return s
}

func rusageCPU(ru *syscall.Rusage) time.Duration {
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// procCPU reads utime + stime of pid from /proc.
func procCPU(pid int) (time.Duration, bool) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, false
	}
	// The command name, in parentheses, may hold spaces; the fields after
	// it are state, ppid, …, utime (the 12th) and stime (the 13th).
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return 0, false
	}
	f := strings.Fields(string(data[i+1:]))
	if len(f) < 13 {
		return 0, false
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	return time.Duration(utime+stime) * time.Second / userHZ, true
}

// findMotoPID finds the moto_server listening on port by its command line
// (motoserver starts it as `moto_server -H 127.0.0.1 -p PORT`, possibly
// through an interpreter or a pyenv shim that execs it); 0 if none is.
func findMotoPID(port string) int {
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, dir := range dirs {
		cmdline, err := os.ReadFile(filepath.Join(dir, "cmdline"))
		if err != nil || !bytes.Contains(cmdline, []byte(motoBinaryName)) {
			continue
		}
		args := strings.Split(strings.TrimRight(string(cmdline), "\x00"), "\x00")
		for i := 0; i+1 < len(args); i++ {
			if args[i] == "-p" && args[i+1] == port {
				pid, _ := strconv.Atoi(filepath.Base(dir))
				return pid
			}
		}
	}
	return 0
}
