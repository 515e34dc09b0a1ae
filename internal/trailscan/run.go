// Package trailscan is the orchestrator of `sagekey trail`: the only package
// that knows every stage of reading a trail. It lists the units of the
// window from one source (S3 objects, local files, LookupEvents days or
// Athena results), skips those the store has read, reads the rest with
// bounded parallelism into per-unit aggregates judged against the latest
// stored scan, stores each batch of units in one transaction, and returns
// the window's aggregates as the store now holds them.
package trailscan

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/sagekey/sagekey/internal/awserr"
	"github.com/sagekey/sagekey/internal/inventory"
	"github.com/sagekey/sagekey/internal/trail"
)

// Window is what to read: a time range and, when not empty, accounts and
// regions.
type Window struct {
	From, To          time.Time
	Accounts, Regions []string
	// Known are the cells this source read in full in earlier runs (their
	// coverage is stored): a source may leave them unlisted.
	Known []trail.Coverage
}

// known indexes w.Known by cell.
func (w Window) known() map[string]bool {
	out := make(map[string]bool, len(w.Known))
	for _, c := range w.Known {
		out[cellKey(c.Account, c.Region, c.Day)] = true
	}
	return out
}

// Filter is the store filter of the window.
func (w Window) Filter() trail.Filter {
	return trail.Filter{From: w.From, To: w.To, Accounts: w.Accounts, Regions: w.Regions}
}

// Listing is what a source found for a window.
type Listing struct {
	Units []trail.Unit
	// Covered are the (account, region, day) cells whose listing
	// completed; a cell is stored as covered only if every unit in it was
	// read.
	Covered []trail.Coverage
	Gaps    []inventory.Gap
}

// Source is one place a trail is read from.
type Source interface {
	// Name identifies the source in stored units and coverage.
	Name() string
	// List returns the units of the window.
	List(ctx context.Context, w Window) (Listing, error)
	// Read folds one unit into agg. An error means the unit could not be
	// read as a whole; what it added to agg is discarded.
	Read(ctx context.Context, u trail.Unit, agg *trail.Aggregator) error
	// Reread reports whether a unit stored with etag must be read again
	// (a day that had not ended when it was read).
	Reread(u trail.Unit, storedETag string) bool
}

// Precomputed is a source that aggregates remotely (Athena): it returns
// every unit's aggregates at once instead of being read unit by unit.
type Precomputed interface {
	Name() string
	Results(ctx context.Context, w Window, c *trail.Context) ([]trail.UnitResult, Listing, error)
}

// Store is the history the trail is kept in; *store.Store satisfies it.
type Store interface {
	ScanSource
	TrailUnitsRead(ctx context.Context, source string) (map[string]string, error)
	SaveTrail(ctx context.Context, units []trail.UnitResult, coverage []trail.Coverage) error
	TrailCoverage(ctx context.Context, f trail.Filter) ([]trail.Coverage, error)
	Trail(ctx context.Context, f trail.Filter) (*trail.Aggregates, error)
}

// Options configure one run.
type Options struct {
	Window Window
	// Store keeps what is read and answers for the window; nil reads
	// without storing (--no-store), and the result is this run's alone.
	Store Store
	// Estate is the latest stored scan's keys and blast radius.
	Estate      Estate
	Guardrails  []string
	Concurrency int
	// BatchUnits is how many units one store transaction carries.
	BatchUnits int
}

// Stats count what this run did.
type Stats struct {
	// CellsKnown are the account × region × days earlier runs read in full,
	// which this run did not list again.
	CellsKnown int   `json:"cells_already_read"`
	Listed     int   `json:"units_listed"`
	Read       int   `json:"units_read"`
	Skipped    int   `json:"units_already_read"`
	Failed     int   `json:"units_failed"`
	Bytes      int64 `json:"bytes"`
	Events     int64 `json:"events"`
	Matched    int64 `json:"matched"`
}

// Result is a run's outcome.
type Result struct {
	Source string
	// Aggregates are the window's, as the store holds them after this run
	// (or this run's alone without a store).
	Aggregates *trail.Aggregates
	// Coverage is the window's stored coverage (or this run's alone
	// without a store).
	Coverage []trail.Coverage
	Stats    Stats
	Gaps     []inventory.Gap
	// Problems are this run's: units that could not be read and records
	// that could not be used.
	Problems []trail.Problem
	// covered is what this run covered; derived are the cells of loose
	// files (see cellsOf).
	covered, derived []trail.Coverage
}

