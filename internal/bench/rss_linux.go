//go:build linux

package bench

import (
	"bytes"
	"os"
	"strconv"
	"strings"
)

// treeHWM is the largest VmHWM of pid and its descendants, in KiB; ok is
// false when pid's status could not be read.
func treeHWM(pid int) (peak int64, ok bool) {
	seen := map[int]bool{}
	queue := []int{pid}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		if seen[p] {
			continue
		}
		seen[p] = true
		hwm, read := vmHWM(p)
		if !read {
			continue
		}
		ok = ok || p == pid
		peak = max(peak, hwm)
		queue = append(queue, childrenOf(p)...)
	}
	return peak, ok
}

func vmHWM(pid int) (int64, bool) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, false
	}
	for line := range bytes.Lines(data) {
		if rest, found := bytes.CutPrefix(line, []byte("VmHWM:")); found {
			kib, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(string(rest)), " kB"), 10, 64)
			return kib, err == nil
		}
	}
	return 0, false // a zombie has no memory left to report
}

// childrenOf lists the children of every thread of pid.
func childrenOf(pid int) []int {
	tasks, err := os.ReadDir("/proc/" + strconv.Itoa(pid) + "/task")
	if err != nil {
		return nil
	}
	var out []int
	for _, task := range tasks {
		data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/task/" + task.Name() + "/children")
		if err != nil {
			continue
		}
		for _, f := range strings.Fields(string(data)) {
			if child, err := strconv.Atoi(f); err == nil {
				out = append(out, child)
			}
		}
	}
	return out
}
