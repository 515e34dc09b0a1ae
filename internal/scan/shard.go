package scan

import (
	"context"
	"log/slog"

	"github.com/sagekey/sagekey/internal/awsclient"
	"github.com/sagekey/sagekey/internal/inventory"
	"github.com/sagekey/sagekey/internal/shard"
	"github.com/sagekey/sagekey/internal/store"
)

// ownedUnits keeps the (account, region) units this shard owns. It runs
// after accounts and regions are resolved — with --regions all the units
// are not known before — and before collection, so a shard reads nothing
// it does not own, and the scope built from what it keeps lists only its
// units: the history lifecycle, which is scope-aware, then marks no other
// shard's findings deleted.
//
// An account that could not be reached has no regions to split; its gap
// goes to the shard owning (account, ""), so a sweep reports it once. The
// accounts returned are those with an owned unit or an owned gap, for the
// report's account list.
func ownedUnits(s shard.Spec, accounts []awsclient.Account, reached []reachedAccount, gaps []inventory.Gap) ([]awsclient.Account, []reachedAccount, []inventory.Gap) {
	if s.Count <= 1 {
		return accounts, reached, gaps
	}
	keep := map[string]bool{}
	var outReached []reachedAccount
	for _, a := range reached {
		var regions []string
		for _, r := range a.regions {
			if s.Owns(a.ID, r) {
				regions = append(regions, r)
			}
		}
		if len(regions) == 0 {
			continue
		}
		a.regions = regions
		outReached = append(outReached, a)
		keep[a.ID] = true
	}
	var outGaps []inventory.Gap
	for _, g := range gaps {
		if s.Owns(g.Account, "") {
			outGaps = append(outGaps, g)
			keep[g.Account] = true
		}
	}
	var outAccounts []awsclient.Account
	for _, a := range accounts {
		if keep[a.ID] {
			outAccounts = append(outAccounts, a)
		}
	}
	return outAccounts, outReached, outGaps
}

// sweepSaver records the run's shard of a sweep before storing it, so the
// sweep's runs can be found and merged later.
type sweepSaver struct {
	Saver
	shard store.RunShard
}

func (s sweepSaver) SaveRun(ctx context.Context, rec store.RunRecord) (int64, error) {
	sh := s.shard
	rec = withoutKeyFindings(rec)
	rec.Run.Shard = &sh
	return s.Saver.SaveRun(ctx, rec)
}

// saver is o.Store, recording the sweep when the scan is a shard of one.
func (o Options) saver() Saver {
	if o.Store == nil || !o.Shard.Sharded() {
		return o.Store
	}
	return sweepSaver{Saver: o.Store, shard: store.RunShard{Sweep: o.Sweep, Index: o.Shard.Index, Count: o.Shard.Count}}
}

func logShard(ctx context.Context, o Options, reached []reachedAccount) {
	if o.Shard.Sharded() {
		units := 0
		for _, a := range reached {
			units += len(a.regions)
		}
		slog.InfoContext(ctx, "scanning this shard's units", "sweep", o.Sweep, "shard", o.Shard.String(), "units", units)
	}
}

// judgeSweep judges the sweep's keys when this shard's run completed it.
func (o Options) judgeSweep(ctx context.Context, res *Result) error {
	st, ok := o.Store.(sweepStore)
	if !o.Shard.Sharded() || !ok || res.Report.RunID == 0 || ctx.Err() != nil {
		return nil
	}
	_, err := judgeSweepKeys(ctx, st, o.Sweep, o.Settings, o.Settings.OwnerTag)
	return err
}
