package cli

import (
	"context"
	"os"
	"strings"

	"github.com/spf13/pflag"

	"github.com/sagekey/sagekey/internal/store"
)

// dbEnv overrides the default store location, for teams that point every
// sagekey at one PostgreSQL database.
const dbEnv = "SAGEKEY_DB"

// dbOptions binds --db (and, for scan, --no-store).
type dbOptions struct {
	path    string
	noStore bool
}

// register binds --db and, when noStoreHelp says what it keeps from being
// stored, --no-store.
func (o *dbOptions) register(f *pflag.FlagSet, noStoreHelp string) {
	f.StringVar(&o.path, "db", "", "scan history: a SQLite file or a postgres:// URL (default: $"+dbEnv+", else "+
		"$XDG_DATA_HOME/sagekey/history.db)")
	if noStoreHelp != "" {
		f.BoolVar(&o.noStore, "no-store", false, noStoreHelp)
	}
}

// dsn is the store to use: --db, else $SAGEKEY_DB, else the default file.
func (o *dbOptions) dsn() (string, error) {
	if o.path != "" {
		return o.path, nil
	}
	if env := os.Getenv(dbEnv); env != "" {
		return env, nil
	}
	return store.DefaultPath()
}

// exists reports whether the store is there to read: a PostgreSQL URL is
// taken to be, a SQLite file must exist (opening one creates it).
func (o *dbOptions) exists() bool {
	dsn, err := o.dsn()
	if err != nil {
		return false
	}
	if store.IsPostgres(dsn) {
		return true
	}
	_, err = os.Stat(strings.TrimPrefix(dsn, "sqlite://"))
	return err == nil
}

func (o *dbOptions) open(ctx context.Context) (*store.Store, error) {
	dsn, err := o.dsn()
	if err != nil {
		return nil, err
	}
	st, err := store.Open(ctx, dsn)
	if err != nil {
		// store.Open's errors name the database already.
		return nil, explainStoreOpen(ctx, dsn, err)
	}
	return st, nil
}
