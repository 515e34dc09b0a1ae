package scan

import (
	"context"
	"testing"
	"time"

	"github.com/sagekey/sagekey/internal/awsclient"
	"github.com/sagekey/sagekey/internal/inventory"
)

// TestIAMCacheServesFreshReads: a fresh read covering the roles is served
// without a call; a stale one, or one missing a role, is read again (here
// the read fails, having no AWS to call, which shows it was attempted).
func TestIAMCacheServesFreshReads(t *testing.T) {
	ctx := context.Background()
	role := "arn:aws:iam::111122223333:role/sagemaker"
	other := "arn:aws:iam::111122223333:role/other"
	accounts := []reachedAccount{{Account: awsclient.Account{ID: "111122223333"}}}
	res := func(roles ...string) []inventory.Resource {
		return []inventory.Resource{{ARN: "arn:aws:sagemaker:us-east-1:111122223333:notebook-instance/nb", ExecutionRoles: roles}}
	}
	cached := inventory.AccountIAM{Account: "111122223333", Roles: []inventory.Role{{ARN: role}}}
	c := iamCache{byAccount: map[string]cachedIAM{"111122223333": {at: time.Now(), iam: cached, roles: []string{role}}}}

	got, gaps := c.read(ctx, accounts, res(role), 1)
	if len(got) != 1 || len(got[0].Roles) != 1 || got[0].Unknown != "" || len(gaps) != 0 {
		t.Fatalf("fresh covering read: %+v, gaps %v; want the cached read", got, gaps)
	}
	if got, _ := c.read(ctx, accounts, res(role, other), 1); len(got) != 1 || got[0].Unknown == "" {
		t.Errorf("a role the cached read lacks: %+v, want a new (here failing) read", got)
	}
	c.byAccount["111122223333"] = cachedIAM{at: time.Now().Add(-2 * iamFreshness), iam: cached, roles: []string{role}}
	if got, _ := c.read(ctx, accounts, res(role), 1); len(got) != 1 || got[0].Unknown == "" {
		t.Errorf("a stale read: %+v, want a new (here failing) read", got)
	}
	if _, ok := c.byAccount["111122223333"]; !ok || c.byAccount["111122223333"].at.After(time.Now().Add(-iamFreshness)) {
		t.Errorf("a failed read replaced the cached one")
	}
}
