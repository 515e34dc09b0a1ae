package demo

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
)

type notebookSpec struct {
	name   string
	kmsKey string // as passed to CreateNotebookInstance; "" means none
	tags   []smtypes.Tag
	status string
	why    string
	access verdict // notebook-instance.key-access
	role   string  // the execution role's name; "" means RoleExecution
}

// primaryNotebooks creates one compliant notebook per key identifier form
// and one notebook per way of getting it wrong.
func (s *seeder) primaryNotebooks(ctx context.Context, region string) error {
	healthy := s.m.key(KeyHealthy)
	specs := []notebookSpec{
		{"fraud-detector-nb", keyID(healthy), tags("fraud-team", "cc-1001"), StatusPass, "KmsKeyId is the key ID of an enabled CMK", accessGranted, ""},
		{"churn-forecast-nb", healthy, tags("growth", "cc-4004"), StatusPass, "KmsKeyId is the key ARN of an enabled CMK", accessGranted, ""},
		{"recsys-exploration-nb", AliasSageMakerData, tags("recsys", "cc-6006"), StatusPass, "KmsKeyId is alias name " + AliasSageMakerData + " of an enabled CMK", accessGranted, ""},
		{"pricing-research-nb", s.aliasARN(region, AliasSageMakerData), tags("pricing", "cc-7007"), StatusPass, "KmsKeyId is the alias ARN of an enabled CMK", accessGranted, ""},
		{"global-search-nb", keyID(s.m.key(KeyMultiRegion)), tags("search", "cc-5005"), StatusPass, "KmsKeyId is the mrk- ID of an enabled multi-Region CMK", accessGranted, ""},
		{"customer-ltv-nb", s.m.key(KeyRotationOff), tags("growth", "cc-4004"), StatusPass, "enabled CMK (rotation off does not affect the verdict)", accessGranted, ""},
		{"intern-sandbox-nb", "", nil, StatusFail, "no KmsKeyId: volume uses the AWS-owned default key", accessNoCMK, ""},
		{"marketing-mix-nb", "alias/aws/sagemaker", tags("marketing", "cc-8008"), StatusFail, "KmsKeyId is AWS-managed alias/aws/sagemaker", accessNoCMK, ""},
		{"legacy-etl-nb", s.m.key(KeyDisabled), tags("data-eng", "cc-2002"), StatusFail, "KmsKeyId names a Disabled key", accessGranted, ""},
		{"decommissioned-nb", s.m.key(KeyPendingDeletion), tags("research", "cc-3003"), StatusFail, "KmsKeyId names a key pending deletion", accessGranted, ""},
		{"orphaned-key-nb", s.missingKeyARN(region), tags("research", "cc-3003"), StatusFail, "KmsKeyId names a key that does not exist", accessNoCMK, ""},
	}
	return s.createNotebooks(ctx, region, specs)
}

func (s *seeder) secondaryNotebooks(ctx context.Context, region string) error {
	return s.createNotebooks(ctx, region, []notebookSpec{
		{"gdpr-analytics-nb", s.m.key(KeySecondary), tags("ml-platform-eu", "cc-1101"), StatusPass, "KmsKeyId is the key ARN of the region's enabled CMK", accessGranted, ""},
	})
}

func (s *seeder) createNotebooks(ctx context.Context, region string, specs []notebookSpec) error {
	sm := s.sagemaker(region)
	for _, nb := range specs {
		role := s.roleARN()
		if nb.role != "" {
			role = s.m.RoleARN(nb.role)
		}
		in := &sagemaker.CreateNotebookInstanceInput{
			NotebookInstanceName: aws.String(nb.name),
			InstanceType:         smtypes.InstanceTypeMlT3Medium,
			RoleArn:              aws.String(role),
			VolumeSizeInGB:       aws.Int32(20),
			Tags:                 nb.tags,
		}
		if nb.kmsKey != "" {
			in.KmsKeyId = aws.String(nb.kmsKey)
		}
		if _, err := sm.CreateNotebookInstance(ctx, in); createdEvenIfRetried(err) != nil {
			return fmt.Errorf("demo: create notebook instance %s in %s: %w", nb.name, region, err)
		}
		s.m.expect(KindNotebookInstance, region, nb.name, nb.status, nb.why)
		s.m.expectAccess(KindNotebookInstance, region, nb.name, nb.access)
	}
	return nil
}
