package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// printer writes lines and keeps the first write error, so the report code
// reads as a sequence of lines.
type printer struct {
	w   io.Writer
	err error
}

func (p *printer) line(format string, args ...any) {
	if p.err != nil {
		return
	}
	_, p.err = fmt.Fprintf(p.w, format+"\n", args...)
}

// WriteText writes the plain-text report.
func WriteText(w io.Writer, r *Result) error {
	p := &printer{w: w}
	writeHeader(p, r)
	for _, ph := range []*PhaseResult{r.First, r.Rescan, r.Full, r.Throttled, r.Naive} {
		if ph != nil {
			writePhase(p, ph)
		}
	}
	if r.Config.Estate == EstateJobs {
		p.line("== c, d, e ==\n  skipped (%s)\n", jobsSkippedCause)
	} else if r.Naive == nil {
		p.line("== d. naive baseline ==\n  skipped (-skip-naive)\n")
	}
	writeRatios(p, r)
	for _, b := range []*LowerBound{r.FirstBound, r.RescanBound} {
		if b != nil {
			writeBound(p, b)
		}
	}
	writeVerdicts(p, "--full scan (c) vs first scan (a)", r.FullVerdicts)
	writeVerdicts(p, "throttled scan (e) vs first scan (a)", r.ThrottledVerdicts)
	writeVerdicts(p, "re-scan (b) vs first scan (a), for information", r.RescanVerdicts)
	writeKeyAccess(p, r.KeyAccess)
	if len(r.Warnings) > 0 {
		p.line("== Warnings ==")
		for _, w := range r.Warnings {
			p.line("  %s", w)
		}
		p.line("")
	}
	writeTargets(p, r)
	return p.err
}

func writeHeader(p *printer, r *Result) {
	s := r.Estate.Spec
	p.line("sagekey benchmark")
	p.line("  estate        %s: %d training jobs, %d processing jobs, %d notebook instances, %d endpoint configs, %d endpoints, %d clusters, %d KMS keys, %d models, %d IAM roles",
		r.Config.Estate, s.TrainingJobs, s.ProcessingJobs, s.Notebooks, s.EndpointConfigs, s.Endpoints, s.Clusters, s.Keys, s.Models, len(benchRoleNames))
	p.line("  regions       %s (spread evenly)", strings.Join(s.Regions, ", "))
	var keyed []string
	for _, k := range EstateKinds() {
		keyed = append(keyed, fmt.Sprintf("%s %d", k, r.Estate.Keyed[k]))
	}
	p.line("  with a CMK    %s; %d distinct keys referenced (endpoints are judged through their config)",
		strings.Join(keyed, ", "), r.Estate.DistinctKeysReferenced)
	var denied []string
	for _, k := range EstateKinds() {
		denied = append(denied, fmt.Sprintf("%s %d", k, r.Estate.WithoutKMS[k]))
	}
	p.line("  roles         %s (may use the keys) and %s (no KMS permission): %s run as the latter;",
		benchRoleNames[RoleWithKMS], benchRoleNames[RoleWithoutKMS], strings.Join(denied, ", "))
	p.line("                endpoint configs run as their model's role (%d models), endpoints as their config's", s.Models)
	iam := r.Estate.IAM
	p.line("  IAM listing   %d roles, %d local and %d AWS-managed policies in %d GetAccountAuthorizationDetails response%s from moto",
		iam.Roles, iam.LocalManagedPolicies, iam.AWSManagedPolicies, iam.Responses, plural(iam.Responses, "", "s"))
	p.line("  seeded in     %.1fs, %.0f resources/s (%d concurrent SDK calls straight to moto, not measured)",
		r.Estate.SeedSeconds, r.Estate.SeedPerSecond, r.Estate.SeedConcurrency)
	p.line("  tag lag       sagekey runs with --tag-lag %s and --search-lag %s (waited out after seeding when at most 1m; sagekey's defaults are 15m and 1h)",
		r.Config.TagLag, r.Config.SearchLag)
	p.line("  proxy         latency %s per request; throttling %g %% in phases a, b, c, d and %g %% in phase e (seed %d);",
		r.Config.Latency, r.Config.ThrottlePercent, r.Config.ThrottleRescanPercent, r.Config.Seed)
	p.line("                moto's unimplemented-operation HTML 500s answered as UnknownOperationException;")
	p.line("                moto's unpaged Search responses (TrainingJob, Endpoint) re-paged to the requested MaxResults (API max %d);", searchMaxPageSize)
	p.line("                tag:GetResources (ResourceGroupsTaggingAPI_20170126) counted as itself; moto pages it;")
	p.line("                the ProcessingResources moto drops put back into DescribeProcessingJob answers, as seeded")
	p.line("  sagekey       %s", r.Config.Sagekey)
	if r.Config.WorkDir != "" {
		p.line("  work files    %s", r.Config.WorkDir)
	}
	p.line("")
}

