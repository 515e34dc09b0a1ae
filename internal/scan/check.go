package scan

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sagemaker"

	"github.com/sagekey/sagekey/internal/awsclient"
	"github.com/sagekey/sagekey/internal/collect"
	smcollect "github.com/sagekey/sagekey/internal/collect/sagemaker"
	"github.com/sagekey/sagekey/internal/engine"
	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/history"
	"github.com/sagekey/sagekey/internal/inventory"
	"github.com/sagekey/sagekey/internal/keys"
	"github.com/sagekey/sagekey/internal/report"
	"github.com/sagekey/sagekey/internal/rules"
	"github.com/sagekey/sagekey/internal/version"
)

// accountsRefresh is how long a Checker trusts its list of accounts before
// an event from an account it does not know makes it ask the organization
// again: accounts join, but not every second.
const accountsRefresh = 10 * time.Minute

// Ref is one resource an event asks to check again, in its account and
// region.
type Ref struct {
	Account string
	Region  string
	collect.Ref
}

// Checker re-checks named resources between scans (sagekey serve --queue).
// The configuration, the caller and each account's assumed role are loaded
// once and reused, so a check costs the resources' own calls, not a scan's
// start-up. It is safe for concurrent use.
type Checker struct {
	o        Options
	c        clients
	caller   awsclient.Caller
	selected []rules.Rule

	iam iamCache

	mu         sync.Mutex
	accounts   map[string]awsclient.Account // the configured accounts
	resolvedAt time.Time
	reached    map[string]reachedAccount // account id → its configuration
}

// NewChecker loads the AWS configuration and identity, and lists the
// configured accounts, as a scan with the same options would.
func NewChecker(ctx context.Context, o Options) (*Checker, error) {
	c, caller, err := loadClients(ctx, o)
	if err != nil {
		return nil, err
	}
	k := &Checker{o: o, c: c, caller: caller, reached: map[string]reachedAccount{},
		selected: engine.Select(rules.All(), o.Settings.Checks, o.Settings.SkipChecks)}
	if err := k.resolveAccounts(ctx); err != nil {
		return nil, err
	}
	return k, nil
}

func (k *Checker) resolveAccounts(ctx context.Context) error {
	list, err := awsclient.ResolveAccounts(ctx, k.c.caller, k.caller, k.o.Accounts)
	if err != nil {
		return err
	}
	accounts := make(map[string]awsclient.Account, len(list))
	for _, a := range list {
		accounts[a.ID] = a
	}
	k.mu.Lock()
	k.accounts, k.resolvedAt = accounts, time.Now()
	k.mu.Unlock()
	return nil
}

