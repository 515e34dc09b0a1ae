// Package scan is the orchestrator, the only package that knows every stage:
// collect (live AWS) → resolve keys → evaluate (pure) → report. Each stage
// hands the next a plain value, so stages are tested alone and later sources
// (IaC) and sinks (the store) plug in here.
package scan

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"

	"github.com/sagekey/sagekey/internal/awsclient"
	"github.com/sagekey/sagekey/internal/collect"
	smcollect "github.com/sagekey/sagekey/internal/collect/sagemaker"
	"github.com/sagekey/sagekey/internal/engine"
	"github.com/sagekey/sagekey/internal/history"
	"github.com/sagekey/sagekey/internal/inventory"
	"github.com/sagekey/sagekey/internal/keys"
	"github.com/sagekey/sagekey/internal/progress"
	"github.com/sagekey/sagekey/internal/report"
	"github.com/sagekey/sagekey/internal/rules"
	"github.com/sagekey/sagekey/internal/shard"
	"github.com/sagekey/sagekey/internal/version"
)

// AllRegions, as the only --regions value, means the account's enabled regions.
const AllRegions = "all"

// Options is everything a scan needs; the CLI fills it from flags and config.
type Options struct {
	AWS awsclient.Options
	// Accounts selects the accounts (default: the caller's own).
	Accounts awsclient.AccountsOptions
	// Regions to scan; empty means the configured region, ["all"] each
	// account's enabled regions.
	Regions     []string
	Settings    engine.Settings
	Concurrency int
	// RateScale multiplies sagekey's per-operation request rates (<= 0
	// means 1).
	RateScale float64
	// Since limits job history (kinds the catalog marks JobHistory) to jobs
	// created at or after it; zero means all history.
	Since time.Time
	// Store, when set, keeps the scan in history (run, findings, snapshot).
	Store Saver
	// Known, when set, keeps immutable records between scans so a re-scan
	// describes only what is new.
	Known KnownStore
	// Full ignores the records Known holds (they are still refreshed),
	// and reads every resource's tags with ListTags instead of
	// tag:GetResources pages.
	Full bool
	// TagLag is how recently a resource may have been created and still
	// have its tags read with ListTags rather than from tag:GetResources,
	// which is eventually consistent (<= 0: smcollect.DefaultTagLag).
	TagLag time.Duration
	// SearchLag is how far SageMaker Search's index may trail the API:
	// collectors that read with Search read again what was created or
	// changed within it (<= 0: smcollect.DefaultSearchLag).
	SearchLag time.Duration
	// Progress, when set, is told how far the scan has got.
	Progress *progress.Tracker
	// Now is the clock (tests pin it).
	Now func() time.Time
	// Shard, when set (Count > 0), limits the scan to the (account, region)
	// units this shard owns; Sweep names the sweep the stored run belongs
	// to (required then, see shard.DefaultSweep).
	Shard shard.Spec
	Sweep string

	// forceKeyAccess reads grants and IAM roles whatever checks are
	// selected, so tests of those reads do not depend on which rules exist.
	forceKeyAccess bool
}

// Result is a scan's report plus what the store keeps beside it.
type Result struct {
	Report    *report.Report
	Caller    awsclient.Caller
	Inventory inventory.Inventory
	// Keys are the distinct keys resolved, one per key ARN.
	Keys []keys.Key
	// KeyRefs maps canonical key references to key ARNs.
	KeyRefs map[string]string
	// Scope is what the scan could see: a finding it did not report is gone
	// only if the scope covers it.
	Scope history.Scope
}

