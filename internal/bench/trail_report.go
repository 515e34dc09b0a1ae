package bench

import (
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// WriteTrailText writes the trail benchmark's plain-text report.
func WriteTrailText(w io.Writer, r *TrailResult) error {
	p := &printer{w: w}
	writeTrailHeader(p, r)
	for _, run := range []*TrailRun{r.First, r.Second} {
		if run != nil {
			writeTrailRun(p, run)
		}
	}
	writeSpeedup(p, r)
	writeRSSCheck(p, r)
	writeTrailTargets(p, r)
	return p.err
}

func writeTrailHeader(p *printer, r *TrailResult) {
	p.line("sagekey trail benchmark")
	if t := r.Trail; t != nil {
		p.line("  trail         %s events in %s gzipped hourly log files: %d days × %d regions (%s), account %s",
			thousands(int64(t.Events)), thousands(int64(t.Files)), t.Days, len(t.Regions), strings.Join(t.Regions, ", "), t.Account)
		p.line("  of interest   %s KMS or SageMaker events (%s); %s records name kms or sagemaker.amazonaws.com and pass the byte prefilter",
			thousands(int64(t.Interesting)), percent(int64(t.Interesting), int64(t.Events)), thousands(int64(t.Candidates)))
		p.line("  size          %s gzipped, %s of JSON", mib(t.Bytes), mib(t.RawBytes))
		p.line("  location      %s, window %s to %s", t.URI, t.From.Format(time.RFC3339), t.To.Format(time.RFC3339))
		p.line("  setup         generated and uploaded in %s (%d PutObject workers straight to moto; setup, not measured)",
			roundSeconds(t.SetupSeconds), trailUploaders)
	}
	p.line("  proxy         latency %s on every request; %g %% of S3 requests answered 503 SlowDown (seed %d)",
		r.Config.Latency, r.Config.ThrottlePercent, r.Config.Seed)
	p.line("  sagekey       %s", r.Config.Sagekey)
	if r.Config.WorkDir != "" {
		p.line("  work files    %s", r.Config.WorkDir)
	}
	p.line("")
}

func writeTrailRun(p *printer, run *TrailRun) {
	writeChildHeader(p, run.ID, run.Name, run.Command, run.OK(), run.Failure, run.ExitCode, run.Wall)
	if run.PeakRSSKiB > 0 {
		p.line("  peak RSS      %.1f MiB", run.PeakRSSMiB())
	} else {
		p.line("  peak RSS      not measured")
	}
	if run.CPU != nil {
		p.line("  CPU time      %s", cpuText(run.CPU, run.Wall))
	}
	if !run.OK() {
		p.line("")
		return
	}
	rd := run.Read
	p.line("  objects       %s read, %s already read, %d failed, of %s listed (%s read)",
		thousands(int64(rd.Read)), thousands(int64(rd.Skipped)), rd.Failed, thousands(int64(rd.Listed)), mib(rd.Bytes))
	p.line("  events        %s read, %s of interest", thousands(rd.Events), thousands(rd.Matched))
	p.line("  throughput    %s events/s", thousands(int64(run.EventsPerSecond)))
	self := run.SelfTotal()
	p.line("  API calls     %s by sagekey's count (%s retries, %s throttled); the proxy saw %s requests (%s answered SlowDown)",
		thousands(self.Total), thousands(self.Retries), thousands(self.Throttles),
		thousands(int64(run.Proxy.Total())), thousands(int64(run.Proxy.TotalThrottled())))
	p.line("  %-42s %9s %9s %9s %9s", "calls by operation", "sagekey", "retries", "throttled", "proxy")
	for _, row := range callRows(run) {
		p.line("    %-40s %9s %9s %9s %9s", row.op, row.calls, row.retries, row.throttles, row.proxy)
	}
	p.line("")
}

// callRow is one operation of a run: sagekey's count next to the proxy's.
type callRow struct{ op, calls, retries, throttles, proxy string }

// callRows joins sagekey's per-operation counts with the proxy's, sorted by
// operation; "-" marks an operation only one of them saw.
func callRows(run *TrailRun) []callRow {
	self := map[string]int{}
	for i, op := range run.APICalls {
		self[op.Operation] = i
	}
	ops := slices.Sorted(maps.Keys(self))
	for op := range run.Proxy.Calls {
		if _, ok := self[op]; !ok {
			ops = append(ops, op)
		}
	}
	slices.Sort(ops)
	rows := make([]callRow, 0, len(ops))
	for _, op := range ops {
		row := callRow{op: op, calls: "-", retries: "-", throttles: "-", proxy: "-"}
		if i, ok := self[op]; ok {
			c := run.APICalls[i]
			row.calls, row.retries, row.throttles = thousands(c.Calls), thousands(c.Retries), thousands(c.Throttles)
		}
		if n, ok := run.Proxy.Calls[op]; ok {
			row.proxy = thousands(int64(n))
		}
		rows = append(rows, row)
	}
	return rows
}

func writeSpeedup(p *printer, r *TrailResult) {
	p.line("== Run 2 / run 1 ==")
	if r.Speedup == 0 {
		p.line("  not available (%s)\n", trailFailedCause(r.First, r.Second))
		return
	}
	p.line("  wall time     %s / %s: run 2 is %.1f× faster", roundWall(r.First.Wall), roundWall(r.Second.Wall), r.Speedup)
	p.line("")
}

func writeRSSCheck(p *printer, r *TrailResult) {
	p.line("== Peak RSS vs number of events (first runs, fresh database) ==")
	if !r.Config.RSSCheck {
		p.line("  skipped (-rss-check=false)\n")
		return
	}
	if t := r.SmallTrail; t != nil {
		p.line("  the smaller trail: %s events in %s files (%s gzipped), same days and regions, uploaded in %s",
			thousands(int64(t.Events)), thousands(int64(t.Files)), mib(t.Bytes), roundSeconds(t.SetupSeconds))
	}
	p.line("  %12s %9s %14s %10s %12s %10s", "events", "files", "gzipped", "wall", "events/s", "peak RSS")
	for _, row := range []struct {
		run *TrailRun
		t   *TrailSetup
	}{{r.First, r.Trail}, {r.Small, r.SmallTrail}} {
		switch {
		case row.t == nil:
			continue
		case !row.run.OK():
			p.line("  %12s %9s %14s  %s", thousands(int64(row.t.Events)), thousands(int64(row.t.Files)), mib(row.t.Bytes), trailFailedCause(row.run))
		default:
			p.line("  %12s %9s %14s %10s %12s %10s", thousands(int64(row.t.Events)), thousands(int64(row.t.Files)), mib(row.t.Bytes),
				roundWall(row.run.Wall), thousands(int64(row.run.EventsPerSecond)), rssText(row.run))
		}
	}
	p.line("")
}

// cpuText says how the CPU time of a run was shared, and how much of the
// machine it took: near 100 % the run was bound by the CPUs, whoever used
// them.
func cpuText(c *TrailCPU, wall time.Duration) string {
	total := c.SagekeySeconds + c.ProxySeconds
	moto := "moto_server not measured"
	if c.MotoSeconds != nil {
		total += *c.MotoSeconds
		moto = "moto_server " + seconds(*c.MotoSeconds)
	}
	text := "sagekey " + seconds(c.SagekeySeconds) + ", " + moto + ", proxy " + seconds(c.ProxySeconds) + ": " + seconds(total)
	if capacity := wall.Seconds() * float64(c.CPUs); capacity > 0 {
		text += " of the " + seconds(capacity) + " that " + strconv.Itoa(c.CPUs) + " CPUs had (" +
			strconv.FormatFloat(100*total/capacity, 'f', 0, 64) + " %)"
	}
	return text
}

func seconds(s float64) string { return strconv.FormatFloat(s, 'f', 2, 64) + "s" }

func rssText(run *TrailRun) string {
	if run.PeakRSSKiB == 0 {
		return "n/a"
	}
	return strconv.FormatFloat(run.PeakRSSMiB(), 'f', 1, 64) + " MiB"
}

func writeTrailTargets(p *printer, r *TrailResult) {
	failed := writeTargetLines(p, r.Targets)
	if r.Passed() {
		p.line("\nAll targets met.")
		return
	}
	p.line("\n%d of %d targets failed.", failed, len(r.Targets))
	if r.Config.WorkDir == "" {
		p.line("The work files (logs, reports) were removed; rerun with -keep DIR to inspect them.")
	}
}

// writeTargetLines prints the targets as PASS/FAIL lines, names aligned,
// and returns how many failed.
func writeTargetLines(p *printer, targets []Target) int {
	p.line("== Targets ==")
	failed, width := 0, 0
	for _, t := range targets {
		width = max(width, utf8.RuneCountInString(t.Name))
	}
	for _, t := range targets {
		if t.Status == targetFail {
			failed++
		}
		p.line("  %-4s  %-*s  %s", t.Status, width, t.Name, t.Detail)
	}
	return failed
}

// thousands formats n with comma thousands separators: 1,000,000.
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// percent is part/whole as "2.00 %", or "n/a" for an empty whole.
func percent(part, whole int64) string {
	if whole == 0 {
		return "n/a"
	}
	return strconv.FormatFloat(100*float64(part)/float64(whole), 'f', 2, 64) + " %"
}

// mib formats a byte count in MiB with one decimal.
func mib(bytes int64) string {
	return strconv.FormatFloat(float64(bytes)/(1<<20), 'f', 1, 64) + " MiB"
}

func roundSeconds(s float64) time.Duration {
	return roundWall(time.Duration(s * float64(time.Second)))
}
