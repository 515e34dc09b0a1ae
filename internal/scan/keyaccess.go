package scan

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/service/iam"
	"golang.org/x/sync/errgroup"

	iamcollect "github.com/sagekey/sagekey/internal/collect/iam"
	"github.com/sagekey/sagekey/internal/inventory"
	"github.com/sagekey/sagekey/internal/rules"
)

// leastPrivilegeRule is the key check that, like the <kind>.key-access
// checks, reads grants and execution roles.
const leastPrivilegeRule = "kms-key.least-privilege"

// needsKeyAccess reports whether a selected check decides whether
// execution roles may use their keys, and so needs what only those checks
// read: each key's grants (kms:ListGrants) and each account's roles and
// policies (iam:GetAccountAuthorizationDetails). Other scans make neither
// call, and need neither permission.
//
// It goes by rule ID ("<kind>.key-access", "kms-key.least-privilege"), the
// names under which the checks are documented and selected with --checks.
func needsKeyAccess(selected []rules.Rule) bool {
	return slices.ContainsFunc(selected, func(r rules.Rule) bool {
		return strings.HasSuffix(r.ID, ".key-access") || r.ID == leastPrivilegeRule
	})
}

// readIAM reads, once per scanned account (IAM is global, so not per
// region), the execution roles that resources name in that account, with the
// account's own credentials. Roles in accounts outside the scan are not read:
// nothing is recorded for them, and the checks say the account was not
// scanned. An account whose IAM could not be read is recorded with the reason
// and is a gap. The result is sorted by account.
func readIAM(ctx context.Context, accounts []reachedAccount, resources []inventory.Resource, limit int) ([]inventory.AccountIAM, []inventory.Gap) {
	roles := rolesByAccount(accounts, resources)
	var (
		mu  sync.Mutex
		out []inventory.AccountIAM
		g   errgroup.Group // failures are results, never errors
	)
	g.SetLimit(max(limit, 1))
	for _, a := range accounts {
		arns := roles[a.ID]
		if len(arns) == 0 {
			continue
		}
		// A client of the account's instrumented configuration, so the call
		// is metered and rate-limited with the account's other calls. IAM
		// has one global endpoint per partition, which the SDK derives from
		// the configured region.
		api := iamcollect.ClientAPI(iam.NewFromConfig(a.cfg))
		g.Go(func() error {
			got := iamcollect.Read(ctx, api, a.ID, arns)
			mu.Lock()
			defer mu.Unlock()
			out = append(out, got)
			return nil
		})
	}
	_ = g.Wait()
	slices.SortFunc(out, func(a, b inventory.AccountIAM) int { return cmp.Compare(a.Account, b.Account) })
	var gaps []inventory.Gap
	for _, a := range out {
		if a.Unknown != "" {
			gaps = append(gaps, inventory.Gap{Account: a.Account, Service: "iam:GetAccountAuthorizationDetails", Reason: a.Unknown})
		}
	}
	return out, gaps
}

// rolesByAccount groups the distinct execution roles of resources by the
// account the role belongs to (its ARN's), keeping scanned accounts only: a
// resource may run as a role of another account.
func rolesByAccount(accounts []reachedAccount, resources []inventory.Resource) map[string][]string {
	scanned := make(map[string]bool, len(accounts))
	for _, a := range accounts {
		scanned[a.ID] = true
	}
	// Each role once: 100,000 jobs run as a handful of roles.
	seen := map[string]bool{}
	out := map[string][]string{}
	for _, r := range resources {
		for _, arn := range r.ExecutionRoles {
			if seen[arn] {
				continue
			}
			seen[arn] = true
			if account := accountOf(arn); scanned[account] {
				out[account] = append(out[account], arn)
			}
		}
	}
	for _, arns := range out {
		slices.Sort(arns)
	}
	return out
}

// accountOf is the account field of an ARN, "" when there is none.
func accountOf(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 || parts[0] != "arn" {
		return ""
	}
	return parts[4]
}
