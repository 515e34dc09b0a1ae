package demo

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
)

// primaryStudio creates one compliant SageMaker Studio domain: its storage
// (KmsKeyId) and notebook sharing output (S3KmsKeyId) both use the healthy
// key. The sharing slot applies because SharingSettings.S3OutputPath is set.
// moto checks neither the VPC nor the subnets.
func (s *seeder) primaryStudio(ctx context.Context, region string) error {
	sm := s.sagemaker(region)
	healthy := s.m.key(KeyHealthy)
	const name = "ml-platform-studio"
	_, err := sm.CreateDomain(ctx, &sagemaker.CreateDomainInput{
		DomainName: aws.String(name),
		AuthMode:   smtypes.AuthModeIam,
		DefaultUserSettings: &smtypes.UserSettings{
			ExecutionRole: aws.String(s.roleARN()),
			SharingSettings: &smtypes.SharingSettings{
				NotebookOutputOption: smtypes.NotebookOutputOptionAllowed,
				S3OutputPath:         aws.String(s.bucket(region) + "/studio-sharing/"),
				S3KmsKeyId:           aws.String(keyID(healthy)),
			},
		},
		SubnetIds: []string{"subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"},
		VpcId:     aws.String("vpc-0a1b2c3d4e5f60000"),
		KmsKeyId:  aws.String(healthy),
		Tags:      tags("ml-platform", "cc-1001"),
	})
	if createdEvenIfRetried(err) != nil {
		return fmt.Errorf("demo: create domain %s in %s: %w", name, region, err)
	}
	s.m.expect(KindDomain, region, name, StatusPass, "storage KmsKeyId and sharing S3KmsKeyId both use an enabled CMK")
	s.m.expectAccess(KindDomain, region, name, accessGranted)
	return nil
}
