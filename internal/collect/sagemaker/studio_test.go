package sagemaker

import (
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	sm "github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"

	"github.com/sagekey/sagekey/internal/catalog"
	"github.com/sagekey/sagekey/internal/inventory"
)

func newFakeStudio(t *testing.T) *fakeStudio {
	return &fakeStudio{fake: fakeAPI{t: t}, listTags: noTags}
}

// runStudio runs the named Studio collector as a scan does and checks the
// result against the catalog.
func runStudio(t *testing.T, api StudioAPI, name string) inventory.Inventory {
	t.Helper()
	return runNamed(t, StudioCollectors(api), name)
}

func gapServices(inv inventory.Inventory) []string {
	out := []string{}
	for _, g := range inv.Gaps {
		out = append(out, g.Service)
	}
	return out
}

func TestStudioCollectorsDeclareCatalogKinds(t *testing.T) {
	want := []string{"domain", "user-profile", "feature-group", "data-quality-job-definition", "model-quality-job-definition",
		"model-bias-job-definition", "model-explainability-job-definition", "monitoring-schedule", "model-card",
		"model-package", "algorithm", "inference-experiment", "device-fleet", "flow-definition", "partner-app"}
	var got []string
	names := map[string]bool{}
	for _, c := range StudioCollectors(newFakeStudio(t)) {
		if names[c.Name()] {
			t.Errorf("duplicate collector name %q", c.Name())
		}
		names[c.Name()] = true
		for _, k := range c.Kinds() {
			if _, ok := catalog.Lookup(k); !ok {
				t.Errorf("collector %s declares kind %q unknown to the catalog", c.Name(), k)
			}
			got = append(got, k)
		}
	}
	assertEqual(t, "kinds", got, want)
}

