package scan

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/sagekey/sagekey/internal/inventory"
)

// iamFreshness is how long a Checker reuses an account's IAM read. The
// key-access checks need the execution roles' policies, which one
// iam:GetAccountAuthorizationDetails read returns for the whole account;
// it is paginated, slow in large accounts and limited to 10 calls a second,
// so reading it for every event would cap the checks at that rate. IAM
// changes are not among the events, so a minute-old read is as current as
// the checks can know; scheduled scans read it afresh.
const iamFreshness = time.Minute

// iamCache keeps each account's IAM read for iamFreshness.
type iamCache struct {
	mu        sync.Mutex
	byAccount map[string]cachedIAM // account → its read
}

type cachedIAM struct {
	at    time.Time
	iam   inventory.AccountIAM
	roles []string // the roles the read covered
}

// read returns the IAM of the accounts the resources' roles belong to,
// reading an account again only when its cached read is stale or misses
// one of the roles now needed. A failed read is not cached.
func (c *iamCache) read(ctx context.Context, accounts []reachedAccount, resources []inventory.Resource, limit int) ([]inventory.AccountIAM, []inventory.Gap) {
	needed := rolesByAccount(accounts, resources)
	now := time.Now()
	var out []inventory.AccountIAM
	var stale []reachedAccount
	c.mu.Lock()
	for _, a := range accounts {
		roles := needed[a.ID]
		if len(roles) == 0 {
			continue
		}
		got, ok := c.byAccount[a.ID]
		if ok && now.Sub(got.at) < iamFreshness && covers(got.roles, roles) {
			out = append(out, got.iam)
			continue
		}
		stale = append(stale, a)
	}
	c.mu.Unlock()
	if len(stale) == 0 {
		return out, nil
	}
	fresh, gaps := readIAM(ctx, stale, resources, limit)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byAccount == nil {
		c.byAccount = map[string]cachedIAM{}
	}
	for _, a := range fresh {
		if a.Unknown == "" {
			c.byAccount[a.Account] = cachedIAM{at: now, iam: a, roles: needed[a.Account]}
		}
	}
	out = append(out, fresh...)
	slices.SortFunc(out, func(a, b inventory.AccountIAM) int { return strings.Compare(a.Account, b.Account) })
	return out, gaps
}

func covers(have, want []string) bool {
	for _, r := range want {
		if !slices.Contains(have, r) {
			return false
		}
	}
	return true
}
