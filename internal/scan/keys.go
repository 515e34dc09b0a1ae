package scan

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/sagekey/sagekey/internal/inventory"
	"github.com/sagekey/sagekey/internal/keys"
)

// resolveKeys resolves every distinct key reference once. A key is read
// with the credentials of its own account when that account is scanned too
// (only the owner can read a key's policy and tags), otherwise with those
// of the first scanned account found using a key of that owner, so a key
// shared by several scanned accounts is still described once. A key that could not be described is also a
// gap: the scan could not read part of the estate.
func resolveKeys(ctx context.Context, accounts []reachedAccount, inv inventory.Inventory, limit int) (*keys.Set, []inventory.Gap) {
	resolvers := make(map[string]*keys.Resolver, len(accounts))
	for _, a := range accounts {
		cfg := a.cfg
		// The resolver asks for each region's client once and keeps it.
		clientFor := func(region string) keys.KMSAPI {
			return kms.NewFromConfig(cfg, func(o *kms.Options) { o.Region = region })
		}
		resolvers[a.ID] = keys.NewResolver(a.ID, clientFor)
	}
	byResolver := map[string][]keys.Ref{}
	readerFor := map[string]string{} // key owner → account whose credentials read it
	for _, a := range accounts {
		readerFor[a.ID] = a.ID
	}
	var refs []keys.Ref
	for _, r := range inv.Resources {
		for _, s := range r.Slots {
			if s.KeyRef == "" {
				continue
			}
			ref := keys.ParseRef(s.KeyRef, r.Account, r.Region)
			reader, ok := readerFor[ref.Account]
			if !ok {
				reader = r.Account
				readerFor[ref.Account] = reader
			}
			byResolver[reader] = append(byResolver[reader], ref)
			refs = append(refs, ref)
		}
	}
	set := keys.NewSet()
	for account, rs := range byResolver {
		if res, ok := resolvers[account]; ok {
			set.Merge(res.ResolveAll(ctx, rs, limit))
		}
	}
	var gaps []inventory.Gap
	seen := map[string]bool{}
	for _, ref := range refs {
		k, ok := set.Get(ref.Canonical())
		if !ok || k.Error == "" || seen[k.ARN] {
			continue
		}
		seen[k.ARN] = true
		gaps = append(gaps, inventory.Gap{Account: ref.Account, Region: ref.Region, Service: "kms:DescribeKey " + ref.Raw, Reason: k.Error})
	}
	return set, gaps
}
