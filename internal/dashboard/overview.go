package dashboard

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/sagekey/sagekey/internal/compliance"
	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/kpi"
	"github.com/sagekey/sagekey/internal/report"
	"github.com/sagekey/sagekey/internal/store"
)

// summary is the overview's aggregate for one stored run.
type summary struct {
	Latest    *runView
	Gaps      []report.GapRow
	Overall   compliance.Tally
	Kinds     []compliance.Tally
	Totals    map[string]int // present findings by status
	Total     int
	Open      []openGroup
	OpenTotal int
	Chart     *report.TrendChart
	TrendRuns int
}

// openGroup is open violations counted one way (by severity, kind...).
type openGroup struct {
	Title string
	Rows  []openRow
}

type openRow struct {
	Group string
	Count int
	Href  string // the findings list with this group's open violations
}

// overviewView is the overview page: the cached summary plus what changes
// between runs.
type overviewView struct {
	*summary
	Attention   []report.KeyRow // keys pending deletion or disabled
	DeadLetters int
}

// needsAttention reports whether a key state makes the data it protects
// unreadable now (disabled, unavailable) or soon (pending deletion).
func needsAttention(state string) bool {
	switch state {
	case "PendingDeletion", "PendingReplicaDeletion", "Disabled", "Unavailable":
		return true
	}
	return false
}

func (d *Dashboard) overview(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	run, err := d.opts.Store.LatestRunID(ctx)
	if err != nil {
		d.failErr(w, r, err)
		return
	}
	sum, err := d.cache.summary.get(ctx, cacheKey{run: run}, func(ctx context.Context) (*summary, error) { return d.buildSummary(ctx, run) })
	if err != nil {
		d.failErr(w, r, err)
		return
	}
	ks, err := d.keySet(ctx, run)
	if err != nil {
		d.failErr(w, r, err)
		return
	}
	v := overviewView{summary: sum}
	for _, k := range ks.Rows {
		if needsAttention(k.State) {
			v.Attention = append(v.Attention, k)
		}
	}
	stats, err := d.opts.Store.OutboxStats(ctx)
	if err != nil {
		d.failErr(w, r, err)
		return
	}
	for _, s := range stats {
		v.DeadLetters += s.Dead
	}
	d.render(w, r, http.StatusOK, "overview", page{Title: "Overview", Nav: "overview", Data: v})
}

func (d *Dashboard) buildSummary(ctx context.Context, run int64) (*summary, error) {
	st := d.opts.Store
	s := &summary{Totals: map[string]int{}}
	// The last scan is the latest scan or complete sweep: an event check
	// or a sweep's key judgement looked at a few resources or keys, not
	// the estate, and an incomplete sweep has not seen all of it yet.
	if latest, ok, err := st.LatestScanRow(ctx); err != nil {
		return nil, err
	} else if ok {
		s.Latest = newRowView(latest)
		ids := []int64{latest.Run.ID}
		if latest.Kind == store.KindSweep {
			ids = ids[:0]
			for _, r := range latest.Sweep.Latest {
				ids = append(ids, r.ID)
			}
		}
		for _, id := range ids {
			gaps, err := latestGaps(ctx, st, id)
			if err != nil {
				return nil, err
			}
			s.Gaps = append(s.Gaps, gaps...)
		}
	}
	all, err := st.StatusCounts(ctx, "", false)
	if err != nil {
		return nil, err
	}
	for _, c := range all {
		s.Totals[string(c.Status)] += c.Count
		s.Total += c.Count
	}
	cmk, err := st.StatusCounts(ctx, "", true)
	if err != nil {
		return nil, err
	}
	s.Overall = tally("all", cmk)
	byKind, err := st.StatusCounts(ctx, "kind", true)
	if err != nil {
		return nil, err
	}
	s.Kinds = tallies(byKind)
	for _, by := range []struct{ by, title string }{{"severity", "By severity"}, {"kind", "By kind"},
		{"account", "By account"}, {"owner", "By owner (" + d.opts.OwnerTag + " tag)"}} {
		counts, err := st.OpenViolationCounts(ctx, by.by)
		if err != nil {
			return nil, err
		}
		if by.by == "severity" {
			slices.SortStableFunc(counts, func(a, b store.GroupCount) int { return severityRank(b.Group) - severityRank(a.Group) })
		}
		g := openGroup{Title: by.title}
		for _, c := range counts {
			q := url.Values{"open": {"1"}, by.by: {c.Group}}
			if by.by == "owner" && c.Group == "" {
				q.Set("owner", noOwner)
			}
			g.Rows = append(g.Rows, openRow{Group: c.Group, Count: c.Count, Href: d.link("/findings", q)})
			if by.by == "severity" {
				s.OpenTotal += c.Count
			}
		}
		s.Open = append(s.Open, g)
	}
	trend, err := kpi.RunTrend(ctx, st, d.opts.Now())
	if err != nil {
		return nil, err
	}
	s.Chart, s.TrendRuns = report.NewTrendChart(trend), len(trend)
	return s, nil
}

