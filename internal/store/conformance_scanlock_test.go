package store_test

import (
	"context"
	"testing"

	"github.com/sagekey/sagekey/internal/store"
)

func tryScanLock(t *testing.T, s *store.Store) (func(), bool) {
	t.Helper()
	release, ok, err := s.TryScanLock(context.Background())
	if err != nil {
		t.Fatalf("try scan lock: %v", err)
	}
	return release, ok
}

// TestConformanceScanLock takes the scan lock from two Stores on one
// database, as two replicas would.
func TestConformanceScanLock(t *testing.T) {
	forEachBackend(t, func(t *testing.T, dsn string) {
		a, b := open(t, dsn), open(t, dsn)
		releaseA, ok := tryScanLock(t, a)
		if !ok {
			t.Fatal("first acquirer did not get the lock")
		}
		if _, ok := tryScanLock(t, b); ok {
			t.Fatal("second store got the lock while the first holds it")
		}
		if _, ok := tryScanLock(t, a); ok {
			t.Fatal("the holder got the lock a second time; it is not re-entrant")
		}
		releaseA()
		releaseA() // idempotent

		releaseB, ok := tryScanLock(t, b)
		if !ok {
			t.Fatal("second store did not get the lock after release")
		}
		if _, ok := tryScanLock(t, a); ok {
			t.Fatal("first store got the lock the second holds")
		}
		releaseB()
		// Released connections went back to the pool without the lock.
		for range 3 {
			release, ok := tryScanLock(t, a)
			if !ok {
				t.Fatal("lock not free after release")
			}
			release()
		}
	})
}