func TestUserSettingsSlots(t *testing.T) {
	tests := []struct {
		name string
		in   *types.UserSettings
		want []inventory.Slot
	}{
		{"nil settings", nil, []inventory.Slot{}},
		{"sub-structs absent", &types.UserSettings{}, []inventory.Slot{}},
		{"sharing without output path", &types.UserSettings{SharingSettings: &types.SharingSettings{S3KmsKeyId: aws.String(keyARN)}}, []inventory.Slot{}},
		{"canvas without workspace settings", &types.UserSettings{CanvasAppSettings: &types.CanvasAppSettings{}}, []inventory.Slot{}},
		{
			"both",
			&types.UserSettings{
				SharingSettings: &types.SharingSettings{S3OutputPath: aws.String("s3://share/"), S3KmsKeyId: aws.String(keyARN)},
				CanvasAppSettings: &types.CanvasAppSettings{WorkspaceSettings: &types.WorkspaceSettings{
					S3ArtifactPath: aws.String("s3://canvas/"),
				}},
			},
			[]inventory.Slot{
				{Type: "sharing-output", Name: "sharing-output", Label: "shared notebook snapshots in S3", KeyRef: keyARN, OutputURI: "s3://share/"},
				{Type: "canvas-output", Name: "canvas-output", Label: "Canvas workspace artifacts in S3", OutputURI: "s3://canvas/"},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { assertEqual(t, "slots", userSettingsSlots(tc.in), tc.want) })
	}
}

func TestFeatureGroupSlots(t *testing.T) {
	online := func(enabled bool, st types.StorageType, key *string) *types.OnlineStoreConfig {
		c := &types.OnlineStoreConfig{EnableOnlineStore: aws.Bool(enabled), StorageType: st}
		if key != nil {
			c.SecurityConfig = &types.OnlineStoreSecurityConfig{KmsKeyId: key}
		}
		return c
	}
	offline := &types.OfflineStoreConfig{S3StorageConfig: &types.S3StorageConfig{S3Uri: aws.String("s3://fs/"), KmsKeyId: aws.String("alias/off")}}
	tests := []struct {
		name string
		in   sm.DescribeFeatureGroupOutput
		want []inventory.Slot
	}{
		{"no stores", sm.DescribeFeatureGroupOutput{}, []inventory.Slot{}},
		{"online store disabled", sm.DescribeFeatureGroupOutput{OnlineStoreConfig: online(false, "", aws.String(keyARN))}, []inventory.Slot{}},
		{
			"standard online and offline",
			sm.DescribeFeatureGroupOutput{OnlineStoreConfig: online(true, types.StorageTypeStandard, aws.String(keyARN)), OfflineStoreConfig: offline},
			[]inventory.Slot{
				{Type: "online-store", Name: "online-store", Label: "online store", KeyRef: keyARN},
				{Type: "offline-store", Name: "offline-store", Label: "offline store in S3", KeyRef: "alias/off", OutputURI: "s3://fs/"},
			},
		},
		{
			"in-memory online store",
			sm.DescribeFeatureGroupOutput{OnlineStoreConfig: online(true, types.StorageTypeInMemory, nil)},
			[]inventory.Slot{{Type: "online-store", Name: "online-store", Label: "online store",
				Unsupported: "InMemory online stores are not covered by a customer-managed key"}},
		},
		{
			"offline store without S3 config",
			sm.DescribeFeatureGroupOutput{OfflineStoreConfig: &types.OfflineStoreConfig{}},
			[]inventory.Slot{{Type: "offline-store", Name: "offline-store", Label: "offline store in S3"}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { assertEqual(t, "slots", featureGroupSlots(&tc.in), tc.want) })
	}
}

func TestMonitoringSlots(t *testing.T) {
	assertEqual(t, "absent", monitoringSlots(nil, nil), []inventory.Slot{
		{Type: "volume", Name: "volume", Label: "ML storage volume"},
		{Type: "output", Name: "output", Label: "monitoring output in S3"},
	})
	assertEqual(t, "set", monitoringSlots(
		&types.MonitoringResources{ClusterConfig: &types.MonitoringClusterConfig{
			InstanceType: types.ProcessingInstanceTypeMlM5Large, VolumeKmsKeyId: aws.String("alias/vol"),
		}},
		&types.MonitoringOutputConfig{KmsKeyId: aws.String("alias/out"), MonitoringOutputs: []types.MonitoringOutput{
			{}, {S3Output: &types.MonitoringS3Output{S3Uri: aws.String("s3://mon/1")}}, {S3Output: &types.MonitoringS3Output{S3Uri: aws.String("s3://mon/2")}},
		}},
	), []inventory.Slot{
		{Type: "volume", Name: "volume", Label: "ML storage volume", KeyRef: "alias/vol", InstanceTypes: []string{"ml.m5.large"}},
		{Type: "output", Name: "output", Label: "monitoring output in S3", KeyRef: "alias/out", OutputURI: "s3://mon/1"},
	})
}

func TestAlgorithmSlots(t *testing.T) {
	assertEqual(t, "no validation", algorithmSlots(&sm.DescribeAlgorithmOutput{}), []inventory.Slot{})
	out := &sm.DescribeAlgorithmOutput{ValidationSpecification: &types.AlgorithmValidationSpecification{
		ValidationProfiles: []types.AlgorithmValidationProfile{{
			ProfileName: aws.String("p1"),
			TrainingJobDefinition: &types.TrainingJobDefinition{
				ResourceConfig:   &types.ResourceConfig{InstanceType: types.TrainingInstanceTypeMlM5Large, VolumeKmsKeyId: aws.String("alias/tv")},
				OutputDataConfig: &types.OutputDataConfig{S3OutputPath: aws.String("s3://t/"), KmsKeyId: aws.String("alias/to")},
			},
			TransformJobDefinition: &types.TransformJobDefinition{
				TransformResources: &types.TransformResources{InstanceType: types.TransformInstanceTypeMlM5Large, VolumeKmsKeyId: aws.String("alias/xv")},
				TransformOutput:    &types.TransformOutput{S3OutputPath: aws.String("s3://x/")},
			},
		}},
	}}
	assertEqual(t, "validation", algorithmSlots(out), []inventory.Slot{
		{Type: "validation-training-volume", Name: "validation-training-volume:p1", Label: "validation profile p1: training volume",
			KeyRef: "alias/tv", InstanceTypes: []string{"ml.m5.large"}},
		{Type: "validation-training-output", Name: "validation-training-output:p1", Label: "validation profile p1: training output in S3",
			KeyRef: "alias/to", OutputURI: "s3://t/"},
		{Type: "validation-transform-volume", Name: "validation-transform-volume:p1", Label: "validation profile p1: transform volume",
			KeyRef: "alias/xv", InstanceTypes: []string{"ml.m5.large"}},
		{Type: "validation-transform-output", Name: "validation-transform-output:p1", Label: "validation profile p1: transform output in S3",
			OutputURI: "s3://x/"},
	})
}

func TestInferenceExperimentSlots(t *testing.T) {
	variant := func(it types.ProductionVariantInstanceType) types.ModelVariantConfigSummary {
		return types.ModelVariantConfigSummary{InfrastructureConfig: &types.ModelInfrastructureConfig{
			RealTimeInferenceConfig: &types.RealTimeInferenceConfig{InstanceType: it},
		}}
	}
	assertEqual(t, "no data storage", inferenceExperimentSlots(&sm.DescribeInferenceExperimentOutput{
		KmsKey:        aws.String("alias/ie"),
		ModelVariants: []types.ModelVariantConfigSummary{variant("ml.m5.large"), variant("ml.g5.xlarge"), variant("ml.m5.large"), {}},
	}), []inventory.Slot{{Type: "volume", Name: "volume", Label: "ML storage volume", KeyRef: "alias/ie",
		InstanceTypes: []string{"ml.m5.large", "ml.g5.xlarge"}}})
	assertEqual(t, "data storage", inferenceExperimentSlots(&sm.DescribeInferenceExperimentOutput{
		DataStorageConfig: &types.InferenceExperimentDataStorageConfig{Destination: aws.String("s3://cap/"), KmsKey: aws.String("alias/cap")},
	}), []inventory.Slot{
		{Type: "volume", Name: "volume", Label: "ML storage volume"},
		{Type: "data-storage", Name: "data-storage", Label: "captured shadow-test data in S3", KeyRef: "alias/cap", OutputURI: "s3://cap/"},
	})
}

func TestDomainAndUserProfileCollectors(t *testing.T) {
	domARN := arnOf("domain", "d-abc")
	api := newFakeStudio(t)
	api.listDomains = func(*sm.ListDomainsInput) (*sm.ListDomainsOutput, error) {
		return &sm.ListDomainsOutput{Domains: []types.DomainDetails{{
			DomainId: aws.String("d-abc"), DomainName: aws.String("studio"), DomainArn: aws.String(domARN), CreationTime: aws.Time(created),
		}}}, nil
	}
	api.describeDomain = func(in *sm.DescribeDomainInput) (*sm.DescribeDomainOutput, error) {
		assertEqual(t, "DomainId", aws.ToString(in.DomainId), "d-abc")
		return &sm.DescribeDomainOutput{
			DomainId: aws.String("d-abc"), DomainName: aws.String("studio"), DomainArn: aws.String(domARN), KmsKeyId: aws.String(keyARN),
			DefaultUserSettings: &types.UserSettings{SharingSettings: &types.SharingSettings{S3OutputPath: aws.String("s3://share/")},
				ExecutionRole: aws.String(roleARN)},
			DefaultSpaceSettings: &types.DefaultSpaceSettings{ExecutionRole: aws.String(roleARN2)},
		}, nil
	}
	inv := runStudio(t, api, "sagemaker:domains")
	assertEqual(t, "domains", inv.Resources, []inventory.Resource{{
		Kind: "domain", ARN: domARN, Name: "studio", Account: target.Account, Region: target.Region, CreatedAt: created,
		Source: "sagemaker:DescribeDomain",
		Slots: []inventory.Slot{
			{Type: "storage", Name: "storage", Label: "Studio EFS home directories and space EBS volumes", KeyRef: keyARN},
			{Type: "sharing-output", Name: "sharing-output", Label: "shared notebook snapshots in S3", OutputURI: "s3://share/"},
		},
		// The users' default role and the shared spaces' role.
		ExecutionRoles: []string{roleARN2, roleARN},
	}})

	// alice and carol have no role of their own: they run as their domain's
	// default user role, read once for both. bob has his own. dave's domain
	// is gone.
	var mu sync.Mutex
	domains := map[string]int{}
	api.describeDomain = func(in *sm.DescribeDomainInput) (*sm.DescribeDomainOutput, error) {
		mu.Lock()
		domains[aws.ToString(in.DomainId)]++
		mu.Unlock()
		if aws.ToString(in.DomainId) == "d-gone" {
			return nil, apiErr("ResourceNotFound", "Domain d-gone does not exist")
		}
		return &sm.DescribeDomainOutput{DomainId: in.DomainId, DefaultUserSettings: &types.UserSettings{ExecutionRole: aws.String(roleARN)}}, nil
	}
	profiles := [][2]string{{"d-abc", "alice"}, {"d-abc", "bob"}, {"d-abc", "carol"}, {"d-gone", "dave"}}
	api.listUserProfiles = func(*sm.ListUserProfilesInput) (*sm.ListUserProfilesOutput, error) {
		var out sm.ListUserProfilesOutput
		for _, p := range profiles {
			out.UserProfiles = append(out.UserProfiles, types.UserProfileDetails{
				DomainId: aws.String(p[0]), UserProfileName: aws.String(p[1]), CreationTime: aws.Time(created)})
		}
		return &out, nil
	}
	api.describeUserProfile = func(in *sm.DescribeUserProfileInput) (*sm.DescribeUserProfileOutput, error) {
		name := aws.ToString(in.UserProfileName)
		out := &sm.DescribeUserProfileOutput{UserProfileArn: aws.String(arnOf("user-profile", aws.ToString(in.DomainId)+"/"+name)),
			UserProfileName: in.UserProfileName, DomainId: in.DomainId}
		if name == "bob" {
			out.UserSettings = &types.UserSettings{ExecutionRole: aws.String(roleARN2)}
		}
		return out, nil
	}
	inv = runStudio(t, api, "sagemaker:user-profiles")
	profile := func(name, source string, roles []string, unknown string) inventory.Resource {
		// Neither slot: still reported, with no slots (not applicable).
		return inventory.Resource{Kind: "user-profile", ARN: arnOf("user-profile", name), Name: name, Account: target.Account,
			Region: target.Region, CreatedAt: created, Source: source, Slots: []inventory.Slot{},
			ExecutionRoles: roles, RolesUnknown: unknown}
	}
	const inherited = "sagemaker:DescribeUserProfile+DescribeDomain"
	assertEqual(t, "profiles", inv.Resources, []inventory.Resource{
		profile("d-abc/alice", inherited, []string{roleARN}, ""),
		profile("d-abc/bob", "sagemaker:DescribeUserProfile", []string{roleARN2}, ""),
		profile("d-abc/carol", inherited, []string{roleARN}, ""),
		profile("d-gone/dave", inherited, nil, "the profile has no execution role of its own and its domain d-gone no longer exists"),
	})
	assertEqual(t, "DescribeDomain calls", domains, map[string]int{"d-abc": 1, "d-gone": 1})
	assertEqual(t, "gaps", inv.Gaps, []inventory.Gap{})
}

func TestMonitoringScheduleCollector(t *testing.T) {
	defOut := &sm.DescribeModelBiasJobDefinitionOutput{
		JobDefinitionName: aws.String("bias"),
		JobResources: &types.MonitoringResources{ClusterConfig: &types.MonitoringClusterConfig{
			InstanceType: types.ProcessingInstanceTypeMlM5Large, VolumeKmsKeyId: aws.String("alias/vol"),
		}},
		ModelBiasJobOutputConfig: &types.MonitoringOutputConfig{KmsKeyId: aws.String("alias/out")},
		RoleArn:                  aws.String(roleARN2),
	}
	referenced := &types.MonitoringScheduleConfig{MonitoringJobDefinitionName: aws.String("bias"), MonitoringType: types.MonitoringTypeModelBias}
	tests := []struct {
		name       string
		cfg        *types.MonitoringScheduleConfig
		describe   func(*sm.DescribeModelBiasJobDefinitionInput) (*sm.DescribeModelBiasJobDefinitionOutput, error)
		wantSource string
		want       []inventory.Slot
		// The monitoring jobs run as the definition's role.
		wantRoles        []string
		wantRolesUnknown string
	}{
		{
			name: "inline definition",
			cfg: &types.MonitoringScheduleConfig{MonitoringJobDefinition: &types.MonitoringJobDefinition{
				MonitoringResources: &types.MonitoringResources{ClusterConfig: &types.MonitoringClusterConfig{
					InstanceType: types.ProcessingInstanceTypeMlM5Large, VolumeKmsKeyId: aws.String(keyARN),
				}},
				MonitoringOutputConfig: &types.MonitoringOutputConfig{MonitoringOutputs: []types.MonitoringOutput{
					{S3Output: &types.MonitoringS3Output{S3Uri: aws.String("s3://mon/")}},
				}},
				RoleArn: aws.String(roleARN),
			}},
			wantRoles:  []string{roleARN},
			wantSource: "sagemaker:DescribeMonitoringSchedule",
			want: []inventory.Slot{
				{Type: "volume", Name: "volume", Label: "ML storage volume", KeyRef: keyARN, InstanceTypes: []string{"ml.m5.large"}},
				{Type: "output", Name: "output", Label: "monitoring output in S3", OutputURI: "s3://mon/"},
			},
		},
		{
			name: "referenced definition",
			cfg:  referenced,
			describe: func(in *sm.DescribeModelBiasJobDefinitionInput) (*sm.DescribeModelBiasJobDefinitionOutput, error) {
				assertEqual(t, "definition name", aws.ToString(in.JobDefinitionName), "bias")
				return defOut, nil
			},
			wantSource: "sagemaker:DescribeMonitoringSchedule+DescribeModelBiasJobDefinition",
			want: []inventory.Slot{
				{Type: "volume", Name: "definition:volume", Label: "job definition bias: ML storage volume", KeyRef: "alias/vol",
					InstanceTypes: []string{"ml.m5.large"}},
				{Type: "output", Name: "definition:output", Label: "job definition bias: monitoring output in S3", KeyRef: "alias/out"},
			},
			wantRoles: []string{roleARN2},
		},
		{
			name: "referenced definition deleted",
			cfg:  referenced,
			describe: func(*sm.DescribeModelBiasJobDefinitionInput) (*sm.DescribeModelBiasJobDefinitionOutput, error) {
				return nil, apiErr("ResourceNotFound", "Could not find job definition")
			},
			wantSource: "sagemaker:DescribeMonitoringSchedule+DescribeModelBiasJobDefinition",
			want: []inventory.Slot{{Type: "volume", Name: "definition", Label: "job definition bias",
				Unknown: "monitoring job definition bias no longer exists; the schedule's keys cannot be verified"}},
			wantRolesUnknown: "monitoring job definition bias no longer exists",
		},
		{
			name: "referenced definition denied",
			cfg:  referenced,
			describe: func(*sm.DescribeModelBiasJobDefinitionInput) (*sm.DescribeModelBiasJobDefinitionOutput, error) {
				return nil, errDenied
			},
			wantSource: "sagemaker:DescribeMonitoringSchedule+DescribeModelBiasJobDefinition",
			want: []inventory.Slot{{Type: "volume", Name: "definition", Label: "job definition bias",
				Unknown: "sagemaker:DescribeModelBiasJobDefinition: access denied (AccessDeniedException)"}},
			wantRolesUnknown: "monitoring job definition bias could not be described: " +
				"sagemaker:DescribeModelBiasJobDefinition: access denied (AccessDeniedException)",
		},
	}
	schedARN := arnOf("monitoring-schedule", "sched")
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			api := newFakeStudio(t)
			api.listMonitoringSchedules = func(*sm.ListMonitoringSchedulesInput) (*sm.ListMonitoringSchedulesOutput, error) {
				return &sm.ListMonitoringSchedulesOutput{MonitoringScheduleSummaries: []types.MonitoringScheduleSummary{{
					MonitoringScheduleName: aws.String("sched"), MonitoringScheduleArn: aws.String(schedARN), CreationTime: aws.Time(created),
				}}}, nil
			}
			api.describeMonitoringSchedule = func(*sm.DescribeMonitoringScheduleInput) (*sm.DescribeMonitoringScheduleOutput, error) {
				return &sm.DescribeMonitoringScheduleOutput{
					MonitoringScheduleName: aws.String("sched"), MonitoringScheduleArn: aws.String(schedARN), MonitoringScheduleConfig: tc.cfg,
				}, nil
			}
			api.describeModelBiasJobDefinition = tc.describe
			inv := runStudio(t, api, "sagemaker:monitoring-schedules")
			assertEqual(t, "resources", inv.Resources, []inventory.Resource{{
				Kind: "monitoring-schedule", ARN: schedARN, Name: "sched", Account: target.Account, Region: target.Region,
				CreatedAt: created, Source: tc.wantSource, Slots: tc.want,
				ExecutionRoles: tc.wantRoles, RolesUnknown: tc.wantRolesUnknown,
			}})
			assertEqual(t, "gaps", inv.Gaps, []inventory.Gap{})
		})
	}
}

