package serve

import (
	"context"
	"log/slog"
	"slices"
	"time"

	"github.com/sagekey/sagekey/internal/alert/detect"
	"github.com/sagekey/sagekey/internal/history"
	"github.com/sagekey/sagekey/internal/store"
	"github.com/sagekey/sagekey/internal/trail"
	"github.com/sagekey/sagekey/internal/trailscan"
)

// maxCatchUp bounds how many stored runs one cycle alerts on: after a
// long outage people need the latest changes, not a replay of each scan.
const maxCatchUp = 3

// firstTrailWindow is how far back CloudTrail alerts reach the first time:
// older events are history, not news.
const firstTrailWindow = 24 * time.Hour

// startMarks records, the first time serve runs on a store, that the scans
// already there are history: alerts start with the next scan.
func (s *server) startMarks(ctx context.Context) error {
	if _, ok, err := s.o.Store.ServeMark(ctx, store.MarkAlertedRun); err != nil || ok {
		return err
	}
	runs, err := s.o.Store.Runs(ctx)
	if err != nil {
		return err
	}
	var latest int64
	if scans := store.Scans(runs); len(scans) > 0 {
		latest = scans[len(scans)-1].ID
	}
	return s.o.Store.SetServeMark(ctx, store.MarkAlertedRun, latest)
}

// alertRuns enqueues the alerts of every stored scan not alerted on yet,
// each against the scan before it, then advances the mark. A complete
// sweep is one scan, alerted once its last shard is stored. A scan stored
// by a replica that crashed before enqueueing, or by another process (a
// sweep's shards), is caught up here; alert ids are stable, so a scan
// alerted twice sends nothing twice.
func (s *server) alertRuns(ctx context.Context) error {
	s.alerting.Lock()
	defer s.alerting.Unlock()
	done, _, err := s.o.Store.ServeMark(ctx, store.MarkAlertedRun)
	if err != nil {
		return err
	}
	runs, err := s.o.Store.Runs(ctx)
	if err != nil {
		return err
	}
	scans := store.Scans(runs)
	var pending []int
	for i, sc := range scans {
		if sc.ID > done {
			pending = append(pending, i)
		}
	}
	if len(pending) == 0 {
		return nil
	}
	if len(pending) > maxCatchUp {
		slog.Warn("alerting only on the latest scans", "skipped", len(pending)-maxCatchUp)
		pending = pending[len(pending)-maxCatchUp:]
	}
	episodes, err := s.o.Store.Episodes(ctx)
	if err != nil {
		return err
	}
	var all []store.Run // targeted runs too, for a sweep's key judgement
	if slices.ContainsFunc(pending, func(i int) bool { return scans[i].Sweep != nil }) {
		if all, err = s.o.Store.AllRuns(ctx); err != nil {
			return err
		}
	}
	for _, i := range pending {
		if err := s.alertScan(ctx, scans, i, episodes, all); err != nil {
			return err
		}
		if err := s.o.Store.SetServeMark(ctx, store.MarkAlertedRun, scans[i].ID); err != nil {
			return err
		}
	}
	return nil
}

func (s *server) alertScan(ctx context.Context, scans []store.Scan, i int, episodes []history.Episode, all []store.Run) error {
	cur, err := s.loaded.load(ctx, scans[i].ID, s.o.Load)
	if err != nil {
		return err
	}
	var prev detect.Input
	if i > 0 {
		p, err := s.loaded.load(ctx, scans[i-1].ID, s.o.Load)
		if err != nil {
			return err
		}
		prev = inputOf(p, episodes)
		// A key an event-driven check already saw go down was alerted then.
		prev.KeyStates = s.keyStates.overlay(prev.KeyStates, scans[i-1].ID, scans[i].ID)
	}
	in := inputOf(cur, episodes)
	if scans[i].Sweep != nil {
		// The violations a sweep opened were opened by its shards' runs
		// and its key judgement: they are this scan's.
		in.Episodes = asOpenedBy(episodes, scans[i].RunIDs(all), in.RunID)
	}
	return s.enqueue(ctx, detect.Detect(prev, in, s.o.Detect))
}

// asOpenedBy is episodes with those opened by one of runs marked opened by
// run, leaving the others as they are.
func asOpenedBy(episodes []history.Episode, runs []int64, run int64) []history.Episode {
	out := slices.Clone(episodes)
	for i := range out {
		if slices.Contains(runs, out[i].OpenedRun) {
			out[i].OpenedRun = run
		}
	}
	return out
}

// inputOf is what detection needs of a stored scan.
func inputOf(s Stored, episodes []history.Episode) detect.Input {
	in := detect.Input{RunID: s.Run.ID, At: s.Run.Started, Gaps: s.Snapshot.Inventory.Gaps,
		Findings: s.Findings, KeyStates: map[string]string{}, Episodes: episodes}
	for _, k := range s.Snapshot.Keys {
		in.KeyStates[k.ARN] = k.State
	}
	return in
}

// alertTrail enqueues alerts for key lifecycle events and denial spikes
// CloudTrail recorded since the last time, then advances the mark.
func (s *server) alertTrail(ctx context.Context) error {
	now := s.now()
	since, err := s.o.Store.ServeTime(ctx, store.MarkTrailAlerted)
	if err != nil {
		return err
	}
	if since.IsZero() {
		since = now.Add(-firstTrailWindow)
	}
	baseline := s.o.TrailDetect.Baseline
	if baseline <= 0 {
		baseline = 7 * 24 * time.Hour
	}
	// A day's denials are compared with the days before it.
	agg, err := s.o.Store.Trail(ctx, trail.Filter{From: trail.Day(since).Add(-baseline - 24*time.Hour), To: now})
	if err != nil {
		return err
	}
	opts := s.o.TrailDetect
	if opts.Protects == nil {
		// The blast radius of a key event is what the latest scan says the
		// key protects.
		estate, err := trailscan.LatestEstate(ctx, s.o.Store)
		if err != nil {
			return err
		}
		opts.Protects = estate.Protects
	}
	if err := s.enqueue(ctx, detect.DetectTrail(agg, since, now, opts)); err != nil {
		return err
	}
	return s.o.Store.SetServeTime(ctx, store.MarkTrailAlerted, now)
}
