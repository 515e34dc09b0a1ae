// Package scan is the orchestrator, the only package that knows every stage:
// collect (live AWS) → resolve keys → evaluate (pure) → report. Each stage
// hands the next a plain value, so stages are tested alone and later sources
// (IaC) and sinks (the store) plug in here.
package scan

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"

	"github.com/sagekey/sagekey/internal/awsclient"
	"github.com/sagekey/sagekey/internal/collect"
	smcollect "github.com/sagekey/sagekey/internal/collect/sagemaker"
	"github.com/sagekey/sagekey/internal/engine"
	"github.com/sagekey/sagekey/internal/history"
	"github.com/sagekey/sagekey/internal/inventory"
	"github.com/sagekey/sagekey/internal/keys"
	"github.com/sagekey/sagekey/internal/report"
	"github.com/sagekey/sagekey/internal/rules"
)

// AllRegions, as the only --regions value, means the account's enabled regions.
const AllRegions = "all"

// Options is everything a scan needs; the CLI fills it from flags and config.
type Options struct {
	AWS awsclient.Options
	// Regions to scan; empty means the configured region, ["all"] the
	// account's enabled regions.
	Regions     []string
	Settings    engine.Settings
	Concurrency int
	// Since limits job history (kinds the catalog marks JobHistory) to jobs
	// created at or after it; zero means all history.
	Since time.Time
	// Store, when set, keeps the scan in history (run, findings, snapshot).
	Store Saver
	// Now is the clock (tests pin it).
	Now func() time.Time
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

// Run performs one scan of the account the credentials belong to. It returns
// an error only when nothing could be scanned (no credentials, no region);
// everything narrower becomes a gap in the report.
func Run(ctx context.Context, o Options) (*Result, error) {
	now := o.Now
	if now == nil {
		now = time.Now
	}
	rep := &report.Report{Started: now(), Since: o.Since}
	awsOpts := o.AWS
	if awsOpts.Region == "" && len(o.Regions) > 0 && o.Regions[0] != AllRegions {
		awsOpts.Region = o.Regions[0]
	}
	cfg, err := awsclient.Load(ctx, awsOpts)
	if err != nil {
		return nil, err
	}
	caller, err := awsclient.Identity(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("who am I: %w", err)
	}
	account := caller.Account
	regions, err := resolveRegions(ctx, cfg, o.Regions)
	if err != nil {
		return nil, err
	}
	rep.Accounts, rep.Regions = []string{account}, regions
	limit := max(o.Concurrency, 1)

	selected := engine.Select(rules.All(), o.Settings.Checks, o.Settings.SkipChecks)
	inv, outcomes := collectAll(ctx, cfg, account, regions, limit, neededKinds(selected))
	inv.Resources = withinWindow(inv.Resources, o.Since)
	ks, keyGaps := resolveKeys(ctx, cfg, account, inv, limit)
	inv.Gaps = append(inv.Gaps, keyGaps...)

	settings := o.Settings
	if settings.Now.IsZero() {
		settings.Now = now()
	}
	rep.Findings = engine.Evaluate(inv, ks, settings)
	rep.Gaps = inv.Gaps
	rep.Finished = now()
	slog.InfoContext(ctx, "scan finished", "account", account, "regions", len(regions),
		"resources", len(inv.Resources), "findings", len(rep.Findings), "gaps", len(rep.Gaps))
	res := &Result{
		Report: rep, Caller: caller, Inventory: inv, Keys: ks.Distinct(), KeyRefs: ks.RefIndex(),
		Scope: scopeOf(account, regions, selected, o.Since, outcomes),
	}
	if o.Store != nil {
		if err := save(ctx, o.Store, res); err != nil {
			return res, err
		}
	}
	return res, ctx.Err()
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

// collectAll fans out over region × collector.
func collectAll(ctx context.Context, cfg aws.Config, account string, regions []string, limit int, kinds map[string]bool) (inventory.Inventory, []collect.Outcome) {
	var jobs []collect.Job
	for _, region := range regions {
		api := sagemaker.NewFromConfig(cfg, func(o *sagemaker.Options) { o.Region = region })
		var selected []collect.Collector
		for _, c := range smcollect.AllCollectors(api) {
			if wanted(c, kinds) {
				selected = append(selected, c)
			}
		}
		jobs = append(jobs, collect.JobsFor(collect.Target{Account: account, Region: region}, selected)...)
	}
	sink := &collect.MemorySink{}
	outcomes := collect.Run(ctx, jobs, limit, sink)
	return sink.Inventory(), outcomes
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

// resolveKeys resolves every distinct key reference once. A key that could
// not be described is also a gap: the scan could not read part of the estate.
func resolveKeys(ctx context.Context, cfg aws.Config, account string, inv inventory.Inventory, limit int) (*keys.Set, []inventory.Gap) {
	var refs []keys.Ref
	for _, r := range inv.Resources {
		for _, s := range r.Slots {
			if s.KeyRef != "" {
				refs = append(refs, keys.ParseRef(s.KeyRef, r.Account, r.Region))
			}
		}
	}
	// The resolver asks for each region's client once and keeps it.
	clientFor := func(region string) keys.KMSAPI {
		return kms.NewFromConfig(cfg, func(o *kms.Options) { o.Region = region })
	}
	ks := keys.NewResolver(account, clientFor).ResolveAll(ctx, refs, limit)
	var gaps []inventory.Gap
	seen := map[string]bool{}
	for _, ref := range refs {
		k, ok := ks.Get(ref.Canonical())
		if !ok || k.Error == "" || seen[k.ARN] {
			continue
		}
		seen[k.ARN] = true
		gaps = append(gaps, inventory.Gap{Account: ref.Account, Region: ref.Region, Service: "kms:DescribeKey " + ref.Raw, Reason: k.Error})
	}
	return ks, gaps
}
