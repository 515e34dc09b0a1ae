package store

import (
	"context"
	"database/sql/driver"
	"fmt"
	"sync"
	"time"
)

// ScanLockID is the key of the PostgreSQL session advisory lock that admits
// one scan at a time across every sagekey sharing a database. It differs
// from the writer lock's key, which is taken per transaction while saving:
// a replica holding the scan lock must still be able to save, and others to
// save alert deliveries, while its scan runs.
const ScanLockID int64 = 0x5a6e_4b65_7902

// scanLockSuffix names the SQLite scan lock file beside the database.
const scanLockSuffix = ".scanlock"

// releaseTimeout bounds the unlock at release, which runs with its own
// context because the caller's is often cancelled by then (SIGTERM).
const releaseTimeout = 5 * time.Second

// TryScanLock takes the cross-process scan lock without waiting: ok is false
// when another holder (another replica, process or Store, or an earlier call
// on this Store) has it. On success, release frees it; calling release again
// does nothing. The lock is not re-entrant.
//
// On PostgreSQL it is a session-level advisory lock (pg_try_advisory_lock
// with ScanLockID) held on a connection taken out of the pool until release.
// On SQLite it is an exclusive flock on "<database path>.scanlock" (the file
// is left in place: removing it would let a waiter lock a file no one else
// sees). Either way a holder that crashes loses the lock with its process:
// PostgreSQL releases it when the session's connection closes, and the OS
// when the file descriptor closes. A PostgreSQL connection that drops also
// releases it, so a holder must not assume it for longer than the session.
func (s *Store) TryScanLock(ctx context.Context) (release func(), ok bool, err error) {
	if s.d.name == postgresDialect.name {
		return s.tryAdvisoryScanLock(ctx)
	}
	return tryFileLock(s.Location + scanLockSuffix)
}

func (s *Store) tryAdvisoryScanLock(ctx context.Context) (func(), bool, error) {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, false, fmt.Errorf("scan lock: %w", err)
	}
	var got bool
	if err := conn.QueryRowContext(ctx, "SELECT pg_try_advisory_lock($1)", ScanLockID).Scan(&got); err != nil {
		discard(conn.Raw)
		return nil, false, fmt.Errorf("scan lock: %w", err)
	}
	if !got {
		conn.Close()
		return nil, false, nil
	}
	var once sync.Once
	release := func() {
		once.Do(func() {
			ctx, cancel := context.WithTimeout(context.Background(), releaseTimeout)
			defer cancel()
			var unlocked bool
			if err := conn.QueryRowContext(ctx, "SELECT pg_advisory_unlock($1)", ScanLockID).Scan(&unlocked); err != nil || !unlocked {
				// The session may still hold the lock: close the
				// connection rather than hand it back to the pool,
				// which would keep the lock with no one to free it.
				discard(conn.Raw)
				return
			}
			conn.Close()
		})
	}
	return release, true, nil
}

// discard closes a pooled connection for good: database/sql drops a
// connection whose Raw callback reports driver.ErrBadConn.
func discard(raw func(func(any) error) error) {
	_ = raw(func(any) error { return driver.ErrBadConn })
}
