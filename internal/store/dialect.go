package store

import (
	"context"
	"database/sql"
	"embed"
	"strconv"
	"strings"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// dialect is what differs between SQLite and PostgreSQL. Queries are written
// once with ? placeholders, and migrations once with ${ID}, ${INT64} and
// ${BYTES} column types.
type dialect struct {
	name string
	// columnTypes expands the column-type placeholders of a migration.
	columnTypes *strings.Replacer
	// rebind rewrites ? placeholders to the dialect's form.
	rebind func(string) string
	// lockWriters serialises writers for the rest of tx: lifecycle updates
	// read then write, and two scans saving at once must not interleave.
	lockWriters func(ctx context.Context, tx *sql.Tx) error
	// skipLocked ends a SELECT whose rows are about to be claimed, so
	// concurrent claimers pass over each other's rows instead of waiting
	// or taking them twice. SQLite needs none: its write lock, taken at
	// BEGIN, already admits one claimer at a time.
	skipLocked string
}

var sqliteDialect = dialect{
	name: "sqlite",
	// INTEGER is 64-bit in SQLite, and INTEGER PRIMARY KEY is the rowid.
	columnTypes: strings.NewReplacer("${ID}", "INTEGER PRIMARY KEY AUTOINCREMENT", "${INT64}", "INTEGER", "${BYTES}", "BLOB"),
	rebind:      func(q string) string { return q },
	// _txlock=immediate already took the database write lock at BEGIN.
	lockWriters: func(context.Context, *sql.Tx) error { return nil },
}

// writerLockID is an arbitrary constant naming sagekey's advisory lock.
const writerLockID = 0x5a6e_4b65_7901

var postgresDialect = dialect{
	name:        "postgres",
	columnTypes: strings.NewReplacer("${ID}", "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY", "${INT64}", "BIGINT", "${BYTES}", "BYTEA"),
	rebind:      dollarPlaceholders,
	skipLocked:  " FOR UPDATE SKIP LOCKED",
	lockWriters: func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", int64(writerLockID))
		return err
	},
}

// dollarPlaceholders turns ? into $1, $2, ... (queries here never contain a
// literal question mark).
func dollarPlaceholders(q string) string {
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