// Covers reports whether a check of account and region lies in what the
// scans are configured to read: an event from anywhere else is not
// sagekey's to judge. An organization's account list is asked again, at
// most every accountsRefresh, for an account it does not hold.
func (k *Checker) Covers(ctx context.Context, account, region string) bool {
	if !k.regionConfigured(region) {
		return false
	}
	k.mu.Lock()
	_, ok := k.accounts[account]
	stale := time.Since(k.resolvedAt) > accountsRefresh
	k.mu.Unlock()
	if ok || !k.o.Accounts.Org || !stale {
		return ok
	}
	if err := k.resolveAccounts(ctx); err != nil {
		slog.WarnContext(ctx, "listing the organization's accounts again failed", "error", err)
		return false
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	_, ok = k.accounts[account]
	return ok
}

func (k *Checker) regionConfigured(region string) bool {
	switch {
	case region == "":
		return false
	case len(k.o.Regions) == 0:
		return region == k.c.base.Region
	case len(k.o.Regions) == 1 && k.o.Regions[0] == AllRegions:
		return true
	}
	return slices.Contains(k.o.Regions, region)
}

// reach returns the configuration that reads account, assuming its role
// the first time.
func (k *Checker) reach(ctx context.Context, account string, regions []string) (reachedAccount, *inventory.Gap) {
	k.mu.Lock()
	r, ok := k.reached[account]
	a, known := k.accounts[account]
	k.mu.Unlock()
	if ok {
		r.regions = regions
		return r, nil
	}
	if !known {
		return reachedAccount{}, &inventory.Gap{Account: account, Service: "sagekey", Reason: "the account is not among the accounts configured to scan"}
	}
	r, gap := reachAccount(ctx, k.c, a, regions)
	if gap != nil {
		return r, gap
	}
	k.mu.Lock()
	k.reached[account] = r
	k.mu.Unlock()
	return r, nil
}

// Check reads refs (Describe, tags, keys, and IAM when a key-access check
// is selected), evaluates them and stores the result as a targeted run:
// its scope is exactly the refs read without a gap, so the findings of a
// ref that no longer exists resolve as deleted and nothing else changes.
//
// Key findings are kept only for the keys in judgeKeys (ARNs): a key event
// re-checks every resource the key protects, so its findings are judged on
// its whole blast radius; from one resource's point of view a key's
// findings (who else uses it, its least privilege) would be judged on part
// of it.
func (k *Checker) Check(ctx context.Context, refs []Ref, judgeKeys []string) (*Result, error) {
	rep := &report.Report{Started: time.Now(), ToolVersion: version.String()}
	units := groupRefs(refs)
	var (
		reached []reachedAccount
		gaps    []inventory.Gap
		jobs    []collect.Job
	)
	for _, account := range sortedKeys(units) {
		regions := sortedKeys(units[account])
		a, gap := k.reach(ctx, account, regions)
		if gap != nil {
			gaps = append(gaps, *gap)
			continue
		}
		reached = append(reached, a)
		for _, region := range regions {
			jobs = append(jobs, k.jobs(a, region, units[account][region])...)
		}
	}
	limit := max(k.o.Concurrency, 1)
	found := &collect.MemorySink{}
	outcomes := collect.Run(ctx, jobs, limit, found)
	inv := found.Inventory()
	keyReaders := k.keyOwners(ctx, reached, inv)
	keyAccess := needsKeyAccess(k.selected)
	ks, keyGaps := resolveKeys(ctx, keyReaders, inv, limit, keyAccess)
	inv.Gaps = append(append(inv.Gaps, gaps...), keyGaps...)
	if keyAccess {
		var iamGaps []inventory.Gap
		inv.IAM, iamGaps = k.iam.read(ctx, keyReaders, inv.Resources, limit)
		inv.Gaps = append(inv.Gaps, iamGaps...)
	}
	settings := k.o.Settings
	settings.Now = time.Now()
	rep.Findings = engine.Judge(inv, ks, settings).Where(func(f *finding.Finding) bool {
		return f.Resource.Kind != rules.KeyKind || slices.Contains(judgeKeys, f.Resource.ARN)
	})
	rep.Gaps = inv.Gaps
	rep.Finished = time.Now()
	rep.Accounts, rep.Regions = accountIDsOf(reached), regionsOf(reached)
	res := &Result{
		Report: rep, Caller: k.caller, Inventory: inv, Keys: ks.Distinct(), KeyRefs: ks.RefIndex(),
		Scope: targetedScope(reached, k.selected, refs, inv.Resources, outcomes),
	}
	if k.o.Store != nil {
		if err := save(ctx, k.o.Store, res, k.o.Settings.OwnerTag); err != nil {
			return res, err
		}
	}
	return res, ctx.Err()
}

// jobs are the collectors of the refs' kinds in one account and region,
// each told to read only the refs.
func (k *Checker) jobs(a reachedAccount, region string, refs []collect.Ref) []collect.Job {
	kinds := map[string]bool{}
	for _, r := range refs {
		kinds[r.Kind] = true
	}
	api := smcollect.ClientAPI(sagemaker.NewFromConfig(a.cfg, func(o *sagemaker.Options) { o.Region = region }))
	var selected []collect.Collector
	for _, c := range smcollect.AllCollectors(api) {
		if wanted(c, kinds) {
			selected = append(selected, c)
		}
	}
	return collect.JobsFor(collect.Target{Account: a.ID, Region: region, Only: refs}, selected)
}

// keyOwners adds to reached the configured accounts that own the keys the
// resources name, so a key of another account of the estate is read with
// its owner's credentials, as a scan of the whole estate reads it.
func (k *Checker) keyOwners(ctx context.Context, reached []reachedAccount, inv inventory.Inventory) []reachedAccount {
	have := map[string]bool{}
	for _, a := range reached {
		have[a.ID] = true
	}
	out := slices.Clone(reached)
	for _, r := range inv.Resources {
		for _, s := range r.Slots {
			if s.KeyRef == "" {
				continue
			}
			owner := keys.ParseRef(s.KeyRef, r.Account, r.Region).Account
			if have[owner] {
				continue
			}
			have[owner] = true
			k.mu.Lock()
			_, configured := k.accounts[owner]
			k.mu.Unlock()
			if !configured {
				continue
			}
			if a, gap := k.reach(ctx, owner, nil); gap == nil {
				out = append(out, a)
			}
		}
	}
	return out
}

// targetedScope covers the refs and the resources read by collector jobs
// that finished without a gap: a ref that was read and not found is gone,
// and a ref whose read failed proves nothing.
func targetedScope(reached []reachedAccount, selected []rules.Rule, refs []Ref, resources []inventory.Resource, outcomes []collect.Outcome) history.Scope {
	sc := history.Scope{Accounts: accountIDsOf(reached), Regions: regionsOf(reached), Complete: []history.Coverage{}, Targeted: true}
	for _, r := range selected {
		sc.Checks = append(sc.Checks, r.ID)
	}
	done := map[string]bool{} // account/region/kind read completely
	for _, o := range outcomes {
		if o.Complete {
			for _, kind := range o.Job.Collector.Kinds() {
				done[o.Job.Target.Account+"/"+o.Job.Target.Region+"/"+kind] = true
			}
		}
	}
	seen := map[string]bool{}
	add := func(arn string) {
		if arn != "" && !seen[strings.ToLower(arn)] {
			seen[strings.ToLower(arn)] = true
			sc.Resources = append(sc.Resources, arn)
		}
	}
	for _, r := range refs {
		if done[r.Account+"/"+r.Region+"/"+r.Kind] {
			add(r.ARN)
		}
	}
	for _, r := range resources {
		if done[r.Account+"/"+r.Region+"/"+r.Kind] {
			add(r.ARN)
		}
	}
	slices.Sort(sc.Resources)
	return sc
}

func groupRefs(refs []Ref) map[string]map[string][]collect.Ref {
	out := map[string]map[string][]collect.Ref{}
	for _, r := range refs {
		if out[r.Account] == nil {
			out[r.Account] = map[string][]collect.Ref{}
		}
		out[r.Account][r.Region] = append(out[r.Account][r.Region], r.Ref)
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func accountIDsOf(reached []reachedAccount) []string {
	out := make([]string, 0, len(reached))
	for _, a := range reached {
		out = append(out, a.ID)
	}
	slices.Sort(out)
	return slices.Compact(out)
}
