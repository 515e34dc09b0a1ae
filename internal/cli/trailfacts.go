package cli

import (
	"context"
	"strings"
	"time"

	"github.com/sagekey/sagekey/internal/engine"
	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/kpi"
	"github.com/sagekey/sagekey/internal/report"
	"github.com/sagekey/sagekey/internal/rules"
	"github.com/sagekey/sagekey/internal/store"
	"github.com/sagekey/sagekey/internal/trail"
)

// trailWindow is how far back a report looks for key lifecycle events and
// monthly CloudTrail KPIs: a year of months.
const trailWindow = 365 * 24 * time.Hour

// storedTrail returns what the stored trail says about findings as of at:
// the creator of every failing or muted resource and, with details, the
// key lifecycle events with their blast radius and the monthly KPIs. It is
// nil when no trail was ever stored, so reports say so.
func storedTrail(ctx context.Context, st *store.Store, findings finding.List, at time.Time, details bool) (*report.TrailFacts, error) {
	sources, err := st.TrailSources(ctx)
	if err != nil || len(sources) == 0 {
		return nil, err
	}
	var arns []string
	protects := map[string][]finding.Resource{}
	for _, f := range findings.All() {
		if f.Status == finding.Fail || f.Status == finding.Muted {
			arns = append(arns, f.Resource.ARN)
		}
		if len(f.Protects) > 0 {
			protects[strings.ToLower(f.Resource.ARN)] = f.Protects
		}
	}
	found, err := st.TrailCreators(ctx, arns)
	if err != nil {
		return nil, err
	}
	facts := &report.TrailFacts{From: at.Add(-trailWindow), To: at, Creators: make(map[string]trail.Creator, len(found))}
	for arn, c := range found {
		facts.Creators[strings.ToLower(arn)] = c
	}
	if !details {
		return facts, nil
	}
	months, cells, err := kpi.TrailMonths(ctx, st, facts.From, facts.To)
	if err != nil {
		return nil, err
	}
	facts.CoveredDays = cells
	for _, m := range months {
		facts.Months = append(facts.Months, report.TrailMonth{Month: m.Month, Denials: m.Denials,
			Unauthorized: m.Unauthorized, Blocked: m.Blocked, ByGuardrail: m.ByGuardrail})
	}
	agg, err := st.Trail(ctx, trail.Filter{From: facts.From, To: facts.To})
	if err != nil {
		return nil, err
	}
	for i := len(agg.KeyEvents) - 1; i >= 0; i-- { // newest first
		e := agg.KeyEvents[i]
		facts.KeyEvents = append(facts.KeyEvents, report.KeyEventImpact{KeyEvent: e, Protects: protects[strings.ToLower(e.KeyARN)]})
	}
	return facts, nil
}

// denialWindow is how far back key-access findings count KMS denials.
const denialWindow = 30 * 24 * time.Hour

// keyDenials counts the stored trail's KMS access denials per role and key
// over the 30 days before at, for key-access messages; nil when no trail
// was ever stored, so the messages say nothing rather than "0".
func keyDenials(ctx context.Context, st *store.Store, at time.Time) (map[string]int, error) {
	if st == nil {
		return nil, nil
	}
	sources, err := st.TrailSources(ctx)
	if err != nil || len(sources) == 0 {
		return nil, err
	}
	agg, err := st.Trail(ctx, trail.Filter{From: at.Add(-denialWindow), To: at})
	if err != nil {
		return nil, err
	}
	out := map[string]int{}
	for _, d := range agg.Denials {
		out[rules.DenialKey(d.Principal, d.KeyARN)] += int(d.Count)
	}
	return out, nil
}

// withKeyDenials adds the stored denial counts to settings.
func withKeyDenials(ctx context.Context, st *store.Store, at time.Time, settings *engine.Settings) error {
	counts, err := keyDenials(ctx, st, at)
	if err != nil {
		return err
	}
	if counts != nil {
		settings.KeyDenials, settings.DenialWindow = counts, "last 30 days"
	}
	return nil
}
