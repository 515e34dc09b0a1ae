//go:build !linux

package bench

// treeHWM cannot be read without Linux's /proc: the watch falls back to
// rusage.
func treeHWM(int) (int64, bool) { return 0, false }