// latestGaps are the gaps of one run, from its snapshot (read once per
// stored run: the runs table keeps only their count).
func latestGaps(ctx context.Context, st *store.Store, run int64) ([]report.GapRow, error) {
	snap, err := st.Snapshot(ctx, run)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	out := make([]report.GapRow, 0, len(snap.Inventory.Gaps))
	for _, g := range snap.Inventory.Gaps {
		out = append(out, report.GapRow{Account: g.Account, Region: g.Region, Service: g.Service, Reason: g.Reason})
	}
	return out, nil
}

// tally sums status counts into one compliance tally.
func tally(group string, counts []store.StatusCount) compliance.Tally {
	t := compliance.Tally{Group: group}
	for _, c := range counts {
		switch c.Status {
		case finding.Pass:
			t.Pass += c.Count
		case finding.Fail:
			t.Fail += c.Count
		case finding.Error:
			t.Error += c.Count
		case finding.Muted:
			t.Muted += c.Count
		case finding.NotApplicable:
			t.NotApplicable += c.Count
		}
	}
	t.Finish()
	return t
}

// tallies turns status counts by group into finished tallies, by group.
func tallies(counts []store.StatusCount) []compliance.Tally {
	byGroup := map[string][]store.StatusCount{}
	for _, c := range counts {
		byGroup[c.Group] = append(byGroup[c.Group], c)
	}
	out := []compliance.Tally{}
	for _, g := range slices.Sorted(maps.Keys(byGroup)) {
		out = append(out, tally(g, byGroup[g]))
	}
	return out
}

func severityRank(name string) int {
	s, err := finding.ParseSeverity(name)
	if err != nil {
		return -1
	}
	return int(s)
}

// runView is a stored run as the pages print it.
type runView struct {
	ID                int64
	Started, Finished string
	Duration          string
	Principal, User   string
	ToolVersion       string
	Accounts, Regions string
	Since             string
	Counts            []statusCount
	Gaps              int
	FindingsHref      string
	// Kind is what the row is (store.RunKind): a scan, a sweep, an event
	// check or a sweep's key judgement.
	Kind string
	// Resources is how many resources an event check re-checked.
	Resources int
	// A sweep's id, shards stored out of its count ("2/3"), the missing
	// shards ("missing shard 2") and every run id it stored.
	Sweep, Shards, Missing string
	Incomplete             bool
	RunIDs                 []int64
}

type statusCount struct {
	Status string
	Count  int
}

func newRunView(r store.Run) *runView {
	v := &runView{ID: r.ID, Started: r.Started.UTC().Format(time.DateTime), Finished: r.Finished.UTC().Format(time.DateTime),
		Duration: r.Finished.Sub(r.Started).Round(time.Second).String(), Principal: r.Principal, User: r.User,
		ToolVersion: r.ToolVersion, Accounts: strings.Join(r.Scope.Accounts, ", "), Regions: strings.Join(r.Scope.Regions, ", "),
		Gaps: r.Gaps, Kind: string(r.Kind()), Resources: len(r.Scope.Resources), RunIDs: []int64{r.ID}}
	if !r.Scope.Since.IsZero() {
		v.Since = r.Scope.Since.UTC().Format(time.DateOnly)
	}
	for _, s := range []finding.Status{finding.Fail, finding.Error, finding.Muted, finding.Pass, finding.NotApplicable} {
		v.Counts = append(v.Counts, statusCount{string(s), r.Counts[s]})
	}
	return v
}

// link is a dashboard URL with a query.
func (d *Dashboard) link(path string, q url.Values) string {
	if len(q) == 0 {
		return d.opts.BasePath + path
	}
	return fmt.Sprintf("%s%s?%s", d.opts.BasePath, path, q.Encode())
}
