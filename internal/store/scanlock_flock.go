//go:build linux || darwin || dragonfly || freebsd || illumos || netbsd || openbsd

package store

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"syscall"
)

// tryFileLock takes an exclusive, non-blocking flock on path. flock locks
// belong to the open file, so two opens in one process exclude each other
// just as two processes do.
func tryFileLock(path string) (func(), bool, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, false, fmt.Errorf("scan lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, false, nil
		}
		return nil, false, fmt.Errorf("scan lock %s: %w", path, err)
	}
	var once sync.Once
	return func() {
		// Closing the descriptor releases the lock.
		once.Do(func() { f.Close() })
	}, true, nil
}
