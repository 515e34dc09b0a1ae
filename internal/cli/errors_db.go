package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/sagekey/sagekey/internal/store"
)

// dbHint is how to get past a store that cannot be opened.
const dbHint = "pass another --db or set SAGEKEY_DB (scan also takes --no-store)"

// dbError is a history database that could not be opened, explained in one
// line; Err keeps the driver's error (pgx's spans several lines, SQLite's
// says "out of memory" for a file it may not create) for errors.Is/As and
// --log-level debug.
type dbError struct {
	msg string
	err error
}

func (e *dbError) Error() string { return e.msg }
func (e *dbError) Unwrap() error { return e.err }

// explainStoreOpen turns store.Open's failure to reach the database into a
// dbError; any other failure (a newer schema, a failed migration) already
// names the database and is returned as it is.
func explainStoreOpen(ctx context.Context, dsn string, err error) error {
	var why string
	if store.IsPostgres(dsn) {
		why = postgresProblem(err)
	} else {
		why = sqliteProblem(strings.TrimPrefix(dsn, "sqlite://"), err)
	}
	if why == "" {
		return err
	}
	slog.DebugContext(ctx, "history database error detail", "error", err)
	return &dbError{msg: fmt.Sprintf("cannot open the history database %s: %s; %s", location(dsn), why, dbHint), err: err}
}

// location is the database as it may be printed: a URL without its password.
func location(dsn string) string {
	if !store.IsPostgres(dsn) {
		return strings.TrimPrefix(dsn, "sqlite://")
	}
	if u, err := url.Parse(dsn); err == nil {
		return u.Redacted()
	}
	return "the PostgreSQL database"
}

func postgresProblem(err error) string {
	var dns *net.DNSError
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused (is PostgreSQL running there?)"
	case errors.As(err, &dns) && dns.IsNotFound:
		return "host " + dns.Name + " not found"
	}
	return ""
}

// sqliteProblem finds why SQLite could not open path by asking the file
// system the same question, since SQLite's own answer is a bare
// "unable to open database file".
func sqliteProblem(path string, err error) string {
	var pathErr *fs.PathError
	if errors.As(err, &pathErr) { // the store could not create the directory
		return pathErr.Error()
	}
	info, statErr := os.Stat(path)
	switch {
	case statErr == nil && info.IsDir():
		return "it is a directory, not a file"
	case statErr == nil:
		f, openErr := os.OpenFile(path, os.O_RDWR, 0)
		if openErr != nil {
			return openErr.Error()
		}
		f.Close()
	case errors.Is(statErr, fs.ErrNotExist):
		// SQLite creates the file, so the directory must take a new one.
		dir := filepath.Dir(path)
		probe, createErr := os.CreateTemp(dir, ".sagekey-probe-*")
		if createErr != nil {
			// Not the probe's random name: the directory is what to fix.
			var pe *fs.PathError
			if errors.As(createErr, &pe) {
				createErr = pe.Err
			}
			return fmt.Sprintf("cannot create a file in %s: %v", dir, createErr)
		}
		probe.Close()
		os.Remove(probe.Name())
	default:
		return statErr.Error()
	}
	return ""
}
