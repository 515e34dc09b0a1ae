package awsclient

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/sagekey/sagekey/internal/awserr"
)

type fakeSTS func(*sts.GetCallerIdentityInput) (*sts.GetCallerIdentityOutput, error)

func (f fakeSTS) GetCallerIdentity(_ context.Context, in *sts.GetCallerIdentityInput, _ ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error) {
	return f(in)
}

type fakeEC2 func(*ec2.DescribeRegionsInput) (*ec2.DescribeRegionsOutput, error)

func (f fakeEC2) DescribeRegions(_ context.Context, in *ec2.DescribeRegionsInput, _ ...func(*ec2.Options)) (*ec2.DescribeRegionsOutput, error) {
	return f(in)
}

func TestIdentity(t *testing.T) {
	t.Parallel()
	denied := &smithy.GenericAPIError{Code: "InvalidClientTokenId", Message: "bad token"}
	tests := []struct {
		name    string
		fake    fakeSTS
		want    Caller
		wantErr bool
		class   awserr.Class
	}{
		{
			name: "account",
			fake: func(*sts.GetCallerIdentityInput) (*sts.GetCallerIdentityOutput, error) {
				return &sts.GetCallerIdentityOutput{Account: aws.String("111122223333"), Arn: aws.String("arn:aws:iam::111122223333:user/a")}, nil
			},
			want: Caller{Account: "111122223333", ARN: "arn:aws:iam::111122223333:user/a"},
		},
		{
			name: "error keeps its classification",
			fake: func(*sts.GetCallerIdentityInput) (*sts.GetCallerIdentityOutput, error) {
				return nil, denied
			},
			wantErr: true, class: awserr.AccessDenied,
		},
		{
			name: "no account in response",
			fake: func(*sts.GetCallerIdentityInput) (*sts.GetCallerIdentityOutput, error) {
				return &sts.GetCallerIdentityOutput{}, nil
			},
			wantErr: true, class: awserr.Other,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := identity(context.Background(), tt.fake)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Fatalf("identity = %+v, %v; want %+v, err %v", got, err, tt.want, tt.wantErr)
			}
			if err != nil && awserr.Classify(err) != tt.class {
				t.Errorf("Classify(%v) = %v, want %v", err, awserr.Classify(err), tt.class)
			}
		})
	}
}

func TestEnabledRegions(t *testing.T) {
	t.Parallel()
	region := func(name, optIn string) ec2types.Region {
		return ec2types.Region{RegionName: aws.String(name), OptInStatus: aws.String(optIn)}
	}
	tests := []struct {
		name    string
		regions []ec2types.Region
		err     error
		want    []string
		wantErr bool
	}{
		{
			name: "sorted, opted-out dropped, duplicates removed",
			regions: []ec2types.Region{
				region("us-west-2", "opt-in-not-required"),
				region("af-south-1", "opted-in"),
				region("me-south-1", "not-opted-in"),
				region("eu-west-1", "opt-in-not-required"),
				region("eu-west-1", "opt-in-not-required"),
				{RegionName: aws.String("us-east-1")}, // no status: treat as enabled
			},
			want: []string{"af-south-1", "eu-west-1", "us-east-1", "us-west-2"},
		},
		{name: "empty", wantErr: true},
		{name: "denied", err: &smithy.GenericAPIError{Code: "UnauthorizedOperation"}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := fakeEC2(func(in *ec2.DescribeRegionsInput) (*ec2.DescribeRegionsOutput, error) {
				if in.AllRegions == nil || *in.AllRegions {
					t.Errorf("AllRegions = %v, want false", in.AllRegions)
				}
				if tt.err != nil {
					return nil, tt.err
				}
				return &ec2.DescribeRegionsOutput{Regions: tt.regions}, nil
			})
			got, err := enabledRegions(context.Background(), fake)
			if (err != nil) != tt.wantErr || !slices.Equal(got, tt.want) {
				t.Fatalf("enabledRegions = %v, %v; want %v, err %v", got, err, tt.want, tt.wantErr)
			}
			if tt.err != nil && !errors.Is(err, tt.err) {
				t.Errorf("error %v does not wrap %v", err, tt.err)
			}
		})
	}
}
