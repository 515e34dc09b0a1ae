package demo

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// Seed creates the demo estate. regions must hold one or two regions: the
// first receives most resources (and all the special keys), the optional
// second receives a few compliant and non-compliant resources with its own
// key. IAM comes first, since key policies may only name roles that
// exist, and the execution role's KMS policy last, once every key it lists
// exists. cfgFor returns the SDK configuration for a region (typically
// motoserver.AWSConfig pointed at the emulator).
//
// Seed assumes an empty emulator: resource names are fixed, so seeding twice
// into the same server fails on duplicate names.
func Seed(ctx context.Context, cfgFor func(region string) aws.Config, regions []string) (*Manifest, error) {
	if len(regions) == 0 || len(regions) > 2 {
		return nil, fmt.Errorf("demo: need one or two regions, got %d", len(regions))
	}
	if len(regions) == 2 && regions[0] == regions[1] {
		return nil, errors.New("demo: the two regions must differ")
	}
	primary := regions[0]
	id, err := sts.NewFromConfig(cfgFor(primary)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return nil, fmt.Errorf("demo: get caller identity: %w", err)
	}
	s := &seeder{
		cfgFor: cfgFor,
		m:      &Manifest{Account: aws.ToString(id.Account), Keys: map[string]string{}},
	}
	steps := []func(context.Context, string) error{
		s.seedIAM, s.primaryKeys, s.primaryNotebooks, s.primaryHosting, s.primaryTraining, s.primaryClusters,
		s.primaryJobs, s.primaryStudio, s.primaryMonitoring, s.primaryRegistry, s.primaryPipelines, s.primaryAccessCases,
	}
	for _, step := range steps {
		if err := step(ctx, primary); err != nil {
			return nil, err
		}
	}
	if len(regions) == 2 {
		second := regions[1]
		steps := []func(context.Context, string) error{
			s.secondaryKeys, s.secondaryNotebooks, s.secondaryHosting, s.secondaryTraining,
		}
		for _, step := range steps {
			if err := step(ctx, second); err != nil {
				return nil, err
			}
		}
	}
	// Last, when every key the execution role uses exists.
	if err := s.grantExecutionRoleKeys(ctx, primary); err != nil {
		return nil, err
	}
	return s.m, nil
}

type seeder struct {
	cfgFor func(region string) aws.Config
	m      *Manifest
	// executionKeys are the ARNs of the keys RoleExecution's IAM policy
	// lists.
	executionKeys []string
}

func (s *seeder) sagemaker(region string) *sagemaker.Client {
	return sagemaker.NewFromConfig(s.cfgFor(region))
}

// roleARN is the execution role the estate's resources run as (seedIAM
// creates it; moto would not check that it exists).
func (s *seeder) roleARN() string {
	return s.m.RoleARN(RoleExecution)
}

// bucket is a realistic S3 prefix for a region's artefacts. moto does not
// check that it exists.
func (s *seeder) bucket(region string) string {
	return "s3://sagemaker-" + region + "-" + s.m.Account
}

// keyID returns the bare key ID (or mrk- ID) from a key ARN.
func keyID(arn string) string {
	return arn[strings.LastIndex(arn, "/")+1:]
}

// aliasARN returns the ARN form of an alias name in the seeder's account.
func (s *seeder) aliasARN(region, alias string) string {
	return "arn:aws:kms:" + region + ":" + s.m.Account + ":" + alias
}

// missingKeyARN is a well-formed key ARN that names no key.
func (s *seeder) missingKeyARN(region string) string {
	return "arn:aws:kms:" + region + ":" + s.m.Account + ":key/00000000-dead-4bad-8000-000000000000"
}

// tags returns the owner/cost-center tags most resources carry.
func tags(owner, costCenter string) []smtypes.Tag {
	return []smtypes.Tag{
		{Key: aws.String("owner"), Value: aws.String(owner)},
		{Key: aws.String("cost-center"), Value: aws.String(costCenter)},
	}
}
