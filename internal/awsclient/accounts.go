package awsclient

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// DefaultRoleName is the role AWS Organizations creates in every account it
// creates, and the role --org assumes unless told otherwise.
const DefaultRoleName = "OrganizationAccountAccessRole"

// AccountPlaceholder is replaced by the account ID in a role ARN template.
const AccountPlaceholder = "{account}"

// roleSessionName names the sessions sagekey opens, so CloudTrail in each
// scanned account shows who read it.
const roleSessionName = "sagekey-scan"

// OrganizationsAPI is the part of Organizations account discovery needs;
// *organizations.Client satisfies it, and OrganizationsClientAPI adapts one.
type OrganizationsAPI interface {
	ListAccounts(ctx context.Context, in *organizations.ListAccountsInput, optFns ...func(*organizations.Options)) (*organizations.ListAccountsOutput, error)
}

// AccountsOptions says which accounts to scan and how to reach them. The
// zero value scans the caller's own account.
type AccountsOptions struct {
	// Org discovers the organization's active accounts.
	Org bool
	// IDs are explicit account IDs (ignored with Org).
	IDs []string
	// RoleName is assumed in each account; empty means DefaultRoleName.
	RoleName string
	// RoleARN is a role ARN template containing AccountPlaceholder; it
	// overrides RoleName.
	RoleARN string
}

// Account is one account to scan and how to reach it.
type Account struct {
	ID string
	// Name is the account's name in the organization, when known.
	Name string
	// RoleARN is assumed to read the account; empty means the scanning
	// credentials themselves (the caller's own account).
	RoleARN string
}

var accountIDPattern = regexp.MustCompile(`^\d{12}$`)

// ValidateAccounts checks the options before any AWS call, so a typo is a
// usage error rather than a gap per account.
func ValidateAccounts(o AccountsOptions) error {
	for _, id := range o.IDs {
		if !accountIDPattern.MatchString(id) {
			return fmt.Errorf("account %q is not a 12-digit AWS account ID", id)
		}
	}
	if o.RoleARN != "" {
		if !strings.Contains(o.RoleARN, AccountPlaceholder) {
			return fmt.Errorf("--role-arn %q must contain %s, replaced by each account ID", o.RoleARN, AccountPlaceholder)
		}
		if _, err := arn.Parse(strings.ReplaceAll(o.RoleARN, AccountPlaceholder, "123456789012")); err != nil {
			return fmt.Errorf("--role-arn %q: %w", o.RoleARN, err)
		}
	}
	if strings.ContainsAny(o.RoleName, ":/ ") {
		return fmt.Errorf("--role-name %q must be a role name, not a path or ARN (use --role-arn for a template)", o.RoleName)
	}
	return nil
}

// ResolveAccounts returns the accounts to scan, sorted by ID. With --org it
// asks Organizations (from the caller's account, which must be the
// management or a delegated administrator account). The caller's own
// account is read with the caller's credentials: the management account has
// no OrganizationAccountAccessRole, and assuming a role into one's own
// account adds nothing.
func ResolveAccounts(ctx context.Context, cfg aws.Config, caller Caller, o AccountsOptions) ([]Account, error) {
	return resolveAccounts(ctx, OrganizationsClientAPI(organizations.NewFromConfig(cfg)), caller, o)
}

func resolveAccounts(ctx context.Context, api OrganizationsAPI, caller Caller, o AccountsOptions) ([]Account, error) {
	if err := ValidateAccounts(o); err != nil {
		return nil, err
	}
	var accounts []Account
	switch {
	case o.Org:
		found, err := orgAccounts(ctx, api)
		if err != nil {
			return nil, err
		}
		accounts = found
	case len(o.IDs) > 0:
		for _, id := range o.IDs {
			accounts = append(accounts, Account{ID: id})
		}
	default:
		return []Account{{ID: caller.Account}}, nil
	}
	partition := "aws"
	if a, err := arn.Parse(caller.ARN); err == nil && a.Partition != "" {
		partition = a.Partition
	}
	for i := range accounts {
		if accounts[i].ID != caller.Account {
			accounts[i].RoleARN = roleARNFor(o, partition, accounts[i].ID)
		}
	}
	slices.SortFunc(accounts, func(a, b Account) int { return strings.Compare(a.ID, b.ID) })
	return slices.CompactFunc(accounts, func(a, b Account) bool { return a.ID == b.ID }), nil
}

func roleARNFor(o AccountsOptions, partition, account string) string {
	if o.RoleARN != "" {
		return strings.ReplaceAll(o.RoleARN, AccountPlaceholder, account)
	}
	name := o.RoleName
	if name == "" {
		name = DefaultRoleName
	}
	return "arn:" + partition + ":iam::" + account + ":role/" + name
}

// orgAccounts lists the organization's active accounts. Suspended, closed
// and not yet active accounts cannot be assumed into and hold nothing to
// audit.
func orgAccounts(ctx context.Context, api OrganizationsAPI) ([]Account, error) {
	var out []Account
	p := organizations.NewListAccountsPaginator(api, &organizations.ListAccountsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("organizations:ListAccounts (run --org from the management or a delegated administrator account): %w", err)
		}
		for _, a := range page.Accounts {
			if active(a) {
				out = append(out, Account{ID: aws.ToString(a.Id), Name: aws.ToString(a.Name)})
			}
		}
	}
	if len(out) == 0 {
		return nil, errors.New("organizations:ListAccounts: the organization has no active accounts")
	}
	return out, nil
}

// active reads State, which replaced Status in 2026; Status is the fallback
// for responses that only carry the old field.
func active(a orgtypes.Account) bool {
	if a.State != "" {
		return a.State == orgtypes.AccountStateActive
	}
	return a.Status == orgtypes.AccountStatusActive
}

// AssumeRole returns a copy of base whose credentials are the role's,
// obtained with STS through via (the caller's configuration, so the
// AssumeRole calls are counted and limited with the caller's). The
// credentials are cached and refreshed before they expire, so a long scan
// of a big account does not fail halfway through when the first session's
// hour is up.
func AssumeRole(base, via aws.Config, roleARN string) aws.Config {
	cfg := base.Copy()
	provider := stscreds.NewAssumeRoleProvider(AssumeRoleClientAPI(sts.NewFromConfig(via)), roleARN, func(o *stscreds.AssumeRoleOptions) {
		o.RoleSessionName = roleSessionName
	})
	cfg.Credentials = aws.NewCredentialsCache(provider)
	return cfg
}
