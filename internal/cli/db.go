package cli

import (
	"context"
	"fmt"
	"os"

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

func (o *dbOptions) open(ctx context.Context) (*store.Store, error) {
	dsn := o.path
	if dsn == "" {
		dsn = os.Getenv(dbEnv)
	}
	if dsn == "" {
		var err error
		if dsn, err = store.DefaultPath(); err != nil {
			return nil, err
		}
	}
	st, err := store.Open(ctx, dsn)
	if err != nil {
		return nil, fmt.Errorf("history store: %w", err)
	}
	return st, nil
}
