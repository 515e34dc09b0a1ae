package store_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/sagekey/sagekey/internal/store"
	"github.com/sagekey/sagekey/internal/store/storetest"
)

// backend opens a fresh, empty store of one kind; each call is isolated.
type backend struct {
	name string
	// dsn returns the DSN of a new empty database.
	dsn func(t *testing.T) string
}

func backends(t *testing.T) []backend {
	return []backend{
		{name: "sqlite", dsn: func(t *testing.T) string { return filepath.Join(t.TempDir(), "history.db") }},
		{name: "postgres", dsn: func(t *testing.T) string { return storetest.PostgresDatabase(t) }},
	}
}

func open(t testing.TB, dsn string) *store.Store {
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
