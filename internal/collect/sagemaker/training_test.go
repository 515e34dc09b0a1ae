package sagemaker

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	sm "github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"

	"github.com/sagekey/sagekey/internal/inventory"
)

func TestTrainingSlots(t *testing.T) {
	tests := []struct {
		name string
		in   trainingFacts
		want []inventory.Slot
	}{
		{
			name: "single instance type with keys",
			in: trainingFacts{
				resources: &types.ResourceConfig{InstanceType: types.TrainingInstanceTypeMlM5Large, VolumeKmsKeyId: aws.String(keyARN)},
				output:    &types.OutputDataConfig{KmsKeyId: aws.String("alias/out"), S3OutputPath: aws.String("s3://out/")},
			},
			want: []inventory.Slot{
				{Type: "volume", Name: "volume", Label: "ML storage volume", KeyRef: keyARN, InstanceTypes: []string{"ml.m5.large"}},
				{Type: "output", Name: "output", Label: "model output in S3", KeyRef: "alias/out", OutputURI: "s3://out/"},
			},
		},
		{
			name: "heterogeneous cluster",
			in: trainingFacts{
				resources: &types.ResourceConfig{InstanceGroups: []types.InstanceGroup{
					{InstanceGroupName: aws.String("a"), InstanceType: types.TrainingInstanceTypeMlG4dnXlarge},
					{InstanceGroupName: aws.String("b"), InstanceType: types.TrainingInstanceTypeMlM5Large},
					{InstanceGroupName: aws.String("c"), InstanceType: types.TrainingInstanceTypeMlG4dnXlarge},
				}},
				output: &types.OutputDataConfig{S3OutputPath: aws.String("s3://out/")},
			},
			want: []inventory.Slot{
				{Type: "volume", Name: "volume", Label: "ML storage volume", InstanceTypes: []string{"ml.g4dn.xlarge", "ml.m5.large"}},
				{Type: "output", Name: "output", Label: "model output in S3", OutputURI: "s3://out/"},
			},
		},
		{
			name: "serverless: no resource config",
			in:   trainingFacts{output: &types.OutputDataConfig{S3OutputPath: aws.String("s3://out/")}},
			want: []inventory.Slot{
				{Type: "volume", Name: "volume", Label: "ML storage volume",
					Unsupported: "no ResourceConfig: the job has no ML storage volume you can key"},
				{Type: "output", Name: "output", Label: "model output in S3", OutputURI: "s3://out/"},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assertEqual(t, "slots", trainingSlots(tc.in), tc.want)
		})
	}
}

func searchJob(name string, tags ...types.Tag) types.SearchRecord {
	return types.SearchRecord{TrainingJob: &types.TrainingJob{
		TrainingJobName:  aws.String(name),
		TrainingJobArn:   aws.String(arnOf("training-job", name)),
		CreationTime:     aws.Time(created),
		ResourceConfig:   &types.ResourceConfig{InstanceType: types.TrainingInstanceTypeMlM5Large, VolumeKmsKeyId: aws.String("key-v")},
		OutputDataConfig: &types.OutputDataConfig{KmsKeyId: aws.String("key-o"), S3OutputPath: aws.String("s3://out/")},
		RoleArn:          aws.String(roleARN),
		Tags:             tags,
	}}
}

var wantJobRoles = []string{roleARN}

var wantJobSlots = []inventory.Slot{
	{Type: "volume", Name: "volume", Label: "ML storage volume", KeyRef: "key-v", InstanceTypes: []string{"ml.m5.large"}},
	{Type: "output", Name: "output", Label: "model output in S3", KeyRef: "key-o", OutputURI: "s3://out/"},
}

