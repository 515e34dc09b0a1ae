// Package store keeps scan history: every run with its scope, the findings
// it observed, its inventory snapshot, and the life of each finding
// (first/last seen, violations opened and resolved). It is one
// implementation over database/sql with two dialects: SQLite
// (modernc.org/sqlite, pure Go, the embedded default) and PostgreSQL (pgx)
// for teams. Schema migrations are embedded and run on Open.
//
// The store decides nothing: lifecycle transitions come from the pure
// history package, and KPIs are computed from what the store returns.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	_ "modernc.org/sqlite"             // registers the "sqlite" database/sql driver
)

// Store is an open history database.
type Store struct {
	db *sql.DB
	d  dialect
	// Location is where the store is, with any password removed.
	Location string
}

// IsPostgres reports whether dsn names a PostgreSQL database rather than a
// SQLite file.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Open opens (creating if needed) the store at dsn, a SQLite file path or a
// postgres:// URL, and brings its schema up to date.
func Open(ctx context.Context, dsn string) (*Store, error) {
	var (
		s   *Store
		err error
	)
	if IsPostgres(dsn) {
		s, err = openPostgres(dsn)
	} else {
		s, err = openSQLite(dsn)
	}
	if err != nil {
		return nil, err
	}
	if err := s.migrate(ctx); err != nil {
		s.db.Close()
		return nil, fmt.Errorf("history database %s: %w", s.Location, err)
	}
	return s, nil
}

func openSQLite(path string) (*Store, error) {
	path = strings.TrimPrefix(path, "sqlite://")
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("history database %s: cannot create its directory: %w", path, err)
		}
	}
	// WAL lets readers run beside a writer; busy_timeout makes a second
	// writer wait instead of failing; _txlock=immediate takes the write lock
	// when a transaction begins, so two scans saving at once serialise
	// cleanly instead of one failing on lock upgrade.
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(60000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	// 1 MiB of page cache per connection instead of SQLite's 2 MiB: a
	// save is one long sequential write and reads go through indexes, so
	// the larger cache bought no speed (a 300,000-finding save took 32 s
	// either way) while every open connection held it outside Go's heap.
	q.Add("_pragma", "cache_size(-1024)")
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("history database %s: %w", path, err)
	}
	return &Store{db: db, d: sqliteDialect, Location: path}, nil
}

func openPostgres(dsn string) (*Store, error) {
	loc := dsn
	if u, err := url.Parse(dsn); err == nil {
		loc = u.Redacted()
	}
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("history database %s: %w", loc, err)
	}
	return &Store{db: db, d: postgresDialect, Location: loc}, nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// DefaultPath is the SQLite file used when --db is not given:
// $XDG_DATA_HOME/sagekey/history.db, or ~/.local/share/sagekey/history.db.
func DefaultPath() (string, error) {
	if dir := os.Getenv("XDG_DATA_HOME"); dir != "" && filepath.IsAbs(dir) {
		return filepath.Join(dir, "sagekey", "history.db"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("no --db given and no home directory: %w", err)
	}
	return filepath.Join(home, ".local", "share", "sagekey", "history.db"), nil
}

// ErrNotFound is returned for a run id that is not stored.
var ErrNotFound = errors.New("not found")

// ms and fromMS convert times to the stored Unix milliseconds.
func ms(t time.Time) int64 { return t.UnixMilli() }

func fromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }

// nullMS stores a zero time as NULL.
func nullMS(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: ms(t), Valid: true}
}

func fromNullMS(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return fromMS(v.Int64)
}
