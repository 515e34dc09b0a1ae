// Package storetest gives tests a fresh, empty PostgreSQL database on the
// test server named by SAGEKEY_TEST_POSTGRES_URL (.ci/run starts one). It is
// shared by the store's conformance suite and the end-to-end CLI tests.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver
)

// Env names the admin URL of the PostgreSQL server used by tests.
const Env = "SAGEKEY_TEST_POSTGRES_URL"

// PostgresDatabase creates a throwaway database and returns its URL; it is
// dropped when the test ends. Without a server the test is skipped locally
// and fails under CI=true, which must never skip silently.
func PostgresDatabase(t testing.TB) string {
	t.Helper()
	admin := os.Getenv(Env)
	if admin == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set: CI must run the PostgreSQL tests (.ci/run starts the server)", Env)
		}
		t.Skipf("PostgreSQL test skipped: set %s to a server's admin URL (bash .ci/postgres start DIR prints one)", Env)
	}
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatalf("%s: %v", Env, err)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "sagekey_test_" + hex.EncodeToString(b[:])
	db, err := sql.Open("pgx", admin)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.ExecContext(context.Background(), "CREATE DATABASE "+name); err != nil {
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
