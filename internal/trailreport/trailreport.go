// Package trailreport turns what `sagekey trail` read into the
// sagekey.trail/v1 document and writes it for people (table) and tools
// (json, csv). Build assembles a Report from the window's aggregates, the
// coverage the store holds and this run's reading statistics; the writers
// are pure functions of (io.Writer, *Report) tested with golden files. The
// document is described field by field in docs/trail.md.
package trailreport

import (
	"cmp"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/inventory"
	"github.com/sagekey/sagekey/internal/report"
	"github.com/sagekey/sagekey/internal/trail"
)

// Report is one `sagekey trail` result: what the trail says about the
// window, how much of the window it covers, and what this run read.
type Report struct {
	Schema string
	Window Window
	// Source is where the trail was read from: "s3://bucket/prefix",
	// "lookup-events", "file:<dir>" or "athena:<workgroup>/<db>.<table>".
	Source string
	// Read is what this run did; the figures below are the window's as
	// stored, which earlier runs may have read.
	Read     ReadStats
	Coverage CoverageSummary
	// Gaps are the parts of the trail this run could not read (a bucket
	// prefix, an account, a region), so their days are not covered. They
	// are the scan's gap type: Service names the call that failed
	// ("s3:ListObjectsV2"); Account and Region are empty when the gap is
	// not one account's or region's.
	Gaps []inventory.Gap
	// Problems are units that could not be read and records that could not
	// be used.
	Problems  []trail.Problem
	Denials   DenialSummary
	Blocked   BlockedSummary
	Creators  []trail.Creator
	KeyEvents []KeyEventImpact
	Requests  RequestSummary
	// APICalls are the AWS calls this run made, by operation.
	APICalls []report.OperationCalls
}

// Window is the time range asked for; a zero bound is open.
type Window struct {
	From, To time.Time
}

// ReadStats count what this run read. Its fields match trailscan.Stats, so
// the orchestrator's statistics convert with ReadStats(stats).
type ReadStats struct {
	// CellsKnown are the account × region × days earlier runs read in
	// full, which this run did not list again.
	CellsKnown int   `json:"cells_already_read"`
	Listed     int   `json:"units_listed"`
	Read       int   `json:"units_read"`
	Skipped    int   `json:"units_already_read"`
	Failed     int   `json:"units_failed"`
	Bytes      int64 `json:"bytes"`
	Events     int64 `json:"events"`
	Matched    int64 `json:"matched"`
}

// CoverageSummary says which (account, region, UTC day) cells of the window
// have their trail read. Every count in the report is over covered cells
// only: a cell nobody read is unknown, never zero.
type CoverageSummary struct {
	Sources  []string
	Accounts []string
	Regions  []string
	// Days counts the distinct days with at least one covered cell;
	// FirstDay and LastDay bound them (zero when nothing is covered).
	Days              int
	FirstDay, LastDay time.Time
	// Cells counts the covered (account, region, day) cells.
	Cells int
	// WindowDays is the number of days in the window, zero when the window
	// is open at either end.
	WindowDays int
	// Pairs is the coverage of each account and region that has any.
	Pairs []PairCoverage
}

// PairCoverage is how many days of the window one account and region have
// covered.
type PairCoverage struct {
	Account string
	Region  string
	Days    int
	// Missing is WindowDays minus Days: the window's days this pair has no
	// reading for (zero when the window is open).
	Missing int
}

// DenialSummary totals the KMS access denials on keys that protect
// SageMaker data.
type DenialSummary struct {
	Total int64
	// Unauthorized are denials of principals the key policy names neither
	// directly nor through their account (trail.PolicyUnnamed).
	Unauthorized int64
	// PolicyUnknown are denials whose relation to the key policy cannot be
	// told (trail.PolicyUnknown); they are left out of UnauthorizedShare.
	PolicyUnknown int64
	// UnauthorizedShare is Unauthorized over the denials with a known
	// relation; nil when there are none.
	UnauthorizedShare *float64
	Groups            []DenialGroup
}

// BlockedSummary totals the SageMaker creates and updates an explicit deny
// refused, by whether sagekey's guardrails refused them.
type BlockedSummary struct {
	Total, Guardrail, Other, Unattributed int64
	Groups                                []trail.Blocked
}

// RequestSummary totals the KMS requests SageMaker made.
type RequestSummary struct {
	Total  int64
	Groups []trail.RequestCount
	// EstimatedUSD is the monthly run rate of their request charges
	// (cost.EstimateRequests); nil when not estimated. EstimateBasis says
	// how it was reached.
	EstimatedUSD  *float64
	EstimateBasis string
}