// Incomplete reports whether part of the window could not be read.
func (r *Result) Incomplete() bool { return len(r.Gaps) > 0 || len(r.Problems) > 0 }

// Run reads the window from src. It returns a Result even when canceled or
// when the store fails, with what was done.
func Run(ctx context.Context, src any, o Options) (*Result, error) {
	if o.Concurrency <= 0 {
		o.Concurrency = 8
	}
	if o.BatchUnits <= 0 {
		o.BatchUnits = 64
	}
	tctx := o.Estate.Context(o.Guardrails)
	var (
		res     *Result
		results []trail.UnitResult
		listing Listing
		err     error
	)
	switch s := src.(type) {
	case Precomputed:
		res = &Result{Source: s.Name()}
		results, listing, err = s.Results(ctx, o.Window, tctx)
		if err != nil {
			return res, err
		}
		stored, serr := storedCoverage(ctx, o)
		if serr != nil {
			return res, serr
		}
		listing = excludeForeignCells(ctx, stored, s.Name(), listing)
		results = keepListed(results, listing.Units)
		res.Stats.Listed = len(listing.Units)
		res.Gaps = append(res.Gaps, listing.Gaps...)
		for _, r := range results {
			res.account(r)
		}
		res.covered = coveredCells(listing, results)
		err = saveAll(ctx, o.Store, results, res.covered)
	case Source:
		res = &Result{Source: s.Name()}
		results, err = readUnits(ctx, s, o, tctx, res)
	default:
		return nil, fmt.Errorf("trailscan: %T is not a trail source", src)
	}
	// The report shows what is stored even after a cancel or a failure:
	// every unit stored is whole.
	if ferr := finish(context.WithoutCancel(ctx), o, res, results); ferr != nil {
		return res, errors.Join(err, ferr)
	}
	return res, err
}

// finish fills the window's aggregates and coverage.
func finish(ctx context.Context, o Options, res *Result, results []trail.UnitResult) error {
	if o.Store == nil {
		parts := make([]*trail.Aggregates, 0, len(results))
		for _, r := range results {
			if r.Err == nil {
				parts = append(parts, r.Aggregates)
			}
		}
		res.Aggregates, res.Coverage = trail.Merge(parts...), res.covered
		return nil
	}
	f := o.Window.Filter()
	agg, err := o.Store.Trail(ctx, f)
	if err != nil {
		return fmt.Errorf("reading stored trail: %w", err)
	}
	cov, err := o.Store.TrailCoverage(ctx, f)
	if err != nil {
		return fmt.Errorf("reading stored trail coverage: %w", err)
	}
	res.Aggregates, res.Coverage = agg, cov
	return nil
}

// account adds a unit's outcome to the run's stats and problems.
func (r *Result) account(u trail.UnitResult) {
	if u.Err != nil {
		r.Stats.Failed++
		// Refused access is a gap of its account and region (a bucket
		// policy, a missing kms:Decrypt on the trail's key, LookupEvents
		// denied); anything else is a unit that could not be read.
		if awserr.Classify(u.Err) == awserr.AccessDenied {
			r.Gaps = append(r.Gaps, inventory.Gap{Account: u.Unit.Account, Region: u.Unit.Region,
				Service: r.Source, Reason: awserr.Reason(u.Unit.Key, u.Err)})
			return
		}
		r.Problems = append(r.Problems, trail.Problem{Unit: u.Unit.Key, Kind: trail.ProblemUnreadable, Reason: u.Err.Error(), Count: 1})
		return
	}
	r.Stats.Read++
	r.Stats.Bytes += u.Unit.Size
	if u.Aggregates != nil {
		r.Stats.Events += u.Aggregates.Events
		r.Stats.Matched += u.Aggregates.Matched
		r.Problems = append(r.Problems, u.Aggregates.Problems...)
	}
}

