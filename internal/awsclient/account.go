package awsclient

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// STSAPI is the part of STS Identity needs; *sts.Client satisfies it, and
// STSClientAPI adapts one without linking the rest of its methods.
type STSAPI interface {
	GetCallerIdentity(ctx context.Context, params *sts.GetCallerIdentityInput, optFns ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error)
}

// EC2RegionsAPI is the part of EC2 EnabledRegions needs; *ec2.Client
// satisfies it, and EC2RegionsClientAPI adapts one.
type EC2RegionsAPI interface {
	DescribeRegions(ctx context.Context, params *ec2.DescribeRegionsInput, optFns ...func(*ec2.Options)) (*ec2.DescribeRegionsOutput, error)
}

// Caller is who cfg's credentials are.
type Caller struct {
	Account string
	// ARN is the calling principal, recorded with stored scans as who ran
	// them.
	ARN string
}

// Identity returns who cfg's credentials are. The scan needs the account to
// know which KMS keys are its own (policies and tags are readable only from
// the key's account), and calling STS first turns bad credentials into one
// clear error instead of a report full of access-denied gaps.
//
// Being the first call, it is also where a missing credential, a stopped
// emulator or an unusable region shows up, and is explained (explainCall).
func Identity(ctx context.Context, cfg aws.Config) (Caller, error) {
	c, err := identity(ctx, STSClientAPI(sts.NewFromConfig(cfg, refusedIsFinal)))
	if err != nil {
		return Caller{}, explainCall(ctx, cfg, "sts:GetCallerIdentity", err)
	}
	return c, nil
}

func identity(ctx context.Context, api STSAPI) (Caller, error) {
	out, err := api.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return Caller{}, fmt.Errorf("sts:GetCallerIdentity: %w", err)
	}
	c := Caller{Account: aws.ToString(out.Account), ARN: aws.ToString(out.Arn)}
	if c.Account == "" {
		return Caller{}, errors.New("sts:GetCallerIdentity: response has no account")
	}
	return c, nil
}

// EnabledRegions returns the regions enabled for the account, sorted. Only
// enabled (default or opted-in) regions are listed: calls to a region the
// account has not opted into fail, and it cannot hold resources anyway.
func EnabledRegions(ctx context.Context, cfg aws.Config) ([]string, error) {
	return enabledRegions(ctx, EC2RegionsClientAPI(ec2.NewFromConfig(cfg)))
}

func enabledRegions(ctx context.Context, api EC2RegionsAPI) ([]string, error) {
	out, err := api.DescribeRegions(ctx, &ec2.DescribeRegionsInput{AllRegions: aws.Bool(false)})
	if err != nil {
		return nil, fmt.Errorf("ec2:DescribeRegions: %w", err)
	}
	regions := make([]string, 0, len(out.Regions))
	for _, r := range out.Regions {
		// With AllRegions=false EC2 already omits not-opted-in regions;
		// the check guards against a fake or an emulator that does not.
		if aws.ToString(r.OptInStatus) == "not-opted-in" {
			continue
		}
		if name := aws.ToString(r.RegionName); name != "" {
			regions = append(regions, name)
		}
	}
	if len(regions) == 0 {
		return nil, errors.New("ec2:DescribeRegions: no enabled regions returned")
	}
	slices.Sort(regions)
	return slices.Compact(regions), nil
}
