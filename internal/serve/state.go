package serve

import (
	"context"
	"log/slog"
	"time"

	"github.com/sagekey/sagekey/internal/compliance"
	"github.com/sagekey/sagekey/internal/cost"
	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/keys"
	"github.com/sagekey/sagekey/internal/kpi"
	"github.com/sagekey/sagekey/internal/metrics"
	"github.com/sagekey/sagekey/internal/store"
)

// refresh points the gauges at the latest stored scan when it changed.
// Replicas that do not hold the scan lock keep theirs current this way.
func (s *server) refresh(ctx context.Context) {
	s.gauges.Lock()
	defer s.gauges.Unlock()
	runs, err := s.o.Store.Runs(ctx)
	if err != nil {
		s.ready.storeFailed(err)
		slog.Warn("reading the store", "error", err)
		return
	}
	s.ready.storeFailed(nil)
	scans := store.Scans(runs)
	if len(scans) == 0 {
		return
	}
	// The latest complete scan: a sweep still missing shards would show
	// part of the estate as all of it.
	latest := scans[len(scans)-1]
	for _, r := range latest.Runs {
		s.ready.stored(r.Started)
	}
	if latest.ID == s.gauged {
		return
	}
	st, err := s.loaded.load(ctx, latest.ID, s.o.Load)
	if err != nil {
		slog.Warn("reading the latest scan for the metrics", "run", latest.ID, "error", err)
		return
	}
	s.o.Metrics.SetState(stateOf(st, s.o.CostCenterTag, s.now()))
	s.gauged = latest.ID
}

// stateOf is the gauges' view of one stored scan: percent compliant by the
// definition every view shares, open violations (FAIL findings) by
// account, region, kind and severity, the keys it resolved and their
// estimated monthly cost.
func stateOf(st Stored, costTag string, now time.Time) metrics.State {
	out := metrics.State{
		CompliantPercentByAccount: map[string]float64{}, CompliantPercentByRegion: map[string]float64{},
		CompliantPercentByKind: map[string]float64{}, Keys: map[string]int{}, MonthlyKMSCostUSD: map[string]float64{},
		LastSuccessfulScan: st.Run.Finished,
	}
	overall := compliance.Tally{Group: "all"}
	byAccount, byRegion, byKind := compliance.Groups{}, compliance.Groups{}, compliance.Groups{}
	type cell struct{ account, region, kind, severity string }
	open := map[cell]int{}
	for _, f := range st.Findings {
		if f.Status == finding.Fail {
			open[cell{f.Resource.Account, f.Resource.Region, f.Resource.Kind, f.Severity.String()}]++
		}
		if !compliance.IsCMKCheck(f.CheckID) {
			continue
		}
		overall.Add(f.Status)
		byAccount.Add(f.Resource.Account, f.Status)
		byRegion.Add(f.Resource.Region, f.Status)
		byKind.Add(f.Resource.Kind, f.Status)
	}
	overall.Finish()
	out.CompliantPercent = overall.Percent
	for groups, into := range map[*compliance.Groups]map[string]float64{
		&byAccount: out.CompliantPercentByAccount, &byRegion: out.CompliantPercentByRegion, &byKind: out.CompliantPercentByKind,
	} {
		for _, t := range groups.Finished() {
			if t.Percent != nil {
				into[t.Group] = *t.Percent
			}
		}
	}
	for c, n := range open {
		out.OpenViolations = append(out.OpenViolations, metrics.ViolationCount{Account: c.account, Region: c.region,
			Kind: c.kind, Severity: c.severity, Count: n})
	}
	for _, k := range st.Snapshot.Keys {
		state := k.State
		if state == "" {
			state = "Unknown"
		}
		out.Keys[state]++
		if k.Manager == keys.ManagerCustomer && k.Rotation.Error == "" && !k.Rotation.Enabled && k.Rotation.NotApplicable == "" {
			out.KeysWithoutRotation++
		}
	}
	est := cost.EstimateKeys(kpi.SnapshotKeyUses(st.Snapshot, costTag), costTag, now)
	for _, c := range est.ByCostCenter {
		out.MonthlyKMSCostUSD[c.CostCenter] = c.MonthlyUSD
	}
	return out
}