// The four definition kinds share one helper; each must call its own API.
func TestMonitoringDefinitionCollectors(t *testing.T) {
	summaries := func(name string) []types.MonitoringJobDefinitionSummary {
		return []types.MonitoringJobDefinitionSummary{{
			MonitoringJobDefinitionName: aws.String(name), MonitoringJobDefinitionArn: aws.String(arnOf("job-definition", name)),
			CreationTime: aws.Time(created),
		}}
	}
	res := &types.MonitoringResources{ClusterConfig: &types.MonitoringClusterConfig{InstanceType: "ml.m5.large", VolumeKmsKeyId: aws.String("alias/vol")}}
	out := &types.MonitoringOutputConfig{KmsKeyId: aws.String("alias/out"), MonitoringOutputs: []types.MonitoringOutput{
		{S3Output: &types.MonitoringS3Output{S3Uri: aws.String("s3://mon/")}}}}
	api := newFakeStudio(t)
	api.listDataQualityJobDefinitions = func(*sm.ListDataQualityJobDefinitionsInput) (*sm.ListDataQualityJobDefinitionsOutput, error) {
		return &sm.ListDataQualityJobDefinitionsOutput{JobDefinitionSummaries: summaries("dq")}, nil
	}
	api.describeDataQualityJobDefinition = func(*sm.DescribeDataQualityJobDefinitionInput) (*sm.DescribeDataQualityJobDefinitionOutput, error) {
		return &sm.DescribeDataQualityJobDefinitionOutput{JobDefinitionName: aws.String("dq"), JobResources: res, DataQualityJobOutputConfig: out,
			RoleArn: aws.String(roleARN)}, nil
	}
	api.listModelQualityJobDefinitions = func(*sm.ListModelQualityJobDefinitionsInput) (*sm.ListModelQualityJobDefinitionsOutput, error) {
		return &sm.ListModelQualityJobDefinitionsOutput{JobDefinitionSummaries: summaries("mq")}, nil
	}
	api.describeModelQualityJobDefinition = func(*sm.DescribeModelQualityJobDefinitionInput) (*sm.DescribeModelQualityJobDefinitionOutput, error) {
		return &sm.DescribeModelQualityJobDefinitionOutput{JobDefinitionName: aws.String("mq"), JobResources: res, ModelQualityJobOutputConfig: out,
			RoleArn: aws.String(roleARN)}, nil
	}
	api.listModelBiasJobDefinitions = func(*sm.ListModelBiasJobDefinitionsInput) (*sm.ListModelBiasJobDefinitionsOutput, error) {
		return &sm.ListModelBiasJobDefinitionsOutput{JobDefinitionSummaries: summaries("mb")}, nil
	}
	api.describeModelBiasJobDefinition = func(*sm.DescribeModelBiasJobDefinitionInput) (*sm.DescribeModelBiasJobDefinitionOutput, error) {
		return &sm.DescribeModelBiasJobDefinitionOutput{JobDefinitionName: aws.String("mb"), JobResources: res, ModelBiasJobOutputConfig: out,
			RoleArn: aws.String(roleARN)}, nil
	}
	api.listModelExplainabilityJobDefinitions = func(*sm.ListModelExplainabilityJobDefinitionsInput) (*sm.ListModelExplainabilityJobDefinitionsOutput, error) {
		return &sm.ListModelExplainabilityJobDefinitionsOutput{JobDefinitionSummaries: summaries("me")}, nil
	}
	api.describeModelExplainabilityJobDefinition = func(*sm.DescribeModelExplainabilityJobDefinitionInput) (*sm.DescribeModelExplainabilityJobDefinitionOutput, error) {
		return &sm.DescribeModelExplainabilityJobDefinitionOutput{JobDefinitionName: aws.String("me"), JobResources: res, ModelExplainabilityJobOutputConfig: out,
			RoleArn: aws.String(roleARN)}, nil
	}
	slots := []inventory.Slot{
		{Type: "volume", Name: "volume", Label: "ML storage volume", KeyRef: "alias/vol", InstanceTypes: []string{"ml.m5.large"}},
		{Type: "output", Name: "output", Label: "monitoring output in S3", KeyRef: "alias/out", OutputURI: "s3://mon/"},
	}
	for _, c := range []struct{ kind, prefix, name string }{
		{"data-quality-job-definition", "DataQuality", "dq"}, {"model-quality-job-definition", "ModelQuality", "mq"},
		{"model-bias-job-definition", "ModelBias", "mb"}, {"model-explainability-job-definition", "ModelExplainability", "me"},
	} {
		inv := runStudio(t, api, "sagemaker:"+c.kind+"s")
		assertEqual(t, c.kind, inv.Resources, []inventory.Resource{{
			Kind: c.kind, ARN: arnOf("job-definition", c.name), Name: c.name, Account: target.Account, Region: target.Region,
			CreatedAt: created, Source: "sagemaker:Describe" + c.prefix + "JobDefinition", Slots: slots,
			ExecutionRoles: []string{roleARN},
		}})
	}
}

