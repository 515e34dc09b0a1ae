package store_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/sagekey/sagekey/internal/store"
)

// postgresEnv names the admin URL of a PostgreSQL server for the conformance
// suite. .ci/run starts one on loopback and sets it.
const postgresEnv = "SAGEKEY_TEST_POSTGRES_URL"

// backend opens a fresh, empty store of one kind; each call is isolated.
type backend struct {
	name string
	// dsn returns the DSN of a new empty database.
	dsn func(t *testing.T) string
}

func backends(t *testing.T) []backend {
	return []backend{
		{name: "sqlite", dsn: func(t *testing.T) string { return filepath.Join(t.TempDir(), "history.db") }},
		{name: "postgres", dsn: postgresDatabase},
	}
}

// postgresDatabase creates a throwaway database on the test server and drops
// it when the test ends. Without a server the test is skipped locally and
// fails under CI, which must never skip silently.
func postgresDatabase(t *testing.T) string {
	t.Helper()
	admin := os.Getenv(postgresEnv)
	if admin == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set: CI must run the PostgreSQL conformance suite (.ci/run starts the server)", postgresEnv)
		}
		t.Skipf("PostgreSQL conformance skipped: set %s to a server's admin URL (see .ci/run)", postgresEnv)
	}
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatalf("%s: %v", postgresEnv, err)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "sagekey_test_" + hex.EncodeToString(b[:])
	db, err := sql.Open("pgx", admin)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		if _, err := db.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop test database: %v", err)
		}
	})
	u.Path = "/" + name
	return u.String()
}

func open(t *testing.T, dsn string) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// forEachBackend runs the same conformance test against every backend.
func forEachBackend(t *testing.T, test func(t *testing.T, dsn string)) {
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) { test(t, b.dsn(t)) })
	}
}