func writePhase(p *printer, ph *PhaseResult) {
	writeChildHeader(p, ph.ID, ph.Name, ph.Command, ph.OK(), ph.Failure, ph.ExitCode, ph.Wall)
	c := ph.Counts
	p.line("  API calls     %d (throttled %d, unimplemented by moto %d)", c.Total(), c.TotalThrottled(), c.TotalUnimplemented())
	if ph.Naive == nil && ph.OK() {
		if ph.SelfReported != nil {
			self := ph.SelfReported
			p.line("  sagekey says  %d calls + %d retries = %d requests, %d throttled (api_calls in its report; the proxy's count is authoritative)",
				self.Total, self.Retries, self.Total+self.Retries, self.Throttles)
		} else {
			p.line("  sagekey says  nothing (no api_calls in its report)")
		}
	}
	if n := ph.Naive; n != nil {
		p.line("  naive saw     %d resources, %d key references, %d failed calls", sum(n.Resources), n.KeyReferences, n.Errors)
	}
	if ph.PeakRSSKiB > 0 {
		p.line("  peak RSS      %.1f MiB", ph.PeakRSSMiB())
	} else {
		p.line("  peak RSS      not measured")
	}
	p.line("  calls by operation:")
	for _, op := range c.Operations() {
		extra := ""
		if n := c.Throttled[op]; n > 0 {
			extra += fmt.Sprintf("  throttled %d", n)
		}
		if n := c.Unimplemented[op]; n > 0 {
			extra += fmt.Sprintf("  unimplemented %d", n)
		}
		if n := c.Restored[op]; n > 0 {
			extra += fmt.Sprintf("  ProcessingResources restored by the proxy %d", n)
		}
		p.line("    %-48s %7d%s", op, c.Calls[op], extra)
	}
	p.line("")
}

func writeRatios(p *printer, r *Result) {
	p.line("== Naive baseline / sagekey first scan ==")
	if !r.Ratios.Available {
		p.line("  not available (%s)\n", failedCause(r.First, r.Naive))
		return
	}
	p.line("  API calls     %d / %d = %.1f×", r.Naive.Counts.Total(), r.First.Counts.Total(), r.Ratios.Calls)
	p.line("  wall time     %s / %s = %.1f×", roundWall(r.Naive.Wall), roundWall(r.First.Wall), r.Ratios.Wall)
	p.line("")
}

func writeBound(p *printer, b *LowerBound) {
	p.line("== Lower bound on API calls: %s ==", b.Phase)
	p.line("  %-58s %7s %9s  %s", "term", "bound", "observed", "derivation")
	for _, l := range b.Lines {
		p.line("  %-58s %7d %9d  %s", l.Label, l.Calls, l.Observed, l.Derivation)
		for _, d := range l.Details {
			p.line("      %s", d)
		}
	}
	p.line("  %-58s %7d %9d", "total", b.Total, b.Observed)
	for _, n := range b.Notes {
		p.line("  note: %s", n)
	}
	p.line("")
}

func writeVerdicts(p *printer, title string, v VerdictComparison) {
	p.line("== Verdicts: %s ==", title)
	if !v.Compared {
		p.line("  not compared: %s\n", v.Reason)
		return
	}
	p.line("  identical verdicts: %s (%d vs %d (check, resource, slot, status) verdicts; %d of the baseline's are <kind>.tags)",
		yesNo(v.Identical), v.Baseline, v.Other, v.BaselineTags)
	for _, d := range v.OnlyInBaseline {
		p.line("    only in baseline: %s %s %q %s", d.CheckID, d.ARN, d.Slot, d.Status)
	}
	for _, d := range v.OnlyInOther {
		p.line("    only in other:    %s %s %q %s", d.CheckID, d.ARN, d.Slot, d.Status)
	}
	if v.Missing > len(v.OnlyInBaseline) || v.Extra > len(v.OnlyInOther) {
		p.line("    (%d missing and %d extra in all)", v.Missing, v.Extra)
	}
	p.line("")
}

func writeKeyAccess(p *printer, c KeyAccessCheck) {
	p.line("== Key access: first scan (a) vs the seeded roles ==")
	p.line("  %s", c.describe())
	for _, m := range c.Examples {
		got := m.Got
		if got == "" {
			got = "no finding"
		}
		p.line("    %s %s/%s: want %s, got %s %s", m.Kind, m.Region, m.Name, m.Want, got, m.Message)
	}
	p.line("")
}

func writeTargets(p *printer, r *Result) {
	p.line("== Targets ==")
	failed := 0
	for _, t := range r.Targets {
		if t.Status == targetFail {
			failed++
		}
		p.line("  %-4s  %-66s %s", t.Status, t.Name, t.Detail)
	}
	if r.Passed() {
		p.line("\nAll targets met.")
		return
	}
	p.line("\n%d of %d targets failed.", failed, len(r.Targets))
	if r.Config.WorkDir == "" {
		p.line("The work files (logs, reports) were removed; rerun with -keep DIR to inspect them.")
	}
}

// indentRest indents every line of s but the first.
func indentRest(s, indent string) string {
	return strings.ReplaceAll(s, "\n", "\n"+indent)
}

func writeJSONFile(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(data, '\n'), 0o644)
}

// writeChildHeader prints what every measured child process reports first:
// which run, its command, how it ended and how long it took.
func writeChildHeader(p *printer, id, name, command string, ok bool, failure string, exitCode int, wall time.Duration) {
	p.line("== %s. %s ==", id, name)
	p.line("  command       %s", command)
	status := "ok"
	if !ok {
		status = "FAILED: " + indentRest(failure, "                ")
	}
	p.line("  result        exit status %d, %s", exitCode, status)
	p.line("  wall time     %s", roundWall(wall))
}