func TestModelPackageCollectorListsBoth(t *testing.T) {
	mpARN := "arn:aws:sagemaker:eu-west-1:111122223333:model-package/grp/3"
	api := newFakeStudio(t)
	api.listModelPackages = func(in *sm.ListModelPackagesInput) (*sm.ListModelPackagesOutput, error) {
		assertEqual(t, "ModelPackageType", in.ModelPackageType, types.ModelPackageTypeBoth)
		return &sm.ListModelPackagesOutput{ModelPackageSummaryList: []types.ModelPackageSummary{{
			ModelPackageName: aws.String("grp"), ModelPackageGroupName: aws.String("grp"), ModelPackageVersion: aws.Int32(3),
			ModelPackageArn: aws.String(mpARN), CreationTime: aws.Time(created),
		}}}, nil
	}
	api.describeModelPackage = func(in *sm.DescribeModelPackageInput) (*sm.DescribeModelPackageOutput, error) {
		assertEqual(t, "described by ARN", aws.ToString(in.ModelPackageName), mpARN)
		return &sm.DescribeModelPackageOutput{
			ModelPackageArn: aws.String(mpARN), ModelPackageName: aws.String("grp"),
			SecurityConfig: &types.ModelPackageSecurityConfig{KmsKeyId: aws.String(keyARN)},
			ValidationSpecification: &types.ModelPackageValidationSpecification{ValidationRole: aws.String(roleARN2), ValidationProfiles: []types.ModelPackageValidationProfile{{
				ProfileName: aws.String("v"),
				TransformJobDefinition: &types.TransformJobDefinition{
					TransformResources: &types.TransformResources{InstanceType: types.TransformInstanceTypeMlM5Large},
					TransformOutput:    &types.TransformOutput{S3OutputPath: aws.String("s3://v/"), KmsKeyId: aws.String("alias/v")},
				},
			}}},
		}, nil
	}
	inv := runStudio(t, api, "sagemaker:model-packages")
	assertEqual(t, "packages", inv.Resources, []inventory.Resource{{
		Kind: "model-package", ARN: mpARN, Name: "grp/3", Account: target.Account, Region: target.Region, CreatedAt: created,
		Source: "sagemaker:DescribeModelPackage",
		Slots: []inventory.Slot{
			{Type: "content", Name: "content", Label: "model package content", KeyRef: keyARN},
			{Type: "validation-transform-volume", Name: "validation-transform-volume:v", Label: "validation profile v: transform volume",
				InstanceTypes: []string{"ml.m5.large"}},
			{Type: "validation-transform-output", Name: "validation-transform-output:v", Label: "validation profile v: transform output in S3",
				KeyRef: "alias/v", OutputURI: "s3://v/"},
		},
		// None: ValidationRole runs only the validation jobs.
	}})
}

