package bench

import (
	"fmt"
	"time"
)

// The targets.
const (
	maxBoundFactor    = 1.1 // a scan may exceed its lower bound by 10 %
	minNaiveFactor    = 5.0 // the naive scanner must need 5 × the calls and wall time
	maxPeakRSSMiB     = 150.0
	targetPass        = "PASS"
	targetFail        = "FAIL"
	targetSkip        = "SKIP"
	naiveSkippedCause = "naive baseline skipped (-skip-naive)"
	jobsSkippedCause  = "job-history estate (-estate jobs): phases a and b only"
)

// Result is everything one benchmark run measured and concluded.
type Result struct {
	Config ResultConfig  `json:"config"`
	Estate EstateSummary `json:"estate"`

	First     *PhaseResult `json:"first_scan"`
	Rescan    *PhaseResult `json:"rescan"`
	Full      *PhaseResult `json:"full_scan,omitempty"`
	Throttled *PhaseResult `json:"throttled_scan,omitempty"`
	Naive     *PhaseResult `json:"naive,omitempty"`

	FirstBound  *LowerBound `json:"first_scan_lower_bound,omitempty"`
	RescanBound *LowerBound `json:"rescan_lower_bound,omitempty"`

	// FullVerdicts compares phase c (--full: every tag read with
	// ListTags) with phase a, ThrottledVerdicts phase e (10 % throttling)
	// with phase a (both targets); RescanVerdicts compares phase b with
	// phase a (information only).
	FullVerdicts      VerdictComparison `json:"full_verdicts"`
	ThrottledVerdicts VerdictComparison `json:"throttled_verdicts"`
	RescanVerdicts    VerdictComparison `json:"rescan_verdicts"`
	// KeyAccess checks the first scan's <kind>.key-access verdicts against
	// the roles the resources were seeded with.
	KeyAccess KeyAccessCheck `json:"key_access"`

	Ratios   Ratios   `json:"ratios"`
	Targets  []Target `json:"targets"`
	Warnings []string `json:"warnings"`

	// tagLag and searchLag are the --tag-lag and --search-lag the phases
	// ran with.
	tagLag, searchLag time.Duration
}

// ResultConfig records the conditions of the run.
type ResultConfig struct {
	Latency               string  `json:"latency"`
	ThrottlePercent       float64 `json:"throttle_percent"`
	ThrottleRescanPercent float64 `json:"throttle_rescan_percent"`
	Seed                  uint64  `json:"seed"`
	Estate                string  `json:"estate"`
	TagLag                string  `json:"tag_lag"`
	SearchLag             string  `json:"search_lag"`
	Sagekey               string  `json:"sagekey"`
	WorkDir               string  `json:"work_dir,omitempty"` // only when kept
}

func resultConfig(cfg Config, bin, work string) ResultConfig {
	rc := ResultConfig{
		Latency: cfg.Latency.String(), ThrottlePercent: cfg.ThrottlePercent,
		ThrottleRescanPercent: cfg.ThrottleRescanPercent, Seed: cfg.Seed, Sagekey: bin,
		Estate: cfg.EstateName, TagLag: cfg.TagLag.String(), SearchLag: cfg.searchLag().String(),
	}
	if cfg.KeepDir != "" {
		rc.WorkDir = work
	}
	return rc
}

// EstateSummary describes what was seeded.
type EstateSummary struct {
	Spec                   EstateSpec     `json:"spec"`
	Regions                []RegionCounts `json:"regions"`
	Keyed                  map[string]int `json:"keyed"` // resources naming a key, by kind
	DistinctKeysReferenced int            `json:"distinct_keys_referenced"`
	// WithoutKMS counts the resources (by kind) running as the role that
	// may not use any key; the others run as the role that may.
	WithoutKMS map[string]int `json:"without_kms_role"`
	// IAM is the account's IAM listing as moto served it after seeding.
	IAM         IAMListing `json:"iam"`
	SeedSeconds float64    `json:"seed_seconds"`
	// SeedStarted and SeedFinished bound the creation times of every
	// seeded resource; SeedConcurrency is the SDK requests in flight.
	SeedStarted     time.Time `json:"seed_started"`
	SeedFinished    time.Time `json:"seed_finished"`
	SeedConcurrency int       `json:"seed_concurrency"`
	// SeedPerSecond is the resources (of every kind, keys and models
	// included) created per second of seeding.
	SeedPerSecond float64 `json:"seed_per_second"`
}

func summarizeEstate(seeded *SeededEstate, started, finished time.Time, concurrency int) EstateSummary {
	wall := finished.Sub(started)
	s := EstateSummary{
		Spec: seeded.Spec, Regions: seeded.BoundInput().Regions, Keyed: map[string]int{}, WithoutKMS: map[string]int{},
		DistinctKeysReferenced: seeded.DistinctKeysReferenced(), IAM: seeded.IAM, SeedSeconds: wall.Seconds(),
		SeedStarted: started, SeedFinished: finished, SeedConcurrency: concurrency,
	}
	created := seeded.Spec.Keys + seeded.Models()
	for _, k := range EstateKinds() {
		created += seeded.Count(k)
	}
	if wall > 0 {
		s.SeedPerSecond = float64(created) / wall.Seconds()
	}
	for _, k := range EstateKinds() {
		s.Keyed[k] = seeded.Keyed(k)
		s.WithoutKMS[k] = seeded.RunningWithoutKMS(k)
	}
	return s
}

