package scan

import (
	"context"
	"fmt"
	"log/slog"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"golang.org/x/sync/errgroup"

	"github.com/sagekey/sagekey/internal/awsclient"
	"github.com/sagekey/sagekey/internal/inventory"
	"github.com/sagekey/sagekey/internal/progress"
)

// accountPrepLimit bounds how many accounts are reached (AssumeRole,
// identity, enabled regions) at once; it is a handful of STS and EC2 calls
// each, but an organization can have hundreds.
const accountPrepLimit = 8

// reachedAccount is an account the scan can read, with the configuration
// that reads it and its regions.
type reachedAccount struct {
	awsclient.Account
	cfg     aws.Config
	regions []string
}

// clients is what every account's configuration is built from.
type clients struct {
	base   aws.Config // loaded configuration, not instrumented
	caller aws.Config // base, instrumented with the caller account's limits
	meter  *awsclient.Meter
	// rateScale multiplies every account's request rates.
	rateScale float64
}

// reachAccounts assumes each account's role, checks that the role really
// is in that account, and resolves its regions. An account that cannot be
// reached is a gap; the others are scanned.
func reachAccounts(ctx context.Context, c clients, accounts []awsclient.Account, regions []string, tracker *progress.Tracker) ([]reachedAccount, []inventory.Gap) {
	var (
		mu      sync.Mutex
		reached []reachedAccount
		gaps    []inventory.Gap
		g       errgroup.Group
	)
	g.SetLimit(accountPrepLimit)
	for _, a := range accounts {
		g.Go(func() error {
			defer tracker.AccountReady()
			r, gap := reachAccount(ctx, c, a, regions)
			mu.Lock()
			defer mu.Unlock()
			if gap != nil {
				slog.WarnContext(ctx, "account not scanned", "account", a.ID, "reason", gap.Reason)
				gaps = append(gaps, *gap)
				return nil
			}
			reached = append(reached, r)
			return nil
		})
	}
	_ = g.Wait() // failures are gaps
	return reached, gaps
}

func reachAccount(ctx context.Context, c clients, a awsclient.Account, requested []string) (reachedAccount, *inventory.Gap) {
	gap := func(service string, err error) *inventory.Gap {
		return &inventory.Gap{Account: a.ID, Service: service, Reason: err.Error()}
	}
	cfg := c.caller
	if a.RoleARN != "" {
		cfg = awsclient.Instrument(awsclient.AssumeRole(c.base, c.caller, a.RoleARN), c.meter, awsclient.NewRateLimits(c.rateScale))
		// Identity assumes the role, so a missing role or a trust policy
		// that refuses us fails here, once, not in every collector.
		who, err := awsclient.Identity(ctx, cfg)
		if err != nil {
			return reachedAccount{}, gap("sts:AssumeRole "+a.RoleARN, err)
		}
		if who.Account != a.ID {
			return reachedAccount{}, gap("sts:AssumeRole "+a.RoleARN,
				fmt.Errorf("the role's credentials belong to account %s, not %s", who.Account, a.ID))
		}
	}
	regions, err := resolveRegions(ctx, cfg, requested)
	if err != nil {
		return reachedAccount{}, gap("ec2:DescribeRegions", err)
	}
	return reachedAccount{Account: a, cfg: cfg, regions: regions}, nil
}
