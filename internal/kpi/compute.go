package kpi

import (
	"context"
	"slices"
	"sort"
	"time"

	"github.com/sagekey/sagekey/internal/compliance"
	"github.com/sagekey/sagekey/internal/cost"
	"github.com/sagekey/sagekey/internal/history"
	"github.com/sagekey/sagekey/internal/store"
)

// Compute reads the history from src and computes the KPIs for o's window.
// Scans that started after o.To are ignored, so a past window reads as it
// was then.
func Compute(ctx context.Context, src Source, o Options) (*Report, error) {
	if o.Trend == "" {
		o.Trend = TrendRun
	}
	if o.CostCenterTag == "" {
		o.CostCenterTag = "cost-center"
	}
	runs, obs, err := cmkHistory(ctx, src, o.To)
	if err != nil {
		return nil, err
	}
	// Finding states only name the groups of violations; skip reading them
	// when nothing is grouped.
	subjects := map[string]history.State{}
	if o.By != "" {
		states, err := src.States(ctx)
		if err != nil {
			return nil, err
		}
		for _, st := range states {
			subjects[st.Fingerprint] = st
		}
	}
	eps, err := src.Episodes(ctx)
	if err != nil {
		return nil, err
	}
	uses, known, err := latestKeyUses(ctx, src, runs, o.CostCenterTag)
	if err != nil {
		return nil, err
	}
	cov, agg, err := readTrail(ctx, src, o.From, o.To)
	if err != nil {
		return nil, err
	}

	rep := &Report{Schema: Schema, Window: Window{From: o.From.UTC(), To: o.To.UTC()}, GroupBy: o.By,
		Scope: scopeOf(runs, o.From)}
	rep.Scope.IncompleteSweeps = incompleteSweeps(runs, o)
	rep.Compliance = replayCompliance(runs, obs, o)
	rep.MTTR, rep.Open, rep.NewViolations = violations(eps, subjects, o)
	rep.Keys = hygiene(uses)
	rep.Cost = CostEstimate{Estimate: cost.EstimateKeys(uses, o.CostCenterTag, o.To), CostCenterTag: o.CostCenterTag}
	rep.Trail = cov.scope()
	if len(cov.cells) == 0 {
		rep.Cost.WithoutRequests("no CloudTrail data covers this window to count KMS requests (run sagekey trail)")
		return rep, nil
	}
	rep.Denials = computeDenials(agg.Denials, cov, o.By, known)
	rep.Blocked = computeBlocked(agg.Blocked, cov, o.By)
	rep.Cost.AddRequests(cost.EstimateRequests(requestUses(agg.Requests, cov), uses, o.CostCenterTag))
	return rep, nil
}

// RunTrend is compliance after each stored scan that started by to, oldest
// first: the chart of the HTML report. It reads only the runs and their
// observations.
func RunTrend(ctx context.Context, src Source, to time.Time) ([]TrendPoint, error) {
	runs, obs, err := cmkHistory(ctx, src, to)
	if err != nil {
		return nil, err
	}
	return replayCompliance(runs, obs, Options{To: to, Trend: TrendRun}).Trend, nil
}

// cmkHistory reads the runs that started by to, oldest first, and each
// one's CMK verdicts.
func cmkHistory(ctx context.Context, src Source, to time.Time) ([]store.Run, map[int64][]history.Observation, error) {
	all, err := src.Runs(ctx)
	if err != nil {
		return nil, nil, err
	}
	var runs []store.Run
	for _, r := range all {
		if !r.Started.After(to) {
			runs = append(runs, r)
		}
	}
	obs := map[int64][]history.Observation{}
	for _, r := range runs {
		list, err := src.Observations(ctx, r.ID)
		if err != nil {
			return nil, nil, err
		}
		obs[r.ID] = slices.DeleteFunc(list, func(ob history.Observation) bool { return !compliance.IsCMKCheck(ob.CheckID) })
	}
	return runs, obs, nil
}

// scopeOf lists the scans in the window and what they covered.
func scopeOf(runs []store.Run, from time.Time) Scope {
	sc := Scope{Runs: []int64{}, Accounts: []string{}, Regions: []string{}, Since: []string{}}
	for _, r := range runs {
		if r.Started.Before(from) {
			continue
		}
		sc.Runs = append(sc.Runs, r.ID)
		sc.Accounts = append(sc.Accounts, r.Scope.Accounts...)
		sc.Regions = append(sc.Regions, r.Scope.Regions...)
		since := ""
		if !r.Scope.Since.IsZero() {
			since = r.Scope.Since.UTC().Format(time.RFC3339)
		}
		sc.Since = append(sc.Since, since)
		sc.Gaps += r.Gaps
	}
	for _, s := range []*[]string{&sc.Accounts, &sc.Regions, &sc.Since} {
		sort.Strings(*s)
		*s = slices.Compact(*s)
	}
	return sc
}