// Ratios compare the naive baseline with sagekey's first scan.
type Ratios struct {
	Available bool    `json:"available"`
	Calls     float64 `json:"calls"`
	Wall      float64 `json:"wall"`
}

// Target is one of the pass/fail criteria.
type Target struct {
	Name   string `json:"name"`
	Status string `json:"status"` // PASS, FAIL or SKIP
	Detail string `json:"detail"`
}

// Passed reports whether every phase ran and no target failed.
func (r *Result) Passed() bool {
	for _, p := range []*PhaseResult{r.First, r.Rescan, r.Full, r.Throttled, r.Naive} {
		if p != nil && !p.OK() {
			return false
		}
	}
	for _, t := range r.Targets {
		if t.Status == targetFail {
			return false
		}
	}
	return true
}

// evaluate computes the bounds, comparisons, ratios and targets from the
// phases.
func (r *Result) evaluate(seeded *SeededEstate) {
	est := seeded.Estate
	if r.First != nil {
		b := FirstScanBound(r.boundInput(seeded, r.First, nil), r.First.Counts)
		r.FirstBound = &b
	}
	if r.Rescan != nil {
		b := RescanBound(r.boundInput(seeded, r.Rescan, r.First), r.Rescan.Counts)
		r.RescanBound = &b
	}
	r.FullVerdicts = compareReportsOf(r.First, r.Full)
	r.ThrottledVerdicts = compareReportsOf(r.First, r.Throttled)
	r.RescanVerdicts = compareReportsOf(r.First, r.Rescan)
	r.KeyAccess = checkKeyAccessOf(r.First, est)
	if r.First.OK() && r.Naive.OK() && r.First.Counts.Total() > 0 && r.First.Wall > 0 {
		r.Ratios = Ratios{
			Available: true,
			Calls:     float64(r.Naive.Counts.Total()) / float64(r.First.Counts.Total()),
			Wall:      r.Naive.Wall.Seconds() / r.First.Wall.Seconds(),
		}
	}
	r.Warnings = append(r.Warnings, r.warnings(est)...)
	r.Targets = r.targets()
}

// boundInput is the estate's bound input with the timing facts of phase p
// (previous is the scan before it, for a re-scan): whether the estate was
// created within --tag-lag before p, within --search-lag (Search's index
// lag) before p (endpoints), and within --search-lag before the previous
// scan (training jobs a re-scan pages again). The estate is seeded in one
// burst, so a fact holds for every resource when it holds for the last
// one created, and is counted for none otherwise: a phase started while a
// part of the estate was within the lag is charged as all within it.
func (r *Result) boundInput(seeded *SeededEstate, p, previous *PhaseResult) BoundInput {
	in := seeded.BoundInput()
	in.TagLag = r.tagLag
	in.SearchLag = r.searchLag
	finished := r.Estate.SeedFinished
	if p == nil || p.Started.IsZero() || finished.IsZero() {
		return in
	}
	in.WithinTagLag = !p.Started.Add(-r.tagLag).After(finished)
	in.EndpointsRecent = p.Started.Add(-in.searchLag()).Before(finished)
	if previous != nil && !previous.Started.IsZero() {
		in.JobsInSearchWindow = previous.Started.Add(-in.searchLag()).Before(finished)
	}
	return in
}

func compareReportsOf(baseline, other *PhaseResult) VerdictComparison {
	switch {
	case baseline == nil || other == nil:
		return VerdictComparison{Reason: "phase not run"}
	case !baseline.OK():
		return VerdictComparison{Reason: "phase " + baseline.ID + " failed"}
	case !other.OK():
		return VerdictComparison{Reason: "phase " + other.ID + " failed"}
	}
	return CompareReports(baseline.ReportPath, other.ReportPath)
}

// warnings flag results that are measured correctly but suspicious.
func (r *Result) warnings(est Estate) []string {
	var w []string
	if n := r.Naive; n.OK() && n.Naive != nil {
		for _, k := range EstateKinds() {
			if got, want := n.Naive.Resources[k], est.Count(k); got != want {
				w = append(w, fmt.Sprintf("naive baseline described %d %ss, the estate has %d", got, k, want))
			}
		}
		if n.Naive.Errors > 0 {
			w = append(w, fmt.Sprintf("naive baseline had %d failed calls, e.g. %v", n.Naive.Errors, n.Naive.ErrorSamples))
		}
	}
	for _, p := range []*PhaseResult{r.First, r.Rescan, r.Full, r.Throttled} {
		if p == nil {
			continue
		}
		// sagekey's total may or may not include its retries; either way
		// it must account for every request the proxy saw.
		if self := p.SelfReported; p.OK() && self != nil && self.Total != p.Counts.Total() && self.Total+self.Retries != p.Counts.Total() {
			w = append(w, fmt.Sprintf("phase %s: sagekey counted %d calls and %d retries, the proxy %d requests (the proxy is authoritative)",
				p.ID, self.Total, self.Retries, p.Counts.Total()))
		}
	}
	return w
}
