package cli

import (
	"maps"
	"slices"
	"strings"

	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/inventory"
	"github.com/sagekey/sagekey/internal/keys"
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
		sc.Checks = append(sc.Checks, r.Scope.Checks...)
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

// mergeSnapshots joins the shards' snapshots into the one an unsharded
// scan would have stored. Resources and gaps belong to one unit each, so
// they are concatenated; keys and execution roles are per account or
// shared, so the copies are joined, a later shard's copy winning.
func mergeSnapshots(snaps []store.Snapshot) store.Snapshot {
	m := store.Snapshot{KeyRefs: map[string]string{}}
	byARN := map[string]int{}
	for _, s := range snaps {
		m.SchemaVersion = max(m.SchemaVersion, s.SchemaVersion)
		inv := &m.Inventory
		inv.SchemaVersion = max(inv.SchemaVersion, s.Inventory.SchemaVersion)
		inv.Resources = append(inv.Resources, s.Inventory.Resources...)
		inv.Gaps = append(inv.Gaps, s.Inventory.Gaps...)
		inv.IAM = mergeIAM(inv.IAM, s.Inventory.IAM)
		for _, k := range s.Keys {
			if i, ok := byARN[k.ARN]; ok {
				m.Keys[i] = k
				continue
			}
			byARN[k.ARN] = len(m.Keys)
			m.Keys = append(m.Keys, k)
		}
		maps.Copy(m.KeyRefs, s.KeyRefs)
	}
	if m.Keys == nil {
		m.Keys = []keys.Key{}
	}
	return m
}

// mergeIAM joins two shards' IAM of the same accounts. Each shard read only
// the execution roles its own resources name, so the roles are united; an
// account either shard could not read stays unknown, so no key-access
// verdict passes on half the facts.
func mergeIAM(into, more []inventory.AccountIAM) []inventory.AccountIAM {
	for _, a := range more {
		i := slices.IndexFunc(into, func(b inventory.AccountIAM) bool { return b.Account == a.Account })
		if i < 0 {
			into = append(into, inventory.AccountIAM{Account: a.Account, Roles: slices.Clone(a.Roles), Unknown: a.Unknown})
			continue
		}
		if into[i].Unknown == "" {
			into[i].Unknown = a.Unknown
		}
		for _, r := range a.Roles {
			j := slices.IndexFunc(into[i].Roles, func(b inventory.Role) bool { return b.ARN == r.ARN })
			if j < 0 {
				into[i].Roles = append(into[i].Roles, r)
			} else {
				into[i].Roles[j] = r
			}
		}
		slices.SortFunc(into[i].Roles, func(x, y inventory.Role) int { return strings.Compare(x.ARN, y.ARN) })
	}
	return into
}
