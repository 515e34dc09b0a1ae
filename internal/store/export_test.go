package store

import "context"

// ForceSchemaVersionForTest records a migration this binary does not have,
// as a newer sagekey would.
func ForceSchemaVersionForTest(ctx context.Context, s *Store, v int) error {
	_, err := s.db.ExecContext(ctx, s.d.rebind("INSERT INTO schema_migrations (version, name, applied_ms) VALUES (?, 'future', 0)"), v)
	return err
}
