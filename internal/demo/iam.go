package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// The IAM roles Seed creates. Every resource runs as RoleExecution except
// the key-access cases that need a role of their own.
const (
	RoleExecution      = "SageMakerExecutionRole" // the estate's execution role
	RoleKeyAdmin       = "KeyAdministrator"       // administers every demo key, uses none
	RoleClaims         = "ClaimsTriageRole"       // named by KeyNamedRole's policy, no KMS in IAM
	RoleRecsysTraining = "RecsysTrainingRole"     // the one workload on KeySharedRoles
	RoleAnalytics      = "AnalyticsAdhocRole"     // named by KeySharedRoles's policy, runs nothing
	RoleBIExport       = "BIExportRole"           // named by KeySharedRoles's policy, runs nothing
)

// ExecutionRolePolicy is the inline policy that lets RoleExecution use the
// keys it is meant to use, and ArtifactsPolicy the customer-managed policy
// (S3 only, no KMS) the SageMaker roles share.
const (
	ExecutionRolePolicy = "sagemaker-data-keys"
	ArtifactsPolicy     = "sagemaker-s3-artifacts"
)

type roleSpec struct {
	name, trusted, description string
	artifacts                  bool // attach ArtifactsPolicy
}

// seedIAM creates the roles before any key, as KMS requires the principals
// a key policy names to exist. IAM is global: region only picks the
// endpoint.
func (s *seeder) seedIAM(ctx context.Context, region string) error {
	ic := iam.NewFromConfig(s.cfgFor(region))
	pol, err := ic.CreatePolicy(ctx, &iam.CreatePolicyInput{
		PolicyName:     aws.String(ArtifactsPolicy),
		Description:    aws.String("Read datasets and write artefacts in the SageMaker buckets"),
		PolicyDocument: aws.String(mustJSON(artifactsDocument())),
	})
	if err != nil {
		return fmt.Errorf("demo: create policy %s: %w", ArtifactsPolicy, err)
	}
	root := "arn:aws:iam::" + s.m.Account + ":root"
	for _, r := range []roleSpec{
		{RoleExecution, "sagemaker.amazonaws.com", "Execution role of the ML platform's SageMaker resources", true},
		{RoleKeyAdmin, root, "Security team: administers the KMS keys", false},
		{RoleClaims, "sagemaker.amazonaws.com", "Execution role of the claims team's notebooks", true},
		{RoleRecsysTraining, "sagemaker.amazonaws.com", "Execution role of the recommendations training jobs", true},
		{RoleAnalytics, root, "Analysts' ad-hoc queries", false},
		{RoleBIExport, "redshift.amazonaws.com", "Nightly BI exports", false},
	} {
		if _, err := ic.CreateRole(ctx, &iam.CreateRoleInput{
			RoleName:                 aws.String(r.name),
			AssumeRolePolicyDocument: aws.String(mustJSON(trustDocument(r.trusted))),
			Description:              aws.String(r.description),
			Tags:                     []iamtypes.Tag{{Key: aws.String("owner"), Value: aws.String("ml-platform")}},
		}); createdEvenIfRetried(err) != nil {
			return fmt.Errorf("demo: create role %s: %w", r.name, err)
		}
		s.m.Roles = append(s.m.Roles, s.m.RoleARN(r.name))
		if !r.artifacts {
			continue
		}
		if _, err := ic.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String(r.name), PolicyArn: pol.Policy.Arn}); err != nil {
			return fmt.Errorf("demo: attach %s to %s: %w", ArtifactsPolicy, r.name, err)
		}
	}
	return nil
}

// grantExecutionRoleKeys writes RoleExecution's KMS policy once every key
// exists, scoped to the keys listed in s.executionKeys: the actions the
// estate's slots need (docs/key-access.md), only through SageMaker and S3,
// and grants only for AWS resources, as AWS recommends.
func (s *seeder) grantExecutionRoleKeys(ctx context.Context, region string) error {
	doc := policyDocument{Version: "2012-10-17", Statement: []statement{
		{Sid: "UseSageMakerDataKeys", Effect: "Allow", Action: []string{"kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext"},
			Resource: s.executionKeys, Condition: map[string]map[string]any{
				"StringLike": {"kms:ViaService": []string{"sagemaker.*.amazonaws.com", "s3.*.amazonaws.com"}}}},
		{Sid: "AttachSageMakerVolumes", Effect: "Allow", Action: []string{"kms:CreateGrant"},
			Resource: s.executionKeys, Condition: map[string]map[string]any{
				"Bool": {"kms:GrantIsForAWSResource": "true"}}},
	}}
	_, err := iam.NewFromConfig(s.cfgFor(region)).PutRolePolicy(ctx, &iam.PutRolePolicyInput{
		RoleName: aws.String(RoleExecution), PolicyName: aws.String(ExecutionRolePolicy), PolicyDocument: aws.String(mustJSON(doc)),
	})
	if err != nil {
		return fmt.Errorf("demo: put %s on %s: %w", ExecutionRolePolicy, RoleExecution, err)
	}
	return nil
}

func trustDocument(principal string) policyDocument {
	p := map[string]any{"Service": principal}
	if strings.HasPrefix(principal, "arn:") {
		p = map[string]any{"AWS": principal}
	}
	return policyDocument{Version: "2012-10-17", Statement: []statement{
		{Effect: "Allow", Principal: p, Action: []string{"sts:AssumeRole"}},
	}}
}

func artifactsDocument() policyDocument {
	return policyDocument{Version: "2012-10-17", Statement: []statement{
		{Sid: "SageMakerBuckets", Effect: "Allow", Action: []string{"s3:GetObject", "s3:PutObject", "s3:ListBucket"},
			Resource: []string{"arn:aws:s3:::sagemaker-*", "arn:aws:s3:::sagemaker-*/*"}},
	}}
}

// policyDocument is an IAM or key policy, marshalled rather than written
// as text so that a typo cannot make the seeded policy invalid.
type policyDocument struct {
	Version   string      `json:"Version"`
	Statement []statement `json:"Statement"`
}

type statement struct {
	Sid       string                    `json:"Sid,omitempty"`
	Effect    string                    `json:"Effect"`
	Principal map[string]any            `json:"Principal,omitempty"`
	Action    []string                  `json:"Action"`
	Resource  any                       `json:"Resource,omitempty"`
	Condition map[string]map[string]any `json:"Condition,omitempty"`
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // policies are built from strings and maps only
	}
	return string(b)
}
