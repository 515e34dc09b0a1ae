package sagemaker

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	sm "github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"

	"github.com/sagekey/sagekey/internal/inventory"
)

func TestCustomizationSlots(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		doc  string
		want []inventory.Slot
	}{
		{"output key found", `{"OutputConfig":{"S3OutputPath":"s3://b/o","KmsKeyArn":"arn:aws:kms:us-east-1:1:key/k"}}`,
			[]inventory.Slot{{Type: "output", Name: "output:OutputConfig.KmsKeyArn", Label: "job configuration OutputConfig.KmsKeyArn", KeyRef: "arn:aws:kms:us-east-1:1:key/k"}}},
		{"keys in a list", `{"Outputs":[{"KmsKeyId":"alias/a"},{"KmsKeyId":""}]}`,
			[]inventory.Slot{
				{Type: "output", Name: "output:Outputs[0].KmsKeyId", Label: "job configuration Outputs[0].KmsKeyId", KeyRef: "alias/a"},
				{Type: "output", Name: "output:Outputs[1].KmsKeyId", Label: "job configuration Outputs[1].KmsKeyId"},
			}},
		{"no key field is unknown, not FAIL", `{"OutputConfig":{"S3OutputPath":"s3://b/o"}}`,
			[]inventory.Slot{{Type: "output", Name: "output", Label: "job output",
				Unknown: `JobConfigDocument (schema "1.0") names no KMS key field; its schema is not published, so the output key cannot be verified`}}},
		{"no document", ``, []inventory.Slot{{Type: "output", Name: "output", Label: "job output",
			Unknown: "DescribeJob returned no JobConfigDocument; the output key cannot be verified"}}},
	}
	for _, tt := range tests {
		assertEqual(t, tt.name, customizationSlots(tt.doc, "1.0"), tt.want)
	}
	if got := customizationSlots("{", "1.0"); len(got) != 1 || got[0].Unknown == "" {
		t.Errorf("invalid JSON must be unknown: %+v", got)
	}
}

func TestCustomizationJobCollector(t *testing.T) {
	t.Parallel()
	const arn = "arn:aws:sagemaker:eu-west-1:111122223333:job/rft"
	var listed []types.JobCategory
	api := &fakeJobsAPI{t: t, // listTags unset: DescribeJob's tags must be used instead
		listJobs: func(in *sm.ListJobsInput) (*sm.ListJobsOutput, error) {
			listed = append(listed, in.JobCategory)
			if in.JobCategory != types.JobCategoryAgentRftEvaluation {
				return &sm.ListJobsOutput{}, nil
			}
			return &sm.ListJobsOutput{JobSummaries: []types.JobSummary{{JobName: aws.String("rft"), JobArn: aws.String(arn)}}}, nil
		},
		describeJob: func(in *sm.DescribeJobInput) (*sm.DescribeJobOutput, error) {
			if in.JobCategory != types.JobCategoryAgentRftEvaluation {
				t.Errorf("described with category %q, want the listed one", in.JobCategory)
			}
			return &sm.DescribeJobOutput{JobName: aws.String("rft"), JobArn: aws.String(arn),
				Tags:              []types.Tag{{Key: aws.String("owner"), Value: aws.String("ml")}},
				JobConfigDocument: aws.String(`{"OutputConfig":{"KmsKeyArn":"alias/rft"}}`)}, nil
		},
	}
	inv := runJobCollector(t, api, "sagemaker:model-customization-jobs")
	if len(listed) != len(types.JobCategory("").Values()) {
		t.Errorf("listed categories %v, want every category", listed)
	}
	if len(inv.Resources) != 1 || inv.Resources[0].Tags["owner"] != "ml" || inv.Resources[0].Slots[0].KeyRef != "alias/rft" {
		t.Errorf("resources = %+v", inv.Resources)
	}
	if len(inv.Gaps) != 0 {
		t.Errorf("gaps = %+v", inv.Gaps)
	}
}