// KeyEventImpact is a key lifecycle event with the resources the key
// protects in the latest stored scan (its blast radius): the same value the
// scan report's CloudTrail section shows.
type KeyEventImpact = report.KeyEventImpact

// Input is what Build assembles a report from.
type Input struct {
	Source   string
	From, To time.Time
	// Aggregates are the window's as the store holds them (or this run's
	// alone without a store); nil is an empty trail.
	Aggregates *trail.Aggregates
	// Coverage is the stored coverage of the window.
	Coverage []trail.Coverage
	Stats    ReadStats
	Gaps     []inventory.Gap
	// Problems are this run's. Those also in Aggregates.Problems (a bad
	// record of a unit read now) are counted once.
	Problems []trail.Problem
	// Protects maps a key ARN to the resources it protects in the latest
	// stored scan.
	Protects map[string][]finding.Resource
	// KeyAccess are the latest stored scan's key-access findings; each
	// denial group of a role and key they judged carries their verdict.
	KeyAccess []finding.Finding
	APICalls  []report.OperationCalls
	// RequestsMonthlyUSD and RequestsBasis are the request-charge estimate
	// (cost.RequestEstimate.MonthlyUSD and Basis); nil when not estimated.
	RequestsMonthlyUSD *float64
	RequestsBasis      string
}

// Build assembles the report. It copies what it keeps, so the input may be
// reused, and orders every list so that the same input always writes the
// same output.
func Build(in Input) *Report {
	agg := in.Aggregates
	if agg == nil {
		agg = &trail.Aggregates{}
	}
	r := &Report{
		Schema:   trail.Schema,
		Window:   Window{From: in.From, To: in.To},
		Source:   in.Source,
		Read:     in.Stats,
		Coverage: summarizeCoverage(in.Coverage, in.From, in.To),
		Gaps:     slices.Clone(in.Gaps),
		Problems: mergeProblems(in.Problems, agg.Problems),
		Creators: slices.Clone(agg.Creators),
		APICalls: slices.Clone(in.APICalls),
	}
	slices.SortFunc(r.Gaps, func(a, b inventory.Gap) int {
		return cmp.Or(cmp.Compare(a.Account, b.Account), cmp.Compare(a.Region, b.Region), cmp.Compare(a.Service, b.Service),
			cmp.Compare(a.Reason, b.Reason))
	})
	slices.SortFunc(r.APICalls, func(a, b report.OperationCalls) int { return cmp.Compare(a.Operation, b.Operation) })

	access := indexAccess(in.KeyAccess)
	r.Denials.Groups = make([]DenialGroup, 0, len(agg.Denials))
	for _, d := range agg.Denials {
		d.Samples = slices.Clone(d.Samples)
		r.Denials.Groups = append(r.Denials.Groups, DenialGroup{Denial: d, KeyAccess: access.judge(d)})
		r.Denials.Total += d.Count
		switch d.Policy {
		case trail.PolicyUnnamed:
			r.Denials.Unauthorized += d.Count
		case trail.PolicyUnknown:
			r.Denials.PolicyUnknown += d.Count
		}
	}
	if known := r.Denials.Total - r.Denials.PolicyUnknown; known > 0 {
		share := float64(r.Denials.Unauthorized) / float64(known)
		r.Denials.UnauthorizedShare = &share
	}

	r.Blocked.Groups = make([]trail.Blocked, 0, len(agg.Blocked))
	for _, b := range agg.Blocked {
		b.Samples = slices.Clone(b.Samples)
		r.Blocked.Groups = append(r.Blocked.Groups, b)
		r.Blocked.Total += b.Count
		switch b.Guardrail {
		case trail.GuardrailYes:
			r.Blocked.Guardrail += b.Count
		case trail.GuardrailNo:
			r.Blocked.Other += b.Count
		default:
			r.Blocked.Unattributed += b.Count
		}
	}

	r.Requests.Groups = slices.Clone(agg.Requests)
	for _, q := range agg.Requests {
		r.Requests.Total += q.Count
	}
	if in.RequestsMonthlyUSD != nil {
		usd := *in.RequestsMonthlyUSD
		r.Requests.EstimatedUSD, r.Requests.EstimateBasis = &usd, in.RequestsBasis
	}

	protects := map[string][]finding.Resource{}
	for arn, res := range in.Protects {
		k := strings.ToLower(arn)
		protects[k] = append(protects[k], res...)
	}
	for _, e := range agg.KeyEvents {
		res := slices.Clone(protects[strings.ToLower(e.KeyARN)])
		slices.SortFunc(res, func(a, b finding.Resource) int {
			return cmp.Or(cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Name, b.Name), cmp.Compare(a.ARN, b.ARN))
		})
		res = slices.CompactFunc(res, func(a, b finding.Resource) bool { return a.ARN == b.ARN })
		r.KeyEvents = append(r.KeyEvents, KeyEventImpact{KeyEvent: e, Protects: res})
	}
	return r
}