func TestSimpleStudioCollectors(t *testing.T) {
	api := newFakeStudio(t)
	api.listFeatureGroups = func(*sm.ListFeatureGroupsInput) (*sm.ListFeatureGroupsOutput, error) {
		return &sm.ListFeatureGroupsOutput{FeatureGroupSummaries: []types.FeatureGroupSummary{{
			FeatureGroupName: aws.String("fg"), FeatureGroupArn: aws.String(arnOf("feature-group", "fg")), CreationTime: aws.Time(created)}}}, nil
	}
	api.describeFeatureGroup = func(*sm.DescribeFeatureGroupInput) (*sm.DescribeFeatureGroupOutput, error) {
		return &sm.DescribeFeatureGroupOutput{FeatureGroupName: aws.String("fg"), FeatureGroupArn: aws.String(arnOf("feature-group", "fg")),
			RoleArn: aws.String(roleARN)}, nil
	}
	api.listModelCards = func(*sm.ListModelCardsInput) (*sm.ListModelCardsOutput, error) {
		return &sm.ListModelCardsOutput{ModelCardSummaries: []types.ModelCardSummary{{
			ModelCardName: aws.String("card"), ModelCardArn: aws.String(arnOf("model-card", "card")), CreationTime: aws.Time(created)}}}, nil
	}
	api.describeModelCard = func(in *sm.DescribeModelCardInput) (*sm.DescribeModelCardOutput, error) {
		if in.ModelCardVersion != nil {
			t.Errorf("DescribeModelCard asked for version %d, want the latest", *in.ModelCardVersion)
		}
		return &sm.DescribeModelCardOutput{ModelCardName: aws.String("card"), ModelCardArn: aws.String(arnOf("model-card", "card")),
			SecurityConfig: &types.ModelCardSecurityConfig{KmsKeyId: aws.String(keyARN)}}, nil
	}
	api.listDeviceFleets = func(*sm.ListDeviceFleetsInput) (*sm.ListDeviceFleetsOutput, error) {
		return &sm.ListDeviceFleetsOutput{DeviceFleetSummaries: []types.DeviceFleetSummary{{
			DeviceFleetName: aws.String("fleet"), DeviceFleetArn: aws.String(arnOf("device-fleet", "fleet")), CreationTime: aws.Time(created)}}}, nil
	}
	api.describeDeviceFleet = func(*sm.DescribeDeviceFleetInput) (*sm.DescribeDeviceFleetOutput, error) {
		return &sm.DescribeDeviceFleetOutput{DeviceFleetName: aws.String("fleet"), DeviceFleetArn: aws.String(arnOf("device-fleet", "fleet")),
			OutputConfig: &types.EdgeOutputConfig{S3OutputLocation: aws.String("s3://edge/"), KmsKeyId: aws.String(keyARN)},
			RoleArn:      aws.String(roleARN2)}, nil
	}
	api.listFlowDefinitions = func(*sm.ListFlowDefinitionsInput) (*sm.ListFlowDefinitionsOutput, error) {
		return &sm.ListFlowDefinitionsOutput{FlowDefinitionSummaries: []types.FlowDefinitionSummary{{
			FlowDefinitionName: aws.String("flow"), FlowDefinitionArn: aws.String(arnOf("flow-definition", "flow")), CreationTime: aws.Time(created)}}}, nil
	}
	api.describeFlowDefinition = func(*sm.DescribeFlowDefinitionInput) (*sm.DescribeFlowDefinitionOutput, error) {
		return &sm.DescribeFlowDefinitionOutput{FlowDefinitionName: aws.String("flow"), FlowDefinitionArn: aws.String(arnOf("flow-definition", "flow")),
			OutputConfig: &types.FlowDefinitionOutputConfig{S3OutputPath: aws.String("s3://a2i/")}, RoleArn: aws.String(roleARN)}, nil
	}
	appARN := arnOf("partner-app", "app-1")
	api.listPartnerApps = func(*sm.ListPartnerAppsInput) (*sm.ListPartnerAppsOutput, error) {
		return &sm.ListPartnerAppsOutput{Summaries: []types.PartnerAppSummary{{Name: aws.String("mlflow"), Arn: aws.String(appARN), CreationTime: aws.Time(created)}}}, nil
	}
	api.describePartnerApp = func(in *sm.DescribePartnerAppInput) (*sm.DescribePartnerAppOutput, error) {
		assertEqual(t, "DescribePartnerApp Arn", aws.ToString(in.Arn), appARN)
		return &sm.DescribePartnerAppOutput{Name: aws.String("mlflow"), Arn: aws.String(appARN), KmsKeyId: aws.String(keyARN),
			ExecutionRoleArn: aws.String(roleARN2)}, nil
	}
	api.listInferenceExperiments = func(*sm.ListInferenceExperimentsInput) (*sm.ListInferenceExperimentsOutput, error) {
		return &sm.ListInferenceExperimentsOutput{InferenceExperiments: []types.InferenceExperimentSummary{{Name: aws.String("ie"), CreationTime: aws.Time(created)}}}, nil
	}
	api.describeInferenceExperiment = func(*sm.DescribeInferenceExperimentInput) (*sm.DescribeInferenceExperimentOutput, error) {
		return &sm.DescribeInferenceExperimentOutput{Name: aws.String("ie"), Arn: aws.String(arnOf("inference-experiment", "ie")),
			RoleArn: aws.String(roleARN)}, nil
	}
	api.listAlgorithms = func(*sm.ListAlgorithmsInput) (*sm.ListAlgorithmsOutput, error) {
		return &sm.ListAlgorithmsOutput{AlgorithmSummaryList: []types.AlgorithmSummary{{
			AlgorithmName: aws.String("algo"), AlgorithmArn: aws.String(arnOf("algorithm", "algo")), CreationTime: aws.Time(created)}}}, nil
	}
	api.describeAlgorithm = func(*sm.DescribeAlgorithmInput) (*sm.DescribeAlgorithmOutput, error) {
		return &sm.DescribeAlgorithmOutput{AlgorithmName: aws.String("algo"), AlgorithmArn: aws.String(arnOf("algorithm", "algo"))}, nil
	}

	res := func(kind, name, arn, source string, slots ...inventory.Slot) []inventory.Resource {
		if slots == nil {
			slots = []inventory.Slot{}
		}
		return []inventory.Resource{{Kind: kind, ARN: arn, Name: name, Account: target.Account, Region: target.Region,
			CreatedAt: created, Source: source, Slots: slots}}
	}
	// withRoles sets the execution roles the resource must report.
	withRoles := func(rs []inventory.Resource, roles ...string) []inventory.Resource {
		rs[0].ExecutionRoles = roles
		return rs
	}
	tests := []struct {
		collector string
		want      []inventory.Resource
	}{
		{"sagemaker:feature-groups", withRoles(res("feature-group", "fg", arnOf("feature-group", "fg"), "sagemaker:DescribeFeatureGroup"), roleARN)},
		{"sagemaker:model-cards", res("model-card", "card", arnOf("model-card", "card"), "sagemaker:DescribeModelCard",
			inventory.Slot{Type: "content", Name: "content", Label: "model card content", KeyRef: keyARN})},
		{"sagemaker:device-fleets", withRoles(res("device-fleet", "fleet", arnOf("device-fleet", "fleet"), "sagemaker:DescribeDeviceFleet",
			inventory.Slot{Type: "output", Name: "output", Label: "device fleet output in S3", KeyRef: keyARN, OutputURI: "s3://edge/"}), roleARN2)},
		{"sagemaker:flow-definitions", withRoles(res("flow-definition", "flow", arnOf("flow-definition", "flow"), "sagemaker:DescribeFlowDefinition",
			inventory.Slot{Type: "output", Name: "output", Label: "human review output in S3", OutputURI: "s3://a2i/"}), roleARN)},
		{"sagemaker:partner-apps", withRoles(res("partner-app", "mlflow", appARN, "sagemaker:DescribePartnerApp",
			inventory.Slot{Type: "content", Name: "content", Label: "partner app data", KeyRef: keyARN}), roleARN2)},
		{"sagemaker:inference-experiments", withRoles(res("inference-experiment", "ie", arnOf("inference-experiment", "ie"), "sagemaker:DescribeInferenceExperiment",
			inventory.Slot{Type: "volume", Name: "volume", Label: "ML storage volume"}), roleARN)},
		{"sagemaker:algorithms", res("algorithm", "algo", arnOf("algorithm", "algo"), "sagemaker:DescribeAlgorithm")},
	}
	for _, tc := range tests {
		t.Run(tc.collector, func(t *testing.T) {
			api.fake.t = t
			inv := runStudio(t, api, tc.collector)
			assertEqual(t, "resources", inv.Resources, tc.want)
			assertEqual(t, "gaps", inv.Gaps, []inventory.Gap{})
		})
	}
}

