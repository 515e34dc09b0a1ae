package bench

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// benchRoleNames are the IAM names of RoleWithKMS and RoleWithoutKMS.
var benchRoleNames = [...]string{
	RoleWithKMS:    "bench-sagemaker-kms",
	RoleWithoutKMS: "bench-sagemaker-no-kms",
}

// benchS3PolicyName is the customer-managed policy both roles carry, so the
// IAM listing has a local managed policy to resolve as well as inline ones.
const benchS3PolicyName = "bench-sagemaker-s3"

const sagemakerTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",` +
	`"Principal":{"Service":"sagemaker.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

// kmsUsePolicy lets a role use the account's keys as SageMaker and S3 use
// them on its behalf: every action a seeded slot needs (volumes:
// CreateGrant, DescribeKey, GenerateDataKeyWithoutPlaintext through
// SageMaker; S3 output: Decrypt, GenerateDataKey through S3). moto's
// default key policy delegates to IAM (the account root may use kms:*), so
// this policy decides.
func kmsUsePolicy(account string) string {
	return `{"Version":"2012-10-17","Statement":[{"Sid":"UseBenchKeysThroughSageMakerAndS3","Effect":"Allow",` +
		`"Action":["kms:CreateGrant","kms:DescribeKey","kms:Decrypt","kms:GenerateDataKey*"],` +
		`"Resource":"arn:aws:kms:*:` + account + `:key/*",` +
		`"Condition":{"StringLike":{"kms:ViaService":["sagemaker.*.amazonaws.com","s3.*.amazonaws.com"]}}}]}`
}

const s3Policy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",` +
	`"Action":["s3:GetObject","s3:PutObject","s3:ListBucket"],"Resource":["arn:aws:s3:::sagemaker-*","arn:aws:s3:::sagemaker-*/*"]}]}`

// iamFilter is the Filter sagekey sends (internal/collect/iam).
var iamFilter = []iamtypes.EntityType{iamtypes.EntityTypeRole, iamtypes.EntityTypeLocalManagedPolicy, iamtypes.EntityTypeAWSManagedPolicy}

// seedIAM creates the two execution roles and their policies, one request
// at a time (six requests; IAM is global, so once per account).
func (s *seeder) seedIAM(ctx context.Context, api *iam.Client) error {
	pol, err := api.CreatePolicy(ctx, &iam.CreatePolicyInput{
		PolicyName: aws.String(benchS3PolicyName), PolicyDocument: aws.String(s3Policy),
	})
	if err != nil {
		return fmt.Errorf("create policy %s: %w", benchS3PolicyName, err)
	}
	for role, name := range benchRoleNames {
		out, err := api.CreateRole(ctx, &iam.CreateRoleInput{
			RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(sagemakerTrust),
		})
		if err != nil {
			return fmt.Errorf("create role %s: %w", name, err)
		}
		s.out.RoleARNs[role] = aws.ToString(out.Role.Arn)
		if _, err := api.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String(name), PolicyArn: pol.Policy.Arn}); err != nil {
			return fmt.Errorf("attach %s to role %s: %w", benchS3PolicyName, name, err)
		}
		if role != RoleWithKMS {
			continue
		}
		if _, err := api.PutRolePolicy(ctx, &iam.PutRolePolicyInput{
			RoleName: aws.String(name), PolicyName: aws.String("kms-use"), PolicyDocument: aws.String(kmsUsePolicy(s.out.Account)),
		}); err != nil {
			return fmt.Errorf("put kms-use policy on role %s: %w", name, err)
		}
	}
	return nil
}

// measureIAM lists the account's roles and managed policies the way
// sagekey does (same filter, MaxItems 1000), straight from moto, so the
// lower bound counts the pages of what this emulator really holds: moto
// lists every AWS-managed policy it has loaded (none unless
// MOTO_IAM_LOAD_MANAGED_POLICIES=true).
func measureIAM(ctx context.Context, api *iam.Client) (IAMListing, error) {
	var l IAMListing
	p := iam.NewGetAccountAuthorizationDetailsPaginator(api,
		&iam.GetAccountAuthorizationDetailsInput{Filter: iamFilter, MaxItems: aws.Int32(iamMaxPageSize)},
		func(o *iam.GetAccountAuthorizationDetailsPaginatorOptions) { o.StopOnDuplicateToken = true })
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return IAMListing{}, fmt.Errorf("list IAM roles and policies: %w", err)
		}
		l.Responses++
		l.Roles += len(page.RoleDetailList)
		for _, pol := range page.Policies {
			if strings.HasPrefix(aws.ToString(pol.Arn), "arn:aws:iam::aws:policy/") {
				l.AWSManagedPolicies++
			} else {
				l.LocalManagedPolicies++
			}
		}
	}
	return l, nil
}
