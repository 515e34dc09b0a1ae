package scan

import (
	"slices"
	"time"

	"github.com/sagekey/sagekey/internal/catalog"
	"github.com/sagekey/sagekey/internal/collect"
	"github.com/sagekey/sagekey/internal/history"
	"github.com/sagekey/sagekey/internal/inventory"
	"github.com/sagekey/sagekey/internal/rules"
)

// scopeOf states what the scan could see, for the store's lifecycle: a
// kind counts as covered in a region only when its collector finished
// without a gap, and key findings only when every collector of that region
// did (a key's findings exist only while some resource is seen using it).
func scopeOf(accounts []reachedAccount, selected []rules.Rule, since time.Time, outcomes []collect.Outcome) history.Scope {
	sc := history.Scope{Accounts: []string{}, Regions: regionsOf(accounts), Since: since, Complete: []history.Coverage{}}
	keyChecks := false
	for _, r := range selected {
		sc.Checks = append(sc.Checks, r.ID)
		keyChecks = keyChecks || r.Kind == rules.KeyKind
	}
	for _, a := range accounts {
		sc.Accounts = append(sc.Accounts, a.ID)
		for _, region := range a.regions {
			sc.Complete = append(sc.Complete, coverage(a.ID, region, keyChecks, outcomes))
		}
	}
	slices.Sort(sc.Accounts)
	return sc
}

func coverage(account, region string, keyChecks bool, outcomes []collect.Outcome) history.Coverage {
	cov := history.Coverage{Account: account, Region: region, Kinds: []string{}}
	all := true
	for _, o := range outcomes {
		if o.Job.Target.Region != region || o.Job.Target.Account != account {
			continue
		}
		if !o.Complete {
			all = false
			continue
		}
		cov.Kinds = append(cov.Kinds, o.Job.Collector.Kinds()...)
	}
	if all && keyChecks {
		cov.Kinds = append(cov.Kinds, rules.KeyKind)
	}
	slices.Sort(cov.Kinds)
	cov.Kinds = slices.Compact(cov.Kinds)
	return cov
}

// withinWindow drops jobs created before since: job history only grows, and
// --since bounds how much of it a scan judges. Other kinds, and jobs whose
// creation time is unknown, are kept.
func withinWindow(resources []inventory.Resource, since time.Time) []inventory.Resource {
	if since.IsZero() {
		return resources
	}
	return slices.DeleteFunc(resources, func(r inventory.Resource) bool {
		return catalog.IsJobHistory(r.Kind) && !r.CreatedAt.IsZero() && r.CreatedAt.Before(since)
	})
}