// Run scans every selected account: reach the accounts (assume role,
// regions), collect account × region × collector, resolve keys, evaluate,
// store. It returns an error only when nothing could be scanned (no
// credentials, no region, no account list); everything narrower, down to
// a whole account that cannot be reached, becomes a gap in the report.
func Run(ctx context.Context, o Options) (*Result, error) {
	now := o.Now
	if now == nil {
		now = time.Now
	}
	if o.Shard.Sharded() && o.Sweep == "" {
		return nil, fmt.Errorf("shard %s: no sweep id to record it under", o.Shard)
	}
	rep := &report.Report{Started: now(), Since: o.Since, ToolVersion: version.String()}
	c, caller, err := loadClients(ctx, o)
	if err != nil {
		return nil, err
	}
	meter := c.meter
	accounts, err := awsclient.ResolveAccounts(ctx, c.caller, caller, o.Accounts)
	if err != nil {
		return nil, err
	}
	o.Progress.AddAccounts(len(accounts))
	reached, accountGaps := reachAccounts(ctx, c, accounts, o.Regions, o.Progress)
	// Keys and roles are read with their owner's credentials whichever
	// shard uses them, as an unsharded scan reads them.
	everyReached := reached
	accounts, reached, accountGaps = ownedUnits(o.Shard, accounts, reached, accountGaps)
	logShard(ctx, o, reached)
	rep.Accounts, rep.Regions = accountIDs(accounts), regionsOf(reached)
	limit := max(o.Concurrency, 1)

	var known *knownRecords
	if o.Known != nil {
		known = newKnownRecords(o.Known, !o.Full)
	}
	selected := engine.Select(rules.All(), o.Settings.Checks, o.Settings.SkipChecks)
	var tags *tagIndexes
	if !o.Full {
		tags = &tagIndexes{started: rep.Started, lag: o.TagLag}
	}
	jobs := collectJobs(reached, neededKinds(selected), o.Since, o.SearchLag, known.known(), tags)
	o.Progress.AddJobs(len(jobs))
	for i := range jobs {
		jobs[i].Collector = progressCollector{Collector: jobs[i].Collector, progress: o.Progress}
	}
	found := &collect.MemorySink{}
	outcomes := collect.Run(ctx, jobs, limit, &progressSink{Sink: found, progress: o.Progress})
	// Noted now, and let go of (the outcomes name their jobs, which name
	// the indexes), so that the tag indexes, a map entry per tagged
	// resource, are not kept alive to the end of the scan.
	rep.APICallNotes = tags.notes()
	for i := range outcomes {
		outcomes[i].Job.Target.Tags = nil
	}
	inv := found.Inventory()
	inv.Resources = withinWindow(inv.Resources, o.Since)
	keyAccess := o.forceKeyAccess || needsKeyAccess(selected)
	ks, keyGaps := resolveKeys(ctx, everyReached, inv, limit, keyAccess)
	inv.Gaps = append(append(inv.Gaps, accountGaps...), keyGaps...)
	if keyAccess {
		var iamGaps []inventory.Gap
		inv.IAM, iamGaps = readIAM(ctx, everyReached, inv.Resources, limit)
		inv.Gaps = append(inv.Gaps, iamGaps...)
	}

	settings := o.Settings
	if settings.Now.IsZero() {
		settings.Now = now()
	}
	rep.Findings = engine.Judge(inv, ks, settings)
	if o.Shard.Sharded() {
		rep.Findings = withoutKeyVerdicts(ctx, rep.Findings)
	}
	rep.Gaps = inv.Gaps
	rep.Finished = now()
	rep.APICalls = reportCalls(meter.Operations())
	slog.InfoContext(ctx, "scan finished", "accounts", len(accounts), "reached", len(reached),
		"resources", len(inv.Resources), "findings", rep.Findings.Len(), "gaps", len(rep.Gaps))
	res := &Result{
		Report: rep, Caller: caller, Inventory: inv, Keys: ks.Distinct(), KeyRefs: ks.RefIndex(),
		Scope: scopeOf(reached, selected, o.Since, outcomes),
	}
	if o.Store != nil {
		if err := save(ctx, o.saver(), res, o.Settings.OwnerTag); err != nil {
			return res, err
		}
		if err := o.judgeSweep(ctx, res); err != nil {
			return res, err
		}
	}
	if known != nil && ctx.Err() == nil {
		records, windows := known.toStore(ctx, inv, outcomes, o.Since, rep.Started)
		if err := o.Known.SaveKnown(ctx, records, windows); err != nil {
			return res, fmt.Errorf("storing records for the next scan: %w", err)
		}
		slog.InfoContext(ctx, "records stored for the next scan", "records", len(records), "windows", len(windows))
	}
	return res, ctx.Err()
}

