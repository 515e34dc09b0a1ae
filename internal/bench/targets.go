package bench

import (
	"fmt"
	"time"
)

// targets evaluates the criteria. A criterion whose phase did not
// produce a usable result fails; the naive ones are skipped with
// -skip-naive.
func (r *Result) targets() []Target {
	var ts []Target
	ts = append(ts, boundTarget("first scan API calls ≤ 1.1 × lower bound", r.First, r.FirstBound))

	naiveCalls := Target{Name: "naive API calls ≥ 5 × first-scan calls"}
	naiveWall := Target{Name: "naive wall time ≥ 5 × first-scan wall time"}
	switch {
	case r.Naive == nil:
		naiveCalls.Status, naiveCalls.Detail = targetSkip, naiveSkippedCause
		naiveWall.Status, naiveWall.Detail = targetSkip, naiveSkippedCause
	case !r.Ratios.Available:
		naiveCalls.Status, naiveCalls.Detail = targetFail, failedCause(r.First, r.Naive)
		naiveWall.Status, naiveWall.Detail = targetFail, failedCause(r.First, r.Naive)
	default:
		naiveCalls.Status = passIf(r.Ratios.Calls >= minNaiveFactor)
		naiveCalls.Detail = fmt.Sprintf("%d vs %d calls: %.1f×", r.Naive.Counts.Total(), r.First.Counts.Total(), r.Ratios.Calls)
		naiveWall.Status = passIf(r.Ratios.Wall >= minNaiveFactor)
		naiveWall.Detail = fmt.Sprintf("%s vs %s: %.1f×", roundWall(r.Naive.Wall), roundWall(r.First.Wall), r.Ratios.Wall)
	}
	ts = append(ts, naiveCalls, naiveWall)

	ts = append(ts, boundTarget("re-scan API calls ≤ 1.1 × its lower bound", r.Rescan, r.RescanBound))

	noDescribe := Target{Name: "re-scan made no DescribeEndpointConfig / DescribeTrainingJob / DescribeProcessingJob calls"}
	if !r.Rescan.OK() {
		noDescribe.Status, noDescribe.Detail = targetFail, failedCause(r.Rescan)
	} else {
		c := r.Rescan.Counts.Calls
		ec, tj, pj := c["sagemaker:DescribeEndpointConfig"], c["sagemaker:DescribeTrainingJob"], c["sagemaker:DescribeProcessingJob"]
		noDescribe.Status = passIf(ec == 0 && tj == 0 && pj == 0)
		noDescribe.Detail = fmt.Sprintf("DescribeEndpointConfig %d, DescribeTrainingJob %d, DescribeProcessingJob %d", ec, tj, pj)
	}
	ts = append(ts, noDescribe)

	if r.Config.Estate == EstateJobs {
		t := Target{Name: fmt.Sprintf("job-history re-scan makes < %d API calls", jobsMaxRescanCalls)}
		if !r.Rescan.OK() {
			t.Status, t.Detail = targetFail, failedCause(r.Rescan)
		} else {
			n := r.Rescan.Counts.Total()
			t.Status = passIf(n < jobsMaxRescanCalls)
			t.Detail = fmt.Sprintf("%d calls for %d training and %d processing jobs", n, r.Estate.Spec.TrainingJobs, r.Estate.Spec.ProcessingJobs)
		}
		ts = append(ts, t)
	}

	ts = append(ts,
		verdictTarget("default scan (a) has the verdicts of a --full scan (c), every <kind>.tags verdict included", r.FullVerdicts, r.Full),
		verdictTarget(fmt.Sprintf("scan with %g %% throttling (e) has the verdicts of the first scan (a)", r.Config.ThrottleRescanPercent),
			r.ThrottledVerdicts, r.Throttled))

	access := Target{Name: "first scan's key-access verdicts are those the seeded roles imply"}
	access.Status, access.Detail = passIf(r.KeyAccess.OK()), r.KeyAccess.describe()
	ts = append(ts, access)

	for _, ph := range []struct {
		id string
		p  *PhaseResult
	}{{phaseFirst, r.First}, {phaseRescan, r.Rescan}, {phaseFull, r.Full}, {phaseThrottled, r.Throttled}} {
		p := ph.p
		if p == nil && r.Config.Estate == EstateJobs {
			continue // not run in the job-history estate
		}
		t := Target{Name: fmt.Sprintf("peak RSS of sagekey phase %s < %.0f MiB", ph.id, maxPeakRSSMiB)}
		switch {
		case !p.OK():
			t.Status, t.Detail = targetFail, failedCause(p)
		case p.PeakRSSKiB == 0:
			t.Status, t.Detail = targetFail, "not measured"
		default:
			t.Status = passIf(p.PeakRSSMiB() < maxPeakRSSMiB)
			t.Detail = fmt.Sprintf("%.1f MiB", p.PeakRSSMiB())
		}
		ts = append(ts, t)
	}
	return ts
}

// verdictTarget passes when phase p judged every resource like phase a;
// skipped when p does not run in the job-history estate.
func verdictTarget(name string, v VerdictComparison, p *PhaseResult) Target {
	t := Target{Name: name}
	switch {
	case p == nil && v.Reason == "phase not run":
		t.Status, t.Detail = targetSkip, "phase not run"
	case !v.Compared:
		t.Status, t.Detail = targetFail, "not compared: "+v.Reason
	default:
		t.Status = passIf(v.Identical)
		t.Detail = fmt.Sprintf("identical: %s (%d vs %d verdicts, %d of them <kind>.tags; %d missing, %d extra)",
			yesNo(v.Identical), v.Baseline, v.Other, v.BaselineTags, v.Missing, v.Extra)
	}
	return t
}

func boundTarget(name string, p *PhaseResult, b *LowerBound) Target {
	t := Target{Name: name}
	if !p.OK() || b == nil {
		t.Status, t.Detail = targetFail, failedCause(p)
		return t
	}
	limit := maxBoundFactor * float64(b.Total)
	t.Status = passIf(float64(p.Counts.Total()) <= limit)
	t.Detail = fmt.Sprintf("%d calls vs bound %d (limit %.0f): %.2f× the bound",
		p.Counts.Total(), b.Total, limit, float64(p.Counts.Total())/float64(max(b.Total, 1)))
	return t
}

// failedCause names the first of ps that did not run or failed.
func failedCause(ps ...*PhaseResult) string {
	for _, p := range ps {
		if p == nil {
			return "phase not run"
		}
		if !p.OK() {
			return "phase " + p.ID + " failed"
		}
	}
	return "not measured"
}

func passIf(ok bool) string {
	if ok {
		return targetPass
	}
	return targetFail
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func roundWall(d time.Duration) time.Duration { return d.Round(10 * time.Millisecond) }
