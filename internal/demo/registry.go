package demo

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
)

// primaryRegistry creates one model card encrypted with the healthy key.
func (s *seeder) primaryRegistry(ctx context.Context, region string) error {
	sm := s.sagemaker(region)
	const name = "fraud-detector-model-card"
	_, err := sm.CreateModelCard(ctx, &sagemaker.CreateModelCardInput{
		ModelCardName:   aws.String(name),
		Content:         aws.String(`{"model_overview":{"model_description":"XGBoost card-fraud classifier","model_owner":"fraud-team"}}`),
		ModelCardStatus: smtypes.ModelCardStatusDraft,
		SecurityConfig:  &smtypes.ModelCardSecurityConfig{KmsKeyId: aws.String(s.m.key(KeyHealthy))},
		Tags:            tags("fraud-team", "cc-1001"),
	})
	if createdEvenIfRetried(err) != nil {
		return fmt.Errorf("demo: create model card %s in %s: %w", name, region, err)
	}
	s.m.expect(KindModelCard, region, name, StatusPass, "SecurityConfig.KmsKeyId is an enabled CMK")
	return nil
}
