package bench

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/sagekey/sagekey/internal/awsclient"
)

// WriteEventsText writes the events benchmark's plain-text report.
func WriteEventsText(w io.Writer, r *EventsResult) error {
	p := &printer{w: w}
	c := r.Config
	p.line("sagekey events benchmark (serve --queue, event in SQS → alert at the webhook)")
	p.line("  load          %g events/s for %s: %s CreateNotebookInstance events, each about a new notebook without a key",
		c.Rate, c.Duration, thousands(int64(c.Events)))
	if n := len(c.Accounts); n > 0 {
		p.line("  accounts      %d accounts × %g events/s, round-robin, each notebook in its own account (%s); serve --accounts, role %s",
			n, c.PerAccountRate(), strings.Join(c.Accounts, ", "), awsclient.DefaultRoleName)
	}
	p.line("  estate        %d notebooks before the events (%d with the CMK), one CMK with rotation, in %s; seeded in %s",
		r.Seed.Notebooks, r.Seed.Keyed, eventsAccount, roundSeconds(r.Seed.SetupSeconds))
	p.line("  queue         %s in %s (redrive to %s after %d receives)", r.Seed.Queue, eventsAccount, eventsDLQName, eventsMaxReceives)
	p.line("  proxy         latency %s on every request sagekey makes (SQS, SageMaker, KMS, STS)", c.Latency)
	p.line("  serve         --queue-pollers %d, store %s", c.Pollers, c.Store)
	p.line("  sagekey       %s", c.Sagekey)
	if c.WorkDir != "" {
		p.line("  work files    %s", c.WorkDir)
	}
	p.line("")

	if s := r.Serve; s != nil {
		p.line("== sagekey serve ==")
		p.line("  command       %s", s.Command)
		status := "ok (exit 0 after SIGTERM)"
		if !s.OK() {
			status = "FAILED: " + indentRest(s.Failure, "                ")
		}
		p.line("  status        %s", status)
		p.line("  first scan    stored %s after start; %d alerts for the base estate delivered before the events", roundSeconds(r.FirstScanSeconds), r.BaseAlerts)
		if s.PeakRSSKiB > 0 {
			p.line("  peak RSS      %.1f MiB", float64(s.PeakRSSKiB)/1024)
		}
		p.line("  log           %s", s.LogPath)
		p.line("")
	}

	g := r.Generator
	p.line("== Events sent ==")
	p.line("  sent          %s of %s (%d failed) in %s: %.1f events/s", thousands(int64(g.Sent)), thousands(int64(g.Planned)), g.Errors,
		roundSeconds(g.WallSeconds), g.AchievedRate)
	p.line("  schedule slip p50 %s, p99 %s, max %s (start of each event's notebook creation vs t0 + i/rate; ≤ %d in flight)",
		secondsText(g.SlipP50Seconds), secondsText(g.SlipP99Seconds), secondsText(g.SlipMaxSeconds), eventsInFlight)
	if g.Create.Count > 0 {
		p.line("  moto answers  CreateNotebookInstance p50 %s, p99 %s; SendMessage p50 %s, p99 %s (the generator's calls, straight to moto)",
			secondsText(g.Create.P50), secondsText(g.Create.P99), secondsText(g.Send.P50), secondsText(g.Send.P99))
	}
	if g.FirstError != "" {
		p.line("  first error   %s", g.FirstError)
	}
	p.line("")

	a, l := r.Alerts, r.Latency
	p.line("== Event → alert latency (SendMessage returned → violation_opened at the webhook) ==")
	p.line("  alerted       %s of %s events, %d missing, %d duplicates; at most %d violation_opened per notebook (one per failing check)",
		thousands(int64(a.Matched)), thousands(int64(g.Sent)), a.Missing, a.Duplicates, a.PerEvent)
	if len(a.ByAccount) > 1 {
		var parts []string
		for _, id := range slices.Sorted(maps.Keys(a.ByAccount)) {
			parts = append(parts, fmt.Sprintf("%s %s", id, thousands(int64(a.ByAccount[id]))))
		}
		p.line("  by account    %s", strings.Join(parts, ", "))
	}
	p.line("  webhook       %s distinct alerts received in all (the base estate's included), %d deliveries refused", thousands(int64(a.Received)), a.Refused)
	if l.Count > 0 {
		p.line("  latency       p50 %s   p90 %s   p99 %s   max %s   mean %s",
			secondsText(l.P50), secondsText(l.P90), secondsText(l.P99), secondsText(l.Max), secondsText(l.Mean))
	}
	p.line("")

	m := r.Metrics
	p.line("== serve's /metrics during the events ==")
	p.line("  events        %s", labelCounts(m.Events))
	p.line("  checks        %s", labelCounts(m.Checks))
	if d := m.CheckDuration; d.Count > 0 {
		p.line("  check time    p50 ≈ %s, p99 ≈ %s, mean %s over %s checks (sagekey_event_check_duration_seconds, interpolated in buckets)",
			secondsText(d.P50Seconds), secondsText(d.P99Seconds), secondsText(d.MeanSeconds), thousands(d.Count))
	}
	if d := m.Lag; d.Count > 0 {
		p.line("  event lag     p50 ≈ %s, p99 ≈ %s (sagekey_event_lag_seconds: eventTime to check stored, 1 s resolution of eventTime)",
			secondsText(d.P50Seconds), secondsText(d.P99Seconds))
	}
	if c := m.Checks["ok"] + m.Checks["incomplete"] + m.Checks["failed"]; c > 0 && g.Sent > 0 {
		p.line("  batching      %.1f events per check", float64(g.Sent)/c)
	}
	p.line("")

	if c := r.CPU; c != nil && c.WallSeconds > 0 {
		share := func(v *float64) string {
			if v == nil {
				return "not measured"
			}
			return fmt.Sprintf("%s (%.0f %% of one CPU)", seconds(*v), 100**v/c.WallSeconds)
		}
		p.line("== CPU time from the first event to the end of the wait (%s, %d CPUs) ==", roundSeconds(c.WallSeconds), c.CPUs)
		p.line("  moto_server   %s", share(c.MotoSeconds))
		p.line("  sagekey serve %s", share(c.ServeSeconds))
		p.line("  bench         %s (generator, proxy, webhook receiver)", share(&c.BenchSeconds))
		if c.OthersSeconds != nil {
			p.line("  others        %s (every other process of the machine)", share(c.OthersSeconds))
		}
		p.line("")
	}

	p.line("== AWS requests by sagekey during the events (the proxy's count; answer time = proxy latency + moto) ==")
	p.line("  total         %s", thousands(int64(r.Proxy.Total())))
	for _, op := range r.Proxy.Operations() {
		perEvent := ""
		if g.Sent > 0 {
			perEvent = fmt.Sprintf("%8.2f per event", float64(r.Proxy.Calls[op])/float64(g.Sent))
		}
		answer := ""
		if st, ok := r.AnswerTimes[op]; ok && st.Count > 0 {
			answer = fmt.Sprintf("   answered in p50 %s, p99 %s", secondsText(st.P50), secondsText(st.P99))
		}
		p.line("    %-40s %9s %s%s", op, thousands(int64(r.Proxy.Calls[op])), perEvent, answer)
	}
	if n := r.Proxy.TotalUnimplemented(); n > 0 {
		p.line("  unimplemented by moto (answered UnknownOperationException): %d", n)
	}
	p.line("")

	for _, w := range r.Warnings {
		p.line("WARNING: %s", w)
	}
	if len(r.Warnings) > 0 {
		p.line("")
	}
	writeEventsTargets(p, r)
	return p.err
}

// labelCounts prints a label → count map sorted by label.
func labelCounts(m map[string]float64) string {
	if len(m) == 0 {
		return "none"
	}
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, fmt.Sprintf("%s %s", k, thousands(int64(m[k]))))
	}
	return strings.Join(parts, ", ")
}

func writeEventsTargets(p *printer, r *EventsResult) {
	failed := writeTargetLines(p, r.Targets)
	if r.Passed() {
		p.line("\nAll targets met.")
		return
	}
	switch {
	case !r.Serve.OK():
		p.line("\nsagekey serve failed; targets are not met.")
	case r.Generator.Errors > 0:
		p.line("\nNot every event could be sent; targets are not met.")
	default:
		p.line("\n%d of %d targets failed.", failed, len(r.Targets))
	}
	if r.Config.WorkDir == "" {
		p.line("The work files (serve's log, database) were removed; rerun with -keep DIR to inspect them.")
	}
}
