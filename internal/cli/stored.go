package cli

import (
	"context"
	"errors"

	"github.com/sagekey/sagekey/internal/engine"
	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/keys"
	"github.com/sagekey/sagekey/internal/report"
	"github.com/sagekey/sagekey/internal/store"
)

// storedScan is a stored scan evaluated again. Evaluation is pure, so the
// findings are those the scan reported, under today's suppressions.
type storedScan struct {
	Run      store.Run
	Snapshot store.Snapshot
	Findings []finding.Finding
}

// openStoredScan opens the store and loads run id (0: the latest) from it;
// the caller closes the store.
func openStoredScan(ctx context.Context, db dbOptions, id int64, configPath string, e Env) (*store.Store, storedScan, error) {
	st, err := db.open(ctx)
	if err != nil {
		return nil, storedScan{}, err
	}
	scanned, err := loadStoredScan(ctx, st, id, configPath, e)
	if err != nil {
		st.Close()
		return nil, storedScan{}, err
	}
	return st, scanned, nil
}

// loadStoredScan reads run id (0: the latest) and evaluates its snapshot
// with the checks that scan ran.
func loadStoredScan(ctx context.Context, st *store.Store, id int64, configPath string, e Env) (storedScan, error) {
	if id == 0 {
		runs, err := st.Runs(ctx)
		if err != nil {
			return storedScan{}, err
		}
		if len(runs) == 0 {
			return storedScan{}, usagef("no stored scan: run sagekey scan first")
		}
		id = runs[len(runs)-1].ID
	}
	run, err := st.Run(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return storedScan{}, usagef("--run %d: no such stored scan (see sagekey history)", id)
	}
	if err != nil {
		return storedScan{}, err
	}
	snap, err := st.Snapshot(ctx, id)
	if err != nil {
		return storedScan{}, err
	}
	settings, err := loadSettings(configPath)
	if err != nil {
		return storedScan{}, err
	}
	settings.Now = e.Now()
	if len(run.Scope.Checks) > 0 {
		// The checks that scan ran, not today's selection: a scan limited
		// to kms-key.* must not grow resource verdicts when read back.
		settings.Checks, settings.SkipChecks = run.Scope.Checks, nil
	}
	if err := withKeyDenials(ctx, st, run.Finished, &settings); err != nil {
		return storedScan{}, err
	}
	fs := engine.Evaluate(snap.Inventory, keys.SetFrom(snap.Keys, snap.KeyRefs), settings)
	return storedScan{Run: run, Snapshot: snap, Findings: fs}, nil
}

// Report is the stored scan as the scan reported it, less the API-call
// counts, which are not stored.
func (s storedScan) Report() *report.Report {
	return &report.Report{
		Started: s.Run.Started, Finished: s.Run.Finished, RunID: s.Run.ID, ToolVersion: s.Run.ToolVersion,
		Accounts: s.Run.Scope.Accounts, Regions: s.Run.Scope.Regions, Since: s.Run.Scope.Since,
		Gaps: s.Snapshot.Inventory.Gaps, Findings: s.Findings,
	}
}