// loadClients loads the AWS configuration (the first --regions region when
// none is configured), instruments it with a meter and the rate limits,
// and asks who the caller is.
func loadClients(ctx context.Context, o Options) (clients, awsclient.Caller, error) {
	awsOpts := o.AWS
	if awsOpts.Region == "" && len(o.Regions) > 0 && o.Regions[0] != AllRegions {
		awsOpts.Region = o.Regions[0]
	}
	base, err := awsclient.Load(ctx, awsOpts)
	if err != nil {
		return clients{}, awsclient.Caller{}, err
	}
	meter := awsclient.NewMeter()
	c := clients{base: base, caller: awsclient.Instrument(base, meter, awsclient.NewRateLimits(o.RateScale)), meter: meter, rateScale: o.RateScale}
	caller, err := awsclient.Identity(ctx, c.caller)
	if err != nil {
		return clients{}, awsclient.Caller{}, fmt.Errorf("who am I: %w", err)
	}
	return c, caller, nil
}

func resolveRegions(ctx context.Context, cfg aws.Config, requested []string) ([]string, error) {
	switch {
	case len(requested) == 1 && requested[0] == AllRegions:
		regions, err := awsclient.EnabledRegions(ctx, cfg)
		if err != nil {
			return nil, fmt.Errorf("listing enabled regions: %w", err)
		}
		return regions, nil
	case len(requested) > 0:
		out := append([]string(nil), requested...)
		sort.Strings(out)
		return out, nil
	case cfg.Region != "":
		return []string{cfg.Region}, nil
	}
	return nil, fmt.Errorf("no region: pass --regions or configure one (AWS_REGION or the profile)")
}

// collectJobs pairs every collector with every reached account and
// region. Each account and region shares one tag index (tags read in
// pages), unless tags is nil (a --full scan reads every tag with
// ListTags).
func collectJobs(accounts []reachedAccount, kinds map[string]bool, since time.Time, searchLag time.Duration, known collect.Known, tags *tagIndexes) []collect.Job {
	var jobs []collect.Job
	for _, a := range accounts {
		for _, region := range a.regions {
			api := smcollect.ClientAPI(sagemaker.NewFromConfig(a.cfg, func(o *sagemaker.Options) { o.Region = region }))
			var selected []collect.Collector
			for _, c := range smcollect.AllCollectors(api) {
				if wanted(c, kinds) {
					selected = append(selected, c)
				}
			}
			t := collect.Target{Account: a.ID, Region: region, Since: since, Known: known, SearchLag: searchLag}
			if idx := tags.forUnit(a, region, kinds); idx != nil {
				t.Tags = idx
			}
			jobs = append(jobs, collect.JobsFor(t, selected)...)
		}
	}
	return jobs
}

func accountIDs(accounts []awsclient.Account) []string {
	out := make([]string, len(accounts))
	for i, a := range accounts {
		out[i] = a.ID
	}
	return out
}

// regionsOf is the union of the reached accounts' regions, sorted.
func regionsOf(accounts []reachedAccount) []string {
	var out []string
	for _, a := range accounts {
		out = append(out, a.regions...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// progressCollector marks its job done for the progress display.
type progressCollector struct {
	collect.Collector
	progress *progress.Tracker
}

func (c progressCollector) Collect(ctx context.Context, t collect.Target, sink collect.Sink) error {
	defer c.progress.JobDone()
	return c.Collector.Collect(ctx, t, sink)
}

// progressSink counts resources for the progress display.
type progressSink struct {
	collect.Sink
	progress *progress.Tracker
}

func (s *progressSink) Resource(r inventory.Resource) {
	s.progress.Resource()
	s.Sink.Resource(r)
}

// neededKinds returns the resource kinds the selected checks read, or nil
// for all of them. Key checks need every kind: a key's blast radius spans
// the whole estate.
func neededKinds(selected []rules.Rule) map[string]bool {
	kinds := map[string]bool{}
	for _, r := range selected {
		if r.Kind == rules.KeyKind {
			return nil
		}
		kinds[r.Kind] = true
	}
	return kinds
}

func wanted(c collect.Collector, kinds map[string]bool) bool {
	if kinds == nil {
		return true
	}
	for _, k := range c.Kinds() {
		if kinds[k] {
			return true
		}
	}
	return false
}

func reportCalls(ops []awsclient.OperationCalls) []report.OperationCalls {
	out := make([]report.OperationCalls, len(ops))
	for i, op := range ops {
		out[i] = report.OperationCalls(op)
	}
	return out
}
