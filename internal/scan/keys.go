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
// shared by several scanned accounts is still described once. A key that
// could not be described is also a gap: the scan could not read part of the
// estate.
//
// With grants (a key-access check is selected) every customer-managed key is
// also read with kms:ListGrants, and a key of a scanned account whose grants
// could not be read is a gap too: those checks can then only say ERROR. A
// key of an account outside the scan is not read (only its owner can read
// its policy, without which grants decide nothing); its GrantsError says so
// and the checks report it, as they do for its policy.
func resolveKeys(ctx context.Context, accounts []reachedAccount, inv inventory.Inventory, limit int, grants bool) (*keys.Set, []inventory.Gap) {
	var opts []keys.Option
	if grants {
		opts = append(opts, keys.WithGrants())
	}
	resolvers := make(map[string]*keys.Resolver, len(accounts))
	for _, a := range accounts {
		cfg := a.cfg
		// The resolver asks for each region's client once and keeps it.
		clientFor := func(region string) keys.KMSAPI {
			return keys.KMSClientAPI(kms.NewFromConfig(cfg, func(o *kms.Options) { o.Region = region }))
		}
		resolvers[a.ID] = keys.NewResolver(a.ID, clientFor, opts...)
	}
	byResolver := map[string][]keys.Ref{}
	readerFor := map[string]string{} // key owner → account whose credentials read it
	for _, a := range accounts {
		readerFor[a.ID] = a.ID
	}
	// Each reference once, as written and where: 100,000 jobs name a few
	// dozen keys, and a Ref per slot held 50 MB.
	var refs []keys.Ref
	type written struct{ raw, account, region string }
	parsed := map[written]bool{}
	for _, r := range inv.Resources {
		for _, s := range r.Slots {
			w := written{s.KeyRef, r.Account, r.Region}
			if s.KeyRef == "" || parsed[w] {
				continue
			}
			parsed[w] = true
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
	if grants {
		gaps = append(gaps, grantGaps(set, resolvers)...)
	}
	return set, gaps
}

// grantGaps are the keys of scanned accounts (resolvers holds one per
// reached account) that were described but whose grants could not be read.
// A key that could not be described already has its gap.
func grantGaps(set *keys.Set, resolvers map[string]*keys.Resolver) []inventory.Gap {
	var gaps []inventory.Gap
	for _, k := range set.Distinct() {
		if _, scanned := resolvers[k.Account]; !scanned || !k.Known() || k.GrantsError == "" {
			continue
		}
		gaps = append(gaps, inventory.Gap{Account: k.Account, Region: k.Region, Service: "kms:ListGrants " + k.ARN, Reason: k.GrantsError})
	}
	return gaps
}
