package demo

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// primaryKeys creates the first region's KMS keys: a healthy CMK with
// rotation on and an alias, a disabled CMK, a CMK pending deletion, a CMK
// with rotation off and a multi-Region key. Each has the standard key
// policy naming RoleExecution, whose IAM policy lists it too.
//
// moto resolves only bare key IDs (not ARNs) in DisableKey,
// ScheduleKeyDeletion and EnableKeyRotation, so those calls use keyID(arn).
func (s *seeder) primaryKeys(ctx context.Context, region string) error {
	kc := kms.NewFromConfig(s.cfgFor(region))

	healthy, err := s.createKey(ctx, kc, region, s.executionKey(KeyHealthy, "SageMaker data at rest (ml-platform)", "ml-platform", "cc-1001", true))
	if err != nil {
		return err
	}
	if _, err := kc.CreateAlias(ctx, &kms.CreateAliasInput{
		AliasName:   aws.String(AliasSageMakerData),
		TargetKeyId: aws.String(keyID(healthy)),
	}); createdEvenIfRetried(err) != nil {
		return fmt.Errorf("demo: create alias %s: %w", AliasSageMakerData, err)
	}

	disabled, err := s.createKey(ctx, kc, region, s.executionKey(KeyDisabled, "Legacy ETL key (disabled during incident INC-4711)", "data-eng", "cc-2002", false))
	if err != nil {
		return err
	}
	if _, err := kc.DisableKey(ctx, &kms.DisableKeyInput{KeyId: aws.String(keyID(disabled))}); err != nil {
		return fmt.Errorf("demo: disable %s key: %w", KeyDisabled, err)
	}

	pending, err := s.createKey(ctx, kc, region, s.executionKey(KeyPendingDeletion, "Decommissioned project key", "research", "cc-3003", false))
	if err != nil {
		return err
	}
	if _, err := kc.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{
		KeyId:               aws.String(keyID(pending)),
		PendingWindowInDays: aws.Int32(7),
	}); err != nil {
		return fmt.Errorf("demo: schedule deletion of %s key: %w", KeyPendingDeletion, err)
	}

	// Rotation is off by default for new keys.
	if _, err := s.createKey(ctx, kc, region, s.executionKey(KeyRotationOff, "Customer LTV models", "growth", "cc-4004", false)); err != nil {
		return err
	}

	spec := s.executionKey(KeyMultiRegion, "Global search (multi-Region primary)", "search", "cc-5005", false)
	spec.multiRegion = true
	mrk, err := s.createKey(ctx, kc, region, spec)
	if err != nil {
		return err
	}
	if !strings.HasPrefix(keyID(mrk), "mrk-") {
		return fmt.Errorf("demo: multi-Region key %s has no mrk- prefix", mrk)
	}

	// The key orphaned-key-nb names does not exist: nothing to judge.
	s.m.expectCheck(CheckExpectation{CheckID: CheckLeastPrivilege, Kind: KindKey, Region: region,
		Name: keyName(s.missingKeyARN(region)), Status: StatusNotApplicable, Why: "the key does not exist",
		Message: []string{"key does not exist"}})
	return nil
}

// secondaryKeys creates the second region's healthy CMK.
func (s *seeder) secondaryKeys(ctx context.Context, region string) error {
	_, err := s.createKey(ctx, kms.NewFromConfig(s.cfgFor(region)), region,
		s.executionKey(KeySecondary, "SageMaker data at rest (EU residency)", "ml-platform-eu", "cc-1101", true))
	return err
}

// keySpec is one key to create and its expected kms-key.least-privilege
// verdict.
type keySpec struct {
	name, description string
	owner, costCenter string
	multiRegion       bool
	rotation          bool
	policy            policyDocument
	// executionRole: RoleExecution's IAM policy lists the key.
	executionRole  bool
	leastPrivilege verdict
	// grantTo, when set, is a role given a grant for grantOps.
	grantTo  string
	grantOps []kmstypes.GrantOperation
}

// executionKey is a key the estate's resources use through RoleExecution:
// the standard key policy names the role and the role's IAM policy lists
// the key, so either alone would let it in.
func (s *seeder) executionKey(name, description, owner, costCenter string, rotation bool) keySpec {
	return keySpec{name: name, description: description, owner: owner, costCenter: costCenter, rotation: rotation,
		policy: s.standardKeyPolicy(RoleExecution), executionRole: true,
		leastPrivilege: onlyRole(RoleExecution)}
}

// createKey creates a symmetric customer-managed key with its policy,
// rotation and grant, records it in the manifest and returns its ARN.
func (s *seeder) createKey(ctx context.Context, kc *kms.Client, region string, k keySpec) (string, error) {
	out, err := kc.CreateKey(ctx, &kms.CreateKeyInput{
		Description: aws.String(k.description),
		KeySpec:     kmstypes.KeySpecSymmetricDefault,
		KeyUsage:    kmstypes.KeyUsageTypeEncryptDecrypt,
		MultiRegion: aws.Bool(k.multiRegion),
		Policy:      aws.String(mustJSON(k.policy)),
		Tags:        kmsTags(k.owner, k.costCenter),
	})
	if err != nil {
		return "", fmt.Errorf("demo: create %s key: %w", k.name, err)
	}
	arn := aws.ToString(out.KeyMetadata.Arn)
	if k.rotation {
		if _, err := kc.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: aws.String(keyID(arn))}); err != nil {
			return "", fmt.Errorf("demo: enable rotation on %s key: %w", k.name, err)
		}
	}
	if k.grantTo != "" {
		if _, err := kc.CreateGrant(ctx, &kms.CreateGrantInput{
			KeyId: aws.String(keyID(arn)), GranteePrincipal: aws.String(s.m.RoleARN(k.grantTo)),
			Operations: k.grantOps, Name: aws.String(k.grantTo + "-" + k.name),
		}); err != nil {
			return "", fmt.Errorf("demo: grant %s on %s key: %w", k.grantTo, k.name, err)
		}
	}
	s.m.Keys[k.name] = arn
	if k.executionRole {
		s.executionKeys = append(s.executionKeys, arn)
	}
	s.m.expectCheck(CheckExpectation{CheckID: CheckLeastPrivilege, Kind: KindKey, Region: region, Name: keyName(arn),
		Status: k.leastPrivilege.status, Why: k.leastPrivilege.why, Message: k.leastPrivilege.message})
	return arn, nil
}

// keyName is how findings name a key: "key/<id>".
func keyName(arn string) string {
	return "key/" + keyID(arn)
}

func kmsTags(owner, costCenter string) []kmstypes.Tag {
	return []kmstypes.Tag{
		{TagKey: aws.String("owner"), TagValue: aws.String(owner)},
		{TagKey: aws.String("cost-center"), TagValue: aws.String(costCenter)},
	}
}
