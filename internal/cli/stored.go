package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/sagekey/sagekey/internal/engine"
	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/keys"
	"github.com/sagekey/sagekey/internal/report"
	"github.com/sagekey/sagekey/internal/store"
)

// storedScan is a stored scan evaluated again. Evaluation is pure, so the
// findings are those the scan reported, under today's suppressions. A
// complete sweep is one scan: Run and Snapshot are its shards' merged.
type storedScan struct {
	Run      store.Run
	Snapshot store.Snapshot
	Findings []finding.Finding
	// Sweep is the sweep read as this scan; nil for a single run.
	Sweep *store.SweepSet
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

// loadStoredScan reads run id (0: the latest), or the complete sweep it
// is a shard of, and evaluates its snapshot with the checks that scan ran.
func loadStoredScan(ctx context.Context, st *store.Store, id int64, configPath string, e Env) (storedScan, error) {
	target, err := pickStored(ctx, st, id)
	if err != nil {
		return storedScan{}, err
	}
	snaps := make([]store.Snapshot, len(target.Runs))
	for i, r := range target.Runs {
		if snaps[i], err = st.Snapshot(ctx, r.ID); err != nil {
			return storedScan{}, err
		}
	}
	run, snap := target.Runs[0], snaps[0]
	if target.Sweep != nil {
		// Evaluated once over the whole estate, so what spans units (a
		// key's blast radius, its users) reads as an unsharded scan's.
		run, snap = mergeRuns(target.Runs), store.MergeSnapshots(snaps)
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
	return storedScan{Run: run, Snapshot: snap, Findings: fs, Sweep: target.Sweep}, nil
}

// Label names the scan in messages: "run 7" or "sweep S (runs 5, 6)".
func (s storedScan) Label() string {
	if s.Sweep != nil {
		return fmt.Sprintf("sweep %s (runs %s)", s.Sweep.Status.ID, runList(s.Sweep.Latest))
	}
	return fmt.Sprintf("run %d", s.Run.ID)
}

// trendTo is the time the compliance trend runs up to: the scan's start,
// or for a sweep its last shard's, so the sweep's own point is on it.
func (s storedScan) trendTo() time.Time {
	if s.Sweep == nil {
		return s.Run.Started
	}
	var last time.Time
	for _, r := range s.Sweep.Latest {
		if r.Started.After(last) {
			last = r.Started
		}
	}
	return last
}

// Report is the stored scan as the scan reported it, less the API-call
// counts, which are not stored.
func (s storedScan) Report() *report.Report {
	return &report.Report{
		Started: s.Run.Started, Finished: s.Run.Finished, RunID: s.Run.ID, ToolVersion: s.Run.ToolVersion,
		Accounts: s.Run.Scope.Accounts, Regions: s.Run.Scope.Regions, Since: s.Run.Scope.Since,
		Gaps: s.Snapshot.Inventory.Gaps, Findings: finding.NewList(s.Findings),
	}
}
