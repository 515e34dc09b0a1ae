package scan

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/sagekey/sagekey/internal/engine"
	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/history"
	"github.com/sagekey/sagekey/internal/keys"
	"github.com/sagekey/sagekey/internal/report"
	"github.com/sagekey/sagekey/internal/rules"
	"github.com/sagekey/sagekey/internal/store"
	"github.com/sagekey/sagekey/internal/version"
)

// A key's findings are judged on every resource it protects (who else
// uses it, whose roles its policy must grant). A shard sees only its own
// units' resources, so a key used across shards would be judged by each
// shard on a different part of its blast radius, and its stored findings
// would flap from shard to shard: opened by one, resolved by the next.
//
// So a shard stores no key finding, and the shard that completes a sweep
// judges the keys once on the merged snapshots of every shard, storing
// the verdicts as a targeted run over the units whose keys were seen
// completely. A key is still resolved once per shard that uses it; only
// its judgement waits for the whole sweep.

// sweepStore is what judging a sweep's keys reads and writes;
// *store.Store satisfies it.
type sweepStore interface {
	Saver
	SweepRuns(ctx context.Context, sweepID string) ([]store.Run, error)
	Snapshot(ctx context.Context, runID int64) (store.Snapshot, error)
}

var _ sweepStore = (*store.Store)(nil)

// withoutKeyVerdicts drops a shard's key findings from its report: they
// would be judged on part of each key's blast radius (see above).
func withoutKeyVerdicts(ctx context.Context, fs finding.List) finding.List {
	n := fs.Len()
	fs = fs.Where(func(f *finding.Finding) bool { return f.Resource.Kind != rules.KeyKind })
	if n > fs.Len() {
		slog.InfoContext(ctx, "key findings are judged once every shard of the sweep is stored (sagekey report shows them)", "left_out", n-fs.Len())
	}
	return fs
}

// withoutKeyFindings is a shard's run record as it is stored: the key
// findings left out and the key checks deferred to the sweep's judgement.
func withoutKeyFindings(rec store.RunRecord) store.RunRecord {
	observed := rec.Observed()
	// Positions change once key findings are left out: the save makes
	// every observation in each pass instead (a shard's share of them).
	rec.Observations, rec.ObserveAt = nil, nil
	rec.Observe = func(yield func(history.Observation) bool) {
		for o := range observed {
			if o.Kind != rules.KeyKind && !yield(o) {
				return
			}
		}
	}
	sc := &rec.Run.Scope
	for _, id := range sc.Checks {
		if isKeyCheck(id) {
			sc.Deferred = append(sc.Deferred, id)
		}
	}
	sc.Checks = slices.DeleteFunc(slices.Clone(sc.Checks), isKeyCheck)
	counts := map[finding.Status]int{}
	for o := range rec.Observe {
		counts[o.Status]++
	}
	rec.Run.Counts = counts
	return rec
}

func isKeyCheck(id string) bool {
	for _, r := range rules.All() {
		if r.ID == id {
			return r.Kind == rules.KeyKind
		}
	}
	return false
}

// judgeSweepKeys stores the key findings of a sweep once every shard is
// stored, and returns the run id (0 when shards are still missing). Two
// shards finishing together may both judge; the second run observes the
// same verdicts and changes nothing.
func judgeSweepKeys(ctx context.Context, st sweepStore, sweep string, settings engine.Settings, ownerTag string) (int64, error) {
	runs, err := st.SweepRuns(ctx, sweep)
	if err != nil {
		return 0, err
	}
	sets := store.GroupSweeps(runs)
	if len(sets) != 1 || !sets[0].Complete() {
		slog.InfoContext(ctx, "keys are judged once every shard of the sweep is stored", "sweep", sweep)
		return 0, nil
	}
	set := sets[0]
	snaps := make([]store.Snapshot, 0, len(set.Latest))
	for _, r := range set.Latest {
		snap, err := st.Snapshot(ctx, r.ID)
		if err != nil {
			return 0, fmt.Errorf("sweep %s: run %d: %w", sweep, r.ID, err)
		}
		snaps = append(snaps, snap)
	}
	merged := store.MergeSnapshots(snaps)
	var checks []string
	for _, r := range engine.Select(rules.All(), settings.Checks, settings.SkipChecks) {
		if r.Kind == rules.KeyKind {
			checks = append(checks, r.ID)
		}
	}
	if len(checks) == 0 {
		return 0, nil
	}
	started := time.Now()
	judge := settings
	judge.Checks, judge.SkipChecks = checks, nil
	if judge.Now.IsZero() {
		judge.Now = started
	}
	found := engine.Evaluate(merged.Inventory, keys.SetFrom(merged.Keys, merged.KeyRefs), judge)
	found = slices.DeleteFunc(found, func(f finding.Finding) bool { return f.Resource.Kind != rules.KeyKind })
	res := &Result{
		Report: &report.Report{Started: started, Finished: time.Now(), ToolVersion: version.String(), Findings: finding.NewList(found)},
		Keys:   merged.Keys, KeyRefs: merged.KeyRefs,
		Scope: sweepKeyScope(sweep, set.Latest, checks),
	}
	res.Report.Accounts, res.Report.Regions = res.Scope.Accounts, res.Scope.Regions
	id, err := st.SaveRun(ctx, Record(res, ownerTag))
	if err != nil {
		return 0, fmt.Errorf("storing the sweep's key findings: %w", err)
	}
	slog.InfoContext(ctx, "sweep complete: keys judged on every shard's resources", "sweep", sweep, "run", id,
		"keys", len(merged.Keys), "findings", len(found))
	return id, nil
}

// sweepKeyScope covers the key findings of every unit whose keys a shard
// saw completely (every collector of the unit finished without a gap).
func sweepKeyScope(sweep string, runs []store.Run, checks []string) history.Scope {
	sc := history.Scope{Targeted: true, Sweep: sweep, Checks: checks, Accounts: []string{}, Regions: []string{}, Complete: []history.Coverage{}}
	for _, r := range runs {
		sc.Accounts = append(sc.Accounts, r.Scope.Accounts...)
		sc.Regions = append(sc.Regions, r.Scope.Regions...)
		for _, c := range r.Scope.Complete {
			if slices.Contains(c.Kinds, rules.KeyKind) {
				sc.Complete = append(sc.Complete, history.Coverage{Account: c.Account, Region: c.Region, Kinds: []string{rules.KeyKind}})
			}
		}
	}
	for _, l := range []*[]string{&sc.Accounts, &sc.Regions} {
		slices.Sort(*l)
		*l = slices.Compact(*l)
	}
	return sc
}
