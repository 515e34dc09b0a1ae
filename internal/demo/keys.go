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
// with rotation off and a multi-Region key.
//
// moto resolves only bare key IDs (not ARNs) in DisableKey,
// ScheduleKeyDeletion and EnableKeyRotation, so those calls use keyID(arn).
func (s *seeder) primaryKeys(ctx context.Context, region string) error {
	kc := kms.NewFromConfig(s.cfgFor(region))

	healthy, err := createKey(ctx, kc, KeyHealthy, "SageMaker data at rest (ml-platform)", false, kmsTags("ml-platform", "cc-1001"))
	if err != nil {
		return err
	}
	if _, err := kc.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: aws.String(keyID(healthy))}); err != nil {
		return fmt.Errorf("demo: enable rotation on %s key: %w", KeyHealthy, err)
	}
	if _, err := kc.CreateAlias(ctx, &kms.CreateAliasInput{
		AliasName:   aws.String(AliasSageMakerData),
		TargetKeyId: aws.String(keyID(healthy)),
	}); err != nil {
		return fmt.Errorf("demo: create alias %s: %w", AliasSageMakerData, err)
	}
	s.m.Keys[KeyHealthy] = healthy

	disabled, err := createKey(ctx, kc, KeyDisabled, "Legacy ETL key (disabled during incident INC-4711)", false, kmsTags("data-eng", "cc-2002"))
	if err != nil {
		return err
	}
	if _, err := kc.DisableKey(ctx, &kms.DisableKeyInput{KeyId: aws.String(keyID(disabled))}); err != nil {
		return fmt.Errorf("demo: disable %s key: %w", KeyDisabled, err)
	}
	s.m.Keys[KeyDisabled] = disabled

	pending, err := createKey(ctx, kc, KeyPendingDeletion, "Decommissioned project key", false, kmsTags("research", "cc-3003"))
	if err != nil {
		return err
	}
	if _, err := kc.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{
		KeyId:               aws.String(keyID(pending)),
		PendingWindowInDays: aws.Int32(7),
	}); err != nil {
		return fmt.Errorf("demo: schedule deletion of %s key: %w", KeyPendingDeletion, err)
	}
	s.m.Keys[KeyPendingDeletion] = pending

	// Rotation is off by default for new keys.
	rotOff, err := createKey(ctx, kc, KeyRotationOff, "Customer LTV models", false, kmsTags("growth", "cc-4004"))
	if err != nil {
		return err
	}
	s.m.Keys[KeyRotationOff] = rotOff

	mrk, err := createKey(ctx, kc, KeyMultiRegion, "Global search (multi-Region primary)", true, kmsTags("search", "cc-5005"))
	if err != nil {
		return err
	}
	if !strings.HasPrefix(keyID(mrk), "mrk-") {
		return fmt.Errorf("demo: multi-Region key %s has no mrk- prefix", mrk)
	}
	s.m.Keys[KeyMultiRegion] = mrk
	return nil
}

// secondaryKeys creates the second region's healthy CMK.
func (s *seeder) secondaryKeys(ctx context.Context, region string) error {
	kc := kms.NewFromConfig(s.cfgFor(region))
	arn, err := createKey(ctx, kc, KeySecondary, "SageMaker data at rest (EU residency)", false, kmsTags("ml-platform-eu", "cc-1101"))
	if err != nil {
		return err
	}
	if _, err := kc.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: aws.String(keyID(arn))}); err != nil {
		return fmt.Errorf("demo: enable rotation on %s key: %w", KeySecondary, err)
	}
	s.m.Keys[KeySecondary] = arn
	return nil
}

// createKey creates a symmetric customer-managed key and returns its ARN.
func createKey(ctx context.Context, kc *kms.Client, name, desc string, multiRegion bool, tags []kmstypes.Tag) (string, error) {
	out, err := kc.CreateKey(ctx, &kms.CreateKeyInput{
		Description: aws.String(desc),
		KeySpec:     kmstypes.KeySpecSymmetricDefault,
		KeyUsage:    kmstypes.KeyUsageTypeEncryptDecrypt,
		MultiRegion: aws.Bool(multiRegion),
		Tags:        tags,
	})
	if err != nil {
		return "", fmt.Errorf("demo: create %s key: %w", name, err)
	}
	return aws.ToString(out.KeyMetadata.Arn), nil
}

func kmsTags(owner, costCenter string) []kmstypes.Tag {
	return []kmstypes.Tag{
		{TagKey: aws.String("owner"), TagValue: aws.String(owner)},
		{TagKey: aws.String("cost-center"), TagValue: aws.String(costCenter)},
	}
}
