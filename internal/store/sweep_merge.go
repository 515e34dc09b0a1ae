package store

import (
	"maps"
	"slices"
	"strings"

	"github.com/sagekey/sagekey/internal/inventory"
	"github.com/sagekey/sagekey/internal/keys"
)

// MergeSnapshots joins the shards' snapshots into the one an unsharded
// scan would have stored. Resources and gaps belong to one unit each, so
// they are concatenated; keys and execution roles are per account or
// shared, so the copies are joined, a later shard's copy winning unless
// only the earlier one could be read.
func MergeSnapshots(snaps []Snapshot) Snapshot {
	m := Snapshot{KeyRefs: map[string]string{}}
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
				// A copy that could be read (by the key's owner) beats one
				// that could not (read across accounts without its policy).
				if k.Error == "" || m.Keys[i].Error != "" {
					m.Keys[i] = k
				}
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
