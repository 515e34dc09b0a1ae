package kpi

import (
	"context"
	"slices"
	"sort"
	"time"

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
	all, err := src.Runs(ctx)
	if err != nil {
		return nil, err
	}
	var runs []store.Run
	for _, r := range all {
		if !r.Started.After(o.To) {
			runs = append(runs, r)
		}
	}
	obs := map[int64][]history.Observation{}
	for _, r := range runs {
		list, err := src.Observations(ctx, r.ID)
		if err != nil {
			return nil, err
		}
		obs[r.ID] = slices.DeleteFunc(list, func(ob history.Observation) bool { return !isCMKCheck(ob.CheckID) })
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
	uses, err := latestKeyUses(ctx, src, runs, o.CostCenterTag)
	if err != nil {
		return nil, err
	}

	rep := &Report{Schema: Schema, Window: Window{From: o.From.UTC(), To: o.To.UTC()}, GroupBy: o.By,
		Scope: scopeOf(runs, o.From)}
	rep.Compliance = compliance(runs, obs, o)
	rep.MTTR, rep.Open, rep.NewViolations = violations(eps, subjects, o)
	rep.Keys = hygiene(uses)
	rep.Cost = CostEstimate{Estimate: cost.EstimateKeys(uses, o.CostCenterTag, o.To), CostCenterTag: o.CostCenterTag}
	return rep, nil
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
