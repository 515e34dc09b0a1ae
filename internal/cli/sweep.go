package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"

	"github.com/sagekey/sagekey/internal/store"
)

// storedTarget is what report and remediate render: one unsharded run, or
// the latest run of each shard of a sweep, read as one scan.
type storedTarget struct {
	Runs  []store.Run
	Sweep *store.SweepSet // nil for a single run
}

// pickStored chooses the scan to render for --run id (0: the latest). A
// sweep is one scan only once every shard is stored; until then the
// previous complete one stands, and the log says which shards are missing.
func pickStored(ctx context.Context, st *store.Store, id int64) (storedTarget, error) {
	if id == 0 {
		runs, err := st.Runs(ctx)
		if err != nil {
			return storedTarget{}, err
		}
		if len(runs) == 0 {
			return storedTarget{}, usagef("no stored scan: run sagekey scan first")
		}
		return latestTarget(ctx, runs), nil
	}
	run, err := st.Run(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return storedTarget{}, usagef("--run %d: no such stored scan (see sagekey history)", id)
	}
	if err != nil || run.Shard == nil {
		return storedTarget{Runs: []store.Run{run}}, err
	}
	sweepRuns, err := st.SweepRuns(ctx, run.Shard.Sweep)
	if err != nil {
		return storedTarget{}, err
	}
	sets := store.GroupSweeps(sweepRuns)
	if len(sets) != 1 || !sets[0].Complete() {
		slog.WarnContext(ctx, fmt.Sprintf("run %d is shard %d/%d of sweep %s, which %s; showing this run alone",
			id, run.Shard.Index, run.Shard.Count, run.Shard.Sweep, missingText(sets)))
		return storedTarget{Runs: []store.Run{run}}, nil
	}
	set := sets[0]
	slog.InfoContext(ctx, fmt.Sprintf("run %d is shard %d/%d of sweep %s; showing the whole sweep (runs %s)",
		id, run.Shard.Index, run.Shard.Count, set.Status.ID, runList(set.Latest)))
	return storedTarget{Runs: set.Latest, Sweep: &set}, nil
}

// latestTarget is the newest complete sweep or unsharded run, "newer"
// meaning stored later. When a newer sweep is still missing shards, the
// log names them and what is shown instead; with nothing complete at all,
// the stored shards of the newest sweep are the best there is.
func latestTarget(ctx context.Context, runs []store.Run) storedTarget {
	var (
		best, newestOpen storedTarget
		bestAt, openAt   int64
	)
	for _, r := range runs {
		if r.Shard == nil && r.ID > bestAt {
			best, bestAt = storedTarget{Runs: []store.Run{r}}, r.ID
		}
	}
	for _, set := range store.GroupSweeps(runs) {
		t := storedTarget{Runs: set.Latest, Sweep: &set}
		switch {
		case set.Complete() && set.Last > bestAt:
			best, bestAt = t, set.Last
		case !set.Complete() && set.Last > openAt:
			newestOpen, openAt = t, set.Last
		}
	}
	if openAt <= bestAt {
		return best
	}
	open := newestOpen.Sweep
	if bestAt == 0 {
		slog.WarnContext(ctx, fmt.Sprintf("sweep %s %s and no complete sweep or unsharded run is stored; "+
			"showing its stored shards (runs %s)", open.Status.ID, missingText([]store.SweepSet{*open}), runList(open.Latest)))
		return newestOpen
	}
	slog.WarnContext(ctx, fmt.Sprintf("sweep %s %s; showing %s", open.Status.ID,
		missingText([]store.SweepSet{*open}), best.previousLabel()))
	return best
}

func (t storedTarget) previousLabel() string {
	if t.Sweep != nil {
		return "the previous complete sweep " + t.Sweep.Status.ID
	}
	return fmt.Sprintf("the latest unsharded run %d", t.Runs[0].ID)
}

// missingText says what keeps a sweep from being read as one scan.
func missingText(sets []store.SweepSet) string {
	if len(sets) != 1 {
		return "has no stored runs"
	}
	st := sets[0].Status
	if st.Mismatched {
		return fmt.Sprintf("has runs that disagree on the shard count (largest %d)", st.Count)
	}
	return "is missing shards " + joinInts(st.Missing)
}

func joinInts(xs []int) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = strconv.Itoa(x)
	}
	return strings.Join(s, ", ")
}

func runList(runs []store.Run) string {
	s := make([]string, len(runs))
	for i, r := range runs {
		s[i] = strconv.FormatInt(r.ID, 10)
	}
	return strings.Join(s, ", ")
}