// A denied List is a gap for that kind; a failed Describe keeps the
// resource, unreadable, and is a gap too.
func TestStudioListDeniedAndDescribeFailed(t *testing.T) {
	api := newFakeStudio(t)
	api.listFeatureGroups = func(*sm.ListFeatureGroupsInput) (*sm.ListFeatureGroupsOutput, error) { return nil, errDenied }
	inv := runStudio(t, api, "sagemaker:feature-groups")
	assertEqual(t, "resources", inv.Resources, []inventory.Resource{})
	assertEqual(t, "gaps", inv.Gaps, []inventory.Gap{{Account: target.Account, Region: target.Region,
		Service: "sagemaker:ListFeatureGroups", Reason: "sagemaker:ListFeatureGroups: access denied (AccessDeniedException)"}})

	api.listModelCards = func(*sm.ListModelCardsInput) (*sm.ListModelCardsOutput, error) {
		return &sm.ListModelCardsOutput{ModelCardSummaries: []types.ModelCardSummary{
			{ModelCardName: aws.String("gone"), ModelCardArn: aws.String(arnOf("model-card", "gone"))},
			{ModelCardName: aws.String("card"), ModelCardArn: aws.String(arnOf("model-card", "card"))},
		}}, nil
	}
	api.describeModelCard = func(in *sm.DescribeModelCardInput) (*sm.DescribeModelCardOutput, error) {
		if aws.ToString(in.ModelCardName) == "gone" {
			return nil, apiErr("ResourceNotFound", "Model card gone does not exist")
		}
		return nil, errThrottled
	}
	inv = runStudio(t, api, "sagemaker:model-cards")
	assertEqual(t, "resources", inv.Resources, []inventory.Resource{{
		Kind: "model-card", ARN: arnOf("model-card", "card"), Name: "card", Account: target.Account, Region: target.Region,
		Source: "sagemaker:ListModelCards",
		Slots:  []inventory.Slot{inventory.UnreadableSlot("sagemaker:DescribeModelCard: throttled after retries")},
	}})
	assertEqual(t, "gaps", gapServices(inv), []string{"sagemaker:DescribeModelCard"})
}