// readUnits lists the window, skips what is stored, reads the rest with
// bounded parallelism and saves them batch by batch as they complete.
func readUnits(ctx context.Context, s Source, o Options, tctx *trail.Context, res *Result) ([]trail.UnitResult, error) {
	stored, err := storedCoverage(ctx, o)
	if err != nil {
		return nil, err
	}
	o.Window.Known = slices.DeleteFunc(slices.Clone(stored), func(c trail.Coverage) bool { return c.Source != s.Name() })
	res.Stats.CellsKnown = len(o.Window.Known)
	listing, err := s.List(ctx, o.Window)
	if err != nil {
		return nil, err
	}
	listing = excludeForeignCells(ctx, stored, s.Name(), listing)
	res.Stats.Listed = len(listing.Units)
	res.Gaps = append(res.Gaps, listing.Gaps...)
	todo := listing.Units
	if o.Store != nil {
		read, err := o.Store.TrailUnitsRead(ctx, s.Name())
		if err != nil {
			return nil, fmt.Errorf("reading the trail units already stored: %w", err)
		}
		todo = slices.DeleteFunc(slices.Clone(todo), func(u trail.Unit) bool {
			etag, ok := read[u.Key]
			return ok && !s.Reread(u, etag)
		})
		res.Stats.Skipped = len(listing.Units) - len(todo)
	}
	slog.InfoContext(ctx, "trail units", "source", s.Name(), "listed", len(listing.Units), "to_read", len(todo))

	done := make(chan trail.UnitResult, o.Concurrency)
	var saved []trail.UnitResult // every result, for the caller without a store
	var mu sync.Mutex
	saveErr := make(chan error, 1)
	go func() { saveErr <- saveStream(ctx, o, done, &saved, &mu, res) }()

	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(o.Concurrency)
	for _, u := range todo {
		if gctx.Err() != nil {
			break
		}
		g.Go(func() error {
			agg := trail.NewAggregator(tctx)
			err := s.Read(gctx, u, agg)
			if err != nil && gctx.Err() != nil {
				return nil // canceled: neither read nor failed
			}
			r := trail.UnitResult{Unit: u, Err: err}
			if err == nil {
				r.Aggregates = agg.Result()
			}
			done <- r
			return nil
		})
	}
	_ = g.Wait() // workers return no errors; failures travel in results
	close(done)
	if err := <-saveErr; err != nil {
		return saved, err
	}
	if ctx.Err() != nil {
		return saved, ctx.Err()
	}
	listing.Covered = append(listing.Covered, res.derived...)
	if o.Store == nil {
		res.covered = coveredCells(listing, saved)
	} else {
		// Units read by earlier runs complete their cells too.
		pending := make(map[string]bool, len(todo))
		for _, u := range todo {
			pending[u.Key] = true
		}
		for _, u := range listing.Units {
			if !pending[u.Key] {
				saved = append(saved, trail.UnitResult{Unit: u})
			}
		}
		res.covered = coveredCells(listing, saved)
		if err := o.Store.SaveTrail(ctx, nil, res.covered); err != nil {
			return saved, fmt.Errorf("storing trail coverage: %w", err)
		}
	}
	return saved, nil
}

// saveStream stores results in batches as they arrive. Batches that
// complete before a cancel are stored: each is whole, so the store stays
// consistent and the next run goes on from there.
func saveStream(ctx context.Context, o Options, in <-chan trail.UnitResult, all *[]trail.UnitResult, mu *sync.Mutex, res *Result) error {
	var batch []trail.UnitResult
	var firstErr error
	flush := func() {
		if o.Store == nil || len(batch) == 0 || firstErr != nil {
			batch = batch[:0]
			return
		}
		// Finish the transaction even after a cancel: the units in it were
		// read completely.
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		defer cancel()
		if err := o.Store.SaveTrail(sctx, batch, nil); err != nil {
			firstErr = fmt.Errorf("storing trail units: %w", err)
		}
		batch = batch[:0]
	}
	tick := time.NewTicker(2 * time.Second)
	defer tick.Stop()
	for {
		select {
		case r, ok := <-in:
			if !ok {
				flush()
				return firstErr
			}
			mu.Lock()
			res.account(r)
			if r.Err == nil && r.Unit.Account == "" {
				res.derived = append(res.derived, cellsOf(r.Unit.Source, r.Aggregates, o.Window)...)
			}
			if o.Store == nil {
				*all = append(*all, r)
			} else {
				*all = append(*all, trail.UnitResult{Unit: r.Unit, Err: r.Err}) // aggregates live in the store
			}
			mu.Unlock()
			if r.Err == nil {
				batch = append(batch, r)
			}
			if len(batch) >= o.BatchUnits {
				flush()
			}
		case <-tick.C:
			flush()
		}
	}
}

