package cli

import (
	"slices"

	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/store"
)

// mergeRuns is the run record of a sweep read as one scan: runs are the
// latest run of each shard, and each (account, region) unit lies in
// exactly one shard's scope, so scopes, counts and gaps add up.
func mergeRuns(runs []store.Run) store.Run {
	m := store.Run{Counts: map[finding.Status]int{}}
	for i, r := range runs {
		if i == 0 {
			m.Started, m.Finished = r.Started, r.Finished
			m.Principal, m.User, m.ToolVersion = r.Principal, r.User, r.ToolVersion
		}
		m.ID = max(m.ID, r.ID)
		if r.Started.Before(m.Started) {
			m.Started = r.Started
		}
		if r.Finished.After(m.Finished) {
			m.Finished = r.Finished
		}
		for s, n := range r.Counts {
			m.Counts[s] += n
		}
		m.Gaps += r.Gaps
		sc := &m.Scope
		sc.Accounts = append(sc.Accounts, r.Scope.Accounts...)
		sc.Regions = append(sc.Regions, r.Scope.Regions...)
		// A shard defers its key checks to the sweep: read as one scan,
		// the sweep runs them.
		sc.Checks = append(append(sc.Checks, r.Scope.Checks...), r.Scope.Deferred...)
		sc.Complete = append(sc.Complete, r.Scope.Complete...)
		// The narrowest --since window: a shard that listed fewer jobs
		// cannot vouch for the older ones.
		if r.Scope.Since.After(sc.Since) {
			sc.Since = r.Scope.Since
		}
	}
	for _, l := range []*[]string{&m.Scope.Accounts, &m.Scope.Regions, &m.Scope.Checks} {
		if *l == nil {
			*l = []string{}
		}
		slices.Sort(*l)
		*l = slices.Compact(*l)
	}
	return m
}