// summarizeCoverage counts the distinct covered cells of the window [from,
// to] (by UTC day; a zero bound is open).
func summarizeCoverage(cov []trail.Coverage, from, to time.Time) CoverageSummary {
	type pair struct{ account, region string }
	sources, accounts, regions := map[string]bool{}, map[string]bool{}, map[string]bool{}
	days := map[time.Time]bool{}
	cells := map[pair]map[time.Time]bool{}
	for _, c := range cov {
		d := trail.Day(c.Day)
		if (!from.IsZero() && d.Before(trail.Day(from))) || (!to.IsZero() && d.After(trail.Day(to))) {
			continue
		}
		sources[c.Source], accounts[c.Account], regions[c.Region], days[d] = true, true, true, true
		p := pair{c.Account, c.Region}
		if cells[p] == nil {
			cells[p] = map[time.Time]bool{}
		}
		cells[p][d] = true
	}
	s := CoverageSummary{
		Sources:  slices.Sorted(maps.Keys(sources)),
		Accounts: slices.Sorted(maps.Keys(accounts)),
		Regions:  slices.Sorted(maps.Keys(regions)),
		Days:     len(days),
	}
	if !from.IsZero() && !to.IsZero() && !to.Before(from) {
		// Whole days, counted rather than listed: a window of years is
		// still one subtraction.
		s.WindowDays = int(trail.Day(to).Sub(trail.Day(from)).Hours()/24) + 1
	}
	if len(days) > 0 {
		sorted := slices.SortedFunc(maps.Keys(days), func(a, b time.Time) int { return a.Compare(b) })
		s.FirstDay, s.LastDay = sorted[0], sorted[len(sorted)-1]
	}
	for p, ds := range cells {
		s.Cells += len(ds)
		pc := PairCoverage{Account: p.account, Region: p.region, Days: len(ds)}
		if s.WindowDays > 0 {
			pc.Missing = s.WindowDays - len(ds)
		}
		s.Pairs = append(s.Pairs, pc)
	}
	slices.SortFunc(s.Pairs, func(a, b PairCoverage) int {
		return cmp.Or(cmp.Compare(a.Account, b.Account), cmp.Compare(a.Region, b.Region))
	})
	return s
}

// mergeProblems joins this run's problems with the stored aggregates'. The
// same problem of the same unit in both is one fact seen twice (the run
// read the unit and stored it), so it counts once, at the larger count.
func mergeProblems(run, stored []trail.Problem) []trail.Problem {
	type key struct{ unit, kind, reason string }
	byKey := map[key]trail.Problem{}
	for _, p := range slices.Concat(run, stored) {
		k := key{p.Unit, p.Kind, p.Reason}
		if have, ok := byKey[k]; !ok || p.Count > have.Count {
			byKey[k] = p
		}
	}
	out := slices.Collect(maps.Values(byKey))
	slices.SortFunc(out, func(a, b trail.Problem) int {
		return cmp.Or(cmp.Compare(problemRank(a.Kind), problemRank(b.Kind)), cmp.Compare(a.Kind, b.Kind),
			cmp.Compare(a.Unit, b.Unit), cmp.Compare(a.Reason, b.Reason))
	})
	return out
}

// problemRank orders problem kinds by how much they hide: a unit not read
// at all first, then records lost one by one.
func problemRank(kind string) int {
	switch kind {
	case trail.ProblemUnreadable:
		return 0
	case trail.ProblemBadRecord:
		return 1
	case trail.ProblemOversized:
		return 2
	case trail.ProblemUnknownVersion:
		return 3
	}
	return 4
}

// Writer writes a report in one format.
type Writer func(w io.Writer, r *Report) error

// Formats lists the formats Lookup knows, sorted.
func Formats() []string { return []string{"csv", "json", "table"} }

// Lookup returns the writer of a format.
func Lookup(format string) (Writer, error) {
	switch format {
	case "table":
		return WriteTable, nil
	case "json":
		return WriteJSON, nil
	case "csv":
		return WriteCSV, nil
	}
	return nil, fmt.Errorf("unknown trail report format %q (want one of %s)", format, strings.Join(Formats(), ", "))
}