// saveAll stores precomputed results and their coverage at once.
func saveAll(ctx context.Context, st Store, results []trail.UnitResult, cov []trail.Coverage) error {
	if st == nil {
		return nil
	}
	if err := st.SaveTrail(ctx, results, cov); err != nil {
		return fmt.Errorf("storing trail units: %w", err)
	}
	return nil
}

// coveredCells are the listed cells none of whose units failed or was left
// unread.
func coveredCells(l Listing, results []trail.UnitResult) []trail.Coverage {
	ok := map[string]bool{}
	for _, r := range results {
		if r.Err == nil {
			ok[r.Unit.Source+"\x00"+r.Unit.Key] = true
		}
	}
	bad := map[string]bool{}
	for _, u := range l.Units {
		if !ok[u.Source+"\x00"+u.Key] {
			bad[cellKey(u.Account, u.Region, u.Day)] = true
		}
	}
	var out []trail.Coverage
	for _, c := range l.Covered {
		if !bad[cellKey(c.Account, c.Region, c.Day)] {
			out = append(out, c)
		}
	}
	return out
}

func cellKey(account, region string, day time.Time) string {
	return account + "/" + region + "/" + trail.Day(day).Format(time.DateOnly)
}

// keepListed drops results of units the listing no longer holds.
func keepListed(results []trail.UnitResult, units []trail.Unit) []trail.UnitResult {
	keep := map[string]bool{}
	for _, u := range units {
		keep[u.Key] = true
	}
	return slices.DeleteFunc(results, func(r trail.UnitResult) bool { return !keep[r.Unit.Key] })
}

// storedCoverage is the window's stored coverage, of every source; none
// without a store.
func storedCoverage(ctx context.Context, o Options) ([]trail.Coverage, error) {
	if o.Store == nil {
		return nil, nil
	}
	stored, err := o.Store.TrailCoverage(ctx, o.Window.Filter())
	if err != nil {
		return nil, fmt.Errorf("reading stored trail coverage: %w", err)
	}
	return stored, nil
}

// excludeForeignCells drops the units and cells of days another source
// already covers (stored): the same events read from two places would
// count twice.
func excludeForeignCells(ctx context.Context, stored []trail.Coverage, source string, l Listing) Listing {
	foreign := map[string]string{}
	for _, c := range stored {
		if c.Source != source {
			foreign[cellKey(c.Account, c.Region, c.Day)] = c.Source
		}
	}
	if len(foreign) == 0 {
		return l
	}
	skipped := map[string]bool{}
	l.Units = slices.DeleteFunc(slices.Clone(l.Units), func(u trail.Unit) bool {
		if other, ok := foreign[cellKey(u.Account, u.Region, u.Day)]; ok && u.Account != "" {
			skipped[other] = true
			return true
		}
		return false
	})
	l.Covered = slices.DeleteFunc(slices.Clone(l.Covered), func(c trail.Coverage) bool {
		_, ok := foreign[cellKey(c.Account, c.Region, c.Day)]
		return ok
	})
	for other := range skipped {
		slog.WarnContext(ctx, "days already read from another source were skipped, so nothing counts twice", "source", other)
	}
	return l
}

// cellsOf is what a file outside CloudTrail's layout (an export with one
// event per line) covers: the (account, region, day) cells of the events of
// interest it holds, within the window. Its other cells are unknown: such a
// file does not say which accounts and regions it was meant to hold.
func cellsOf(source string, g *trail.Aggregates, w Window) []trail.Coverage {
	if g == nil {
		return nil
	}
	seen := map[string]bool{}
	var out []trail.Coverage
	add := func(account, region string, t time.Time) {
		day := trail.Day(t)
		if account == "" || day.Before(trail.Day(w.From)) || day.After(w.To) || !selected(w, account, region) {
			return
		}
		if k := cellKey(account, region, day); !seen[k] {
			seen[k] = true
			out = append(out, trail.Coverage{Source: source, Account: account, Region: region, Day: day})
		}
	}
	for _, d := range g.Denials {
		add(d.Account, d.Region, d.Day)
	}
	for _, b := range g.Blocked {
		add(b.Account, b.Region, b.Day)
	}
	for _, r := range g.Requests {
		add(r.Account, r.Region, r.Day)
	}
	for _, c := range g.Creators {
		add(c.Account, c.Region, c.Time)
	}
	for _, e := range g.KeyEvents {
		add(e.Account, e.Region, e.Time)
	}
	return out
}