// Search pages through every job and carries tags: no Describe or
// ListTags per job (the fake fails the test if either is called).
func TestTrainingSearch(t *testing.T) {
	var tokens []string
	api := &fakeAPI{
		t: t,
		search: func(in *sm.SearchInput) (*sm.SearchOutput, error) {
			if in.Resource != types.ResourceTypeTrainingJob || aws.ToInt32(in.MaxResults) != 100 {
				t.Errorf("Search input = %+v, want TrainingJob, 100 per page", in)
			}
			tokens = append(tokens, aws.ToString(in.NextToken))
			if in.NextToken == nil {
				return &sm.SearchOutput{Results: []types.SearchRecord{searchJob("job-1", tag("team", "a")), {}}, NextToken: aws.String("t2")}, nil
			}
			noRole := searchJob("job-3")
			noRole.TrainingJob.RoleArn = nil
			return &sm.SearchOutput{Results: []types.SearchRecord{searchJob("job-2"), noRole}}, nil
		},
	}
	inv := runCollector(t, api, "sagemaker:training-jobs")
	assertEqual(t, "tokens", tokens, []string{"", "t2"})
	assertEqual(t, "resources", inv.Resources, []inventory.Resource{
		{Kind: "training-job", ARN: arnOf("training-job", "job-1"), Name: "job-1", Account: target.Account, Region: target.Region,
			Tags: map[string]string{"team": "a"}, CreatedAt: created, Source: "sagemaker:Search", Slots: wantJobSlots,
			ExecutionRoles: wantJobRoles},
		{Kind: "training-job", ARN: arnOf("training-job", "job-2"), Name: "job-2", Account: target.Account, Region: target.Region,
			CreatedAt: created, Source: "sagemaker:Search", Slots: wantJobSlots, ExecutionRoles: wantJobRoles},
		// Every training job has a role: a record without one is unknown.
		{Kind: "training-job", ARN: arnOf("training-job", "job-3"), Name: "job-3", Account: target.Account, Region: target.Region,
			CreatedAt: created, Source: "sagemaker:Search", Slots: wantJobSlots, RolesUnknown: "sagemaker:Search returned no RoleArn"},
	})
	assertEqual(t, "gaps", inv.Gaps, []inventory.Gap{})
}

// Without Search permission (or where Search does not exist) the collector
// lists, describes and tags each job instead.
func TestTrainingSearchUnavailableFallsBack(t *testing.T) {
	for _, searchErr := range []error{errDenied, apiErr("UnknownOperationException", "no Search here")} {
		t.Run(searchErr.Error(), func(t *testing.T) {
			jobARN := arnOf("training-job", "job-1")
			api := &fakeAPI{
				t:      t,
				search: func(*sm.SearchInput) (*sm.SearchOutput, error) { return nil, searchErr },
				listTrainingJobs: func(*sm.ListTrainingJobsInput) (*sm.ListTrainingJobsOutput, error) {
					return &sm.ListTrainingJobsOutput{TrainingJobSummaries: []types.TrainingJobSummary{
						{TrainingJobName: aws.String("job-1"), TrainingJobArn: aws.String(jobARN)},
						{TrainingJobName: aws.String("gone"), TrainingJobArn: aws.String(arnOf("training-job", "gone"))},
					}}, nil
				},
				describeTrainingJob: func(in *sm.DescribeTrainingJobInput) (*sm.DescribeTrainingJobOutput, error) {
					if aws.ToString(in.TrainingJobName) == "gone" {
						return nil, errGone("training job gone")
					}
					j := searchJob("job-1").TrainingJob
					return &sm.DescribeTrainingJobOutput{
						TrainingJobName: j.TrainingJobName, TrainingJobArn: j.TrainingJobArn, CreationTime: j.CreationTime,
						ResourceConfig: j.ResourceConfig, OutputDataConfig: j.OutputDataConfig, RoleArn: j.RoleArn,
					}, nil
				},
				listTags: tagsOf(map[string][]types.Tag{jobARN: {tag("team", "b")}}),
			}
			inv := runCollector(t, api, "sagemaker:training-jobs")
			assertEqual(t, "resources", inv.Resources, []inventory.Resource{{
				Kind: "training-job", ARN: jobARN, Name: "job-1", Account: target.Account, Region: target.Region,
				Tags: map[string]string{"team": "b"}, CreatedAt: created, Source: "sagemaker:DescribeTrainingJob", Slots: wantJobSlots,
				ExecutionRoles: wantJobRoles,
			}})
			assertEqual(t, "gaps", inv.Gaps, []inventory.Gap{})
		})
	}
}

// Search failing for another reason, or on a later page, is a gap; jobs
// from earlier pages stay reported and there is no fallback.
func TestTrainingSearchFailure(t *testing.T) {
	api := &fakeAPI{
		t: t,
		search: func(in *sm.SearchInput) (*sm.SearchOutput, error) {
			if in.NextToken == nil {
				return &sm.SearchOutput{Results: []types.SearchRecord{searchJob("job-1")}, NextToken: aws.String("t2")}, nil
			}
			return nil, errDenied
		},
	}
	inv := runCollector(t, api, "sagemaker:training-jobs")
	if len(inv.Resources) != 1 || inv.Resources[0].Name != "job-1" {
		t.Errorf("resources = %+v, want job-1 only", inv.Resources)
	}
	assertEqual(t, "gaps", inv.Gaps, []inventory.Gap{{
		Account: target.Account, Region: target.Region, Service: "sagemaker:Search",
		Reason: "sagemaker:Search: access denied (AccessDeniedException)",
	}})
}
