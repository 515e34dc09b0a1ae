//go:build !(linux || darwin || dragonfly || freebsd || illumos || netbsd || openbsd)

package store

import (
	"fmt"
	"runtime"
)

// tryFileLock has no flock(2) here: scheduled scans need PostgreSQL as the
// store on this OS.
func tryFileLock(string) (func(), bool, error) {
	return nil, false, fmt.Errorf("scan lock: SQLite file locks need flock(2), which %s lacks; use a PostgreSQL store", runtime.GOOS)
}
