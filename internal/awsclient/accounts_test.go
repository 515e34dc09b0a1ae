package awsclient

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"golang.org/x/time/rate"
)

// orgFunc is a function-typed fake of OrganizationsAPI.
type orgFunc func(*organizations.ListAccountsInput) (*organizations.ListAccountsOutput, error)

func (f orgFunc) ListAccounts(_ context.Context, in *organizations.ListAccountsInput, _ ...func(*organizations.Options)) (*organizations.ListAccountsOutput, error) {
	return f(in)
}

func TestResolveAccounts(t *testing.T) {
	t.Parallel()
	caller := Caller{Account: "111111111111", ARN: "arn:aws-us-gov:sts::111111111111:assumed-role/auditor/me"}
	// Two pages; suspended and closed accounts are left out, and the old
	// Status field is honoured when State is absent.
	org := orgFunc(func(in *organizations.ListAccountsInput) (*organizations.ListAccountsOutput, error) {
		if in.NextToken == nil {
			return &organizations.ListAccountsOutput{NextToken: aws.String("p2"), Accounts: []orgtypes.Account{
				{Id: aws.String("333333333333"), Name: aws.String("ml-prod"), State: orgtypes.AccountStateActive},
				{Id: aws.String("444444444444"), State: orgtypes.AccountStateSuspended},
			}}, nil
		}
		return &organizations.ListAccountsOutput{Accounts: []orgtypes.Account{
			{Id: aws.String("111111111111"), Name: aws.String("management"), Status: orgtypes.AccountStatusActive},
			{Id: aws.String("555555555555"), State: orgtypes.AccountStateClosed},
		}}, nil
	})
	tests := []struct {
		name string
		o    AccountsOptions
		want []Account
	}{
		{"default is the caller's account", AccountsOptions{}, []Account{{ID: "111111111111"}}},
		{"org with the default role, in the caller's partition", AccountsOptions{Org: true}, []Account{
			{ID: "111111111111", Name: "management"},
			{ID: "333333333333", Name: "ml-prod", RoleARN: "arn:aws-us-gov:iam::333333333333:role/OrganizationAccountAccessRole"},
		}},
		{"explicit list with a role name, deduplicated", AccountsOptions{IDs: []string{"222222222222", "222222222222"}, RoleName: "Audit"}, []Account{
			{ID: "222222222222", RoleARN: "arn:aws-us-gov:iam::222222222222:role/Audit"},
		}},
		{"role ARN template overrides the name", AccountsOptions{IDs: []string{"222222222222"}, RoleName: "Ignored", RoleARN: "arn:aws:iam::{account}:role/sec/Reader"}, []Account{
			{ID: "222222222222", RoleARN: "arn:aws:iam::222222222222:role/sec/Reader"},
		}},
	}
	for _, tt := range tests {
		got, err := resolveAccounts(context.Background(), org, caller, tt.o)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", tt.name, got, tt.want)
		}
	}
}

func TestResolveAccountsErrors(t *testing.T) {
	t.Parallel()
	denied := orgFunc(func(*organizations.ListAccountsInput) (*organizations.ListAccountsOutput, error) {
		return nil, errors.New("AccessDeniedException: not the management account")
	})
	if _, err := resolveAccounts(context.Background(), denied, Caller{Account: "111111111111"}, AccountsOptions{Org: true}); err == nil {
		t.Error("a denied ListAccounts must fail the scan: there is nothing to scan")
	}
	for _, o := range []AccountsOptions{
		{IDs: []string{"12345"}},
		{IDs: []string{"222222222222"}, RoleARN: "arn:aws:iam::222222222222:role/NoPlaceholder"},
		{IDs: []string{"222222222222"}, RoleARN: "not-an-arn-{account}"},
		{Org: true, RoleName: "arn:aws:iam::1:role/x"},
	} {
		if err := ValidateAccounts(o); err == nil {
			t.Errorf("ValidateAccounts(%+v) accepted", o)
		}
	}
}

func TestRateFor(t *testing.T) {
	t.Parallel()
	tests := map[string]rateLimit{
		"sagemaker:Search":                   listRate,
		"sagemaker:ListTrainingJobs":         listRate,
		"sagemaker:ListTags":                 describeRate,
		"sagemaker:DescribeNotebookInstance": describeRate,
		"kms:DescribeKey":                    kmsRate,
		"sts:AssumeRole":                     otherRate,
		"cloudtrail:LookupEvents":            lookupEventsRate,
		"cloudtrail:DescribeTrails":          otherRate,
		"s3:ListObjectsV2":                   s3Rate,
		"s3:GetObject":                       s3Rate,
	}
	for op, want := range tests {
		if got := rateFor(op); got != want {
			t.Errorf("rateFor(%q) = %+v, want %+v", op, got, want)
		}
	}
	// LookupEvents runs at its documented quota, 2 per second per account
	// and region, with no burst above it.
	if want := (rateLimit{perSecond: 2, burst: 1, fixed: true}); lookupEventsRate != want {
		t.Errorf("lookupEventsRate = %+v, want %+v", lookupEventsRate, want)
	}
}

// --rate-scale raises sagekey's own rates, never a published fixed quota:
// LookupEvents stays at 2 requests per second, and can still be lowered.
func TestRateScaleNeverRaisesAFixedQuota(t *testing.T) {
	for _, tc := range []struct {
		scale float64
		op    string
		want  rate.Limit
	}{
		{4, "cloudtrail:LookupEvents", 2},
		{0.5, "cloudtrail:LookupEvents", 1},
		{4, "s3:GetObject", 4000},
	} {
		l := NewRateLimits(tc.scale)
		if err := l.wait(context.Background(), "us-east-1", tc.op); err != nil {
			t.Fatal(err)
		}
		if got := l.buckets["us-east-1/"+tc.op].Limit(); got != tc.want {
			t.Errorf("scale %v, %s: %v requests per second, want %v", tc.scale, tc.op, got, tc.want)
		}
	}
}
