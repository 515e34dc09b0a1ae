package sagemaker

import (
	"context"

	sm "github.com/aws/aws-sdk-go-v2/service/sagemaker"
)

// fakeStudio implements StudioAPI with one function per call; an unset
// function fails the test (via call, shared with fakeAPI).
type fakeStudio struct {
	fake fakeAPI

	listTags                                 func(*sm.ListTagsInput) (*sm.ListTagsOutput, error)
	listDomains                              func(*sm.ListDomainsInput) (*sm.ListDomainsOutput, error)
	describeDomain                           func(*sm.DescribeDomainInput) (*sm.DescribeDomainOutput, error)
	listUserProfiles                         func(*sm.ListUserProfilesInput) (*sm.ListUserProfilesOutput, error)
	describeUserProfile                      func(*sm.DescribeUserProfileInput) (*sm.DescribeUserProfileOutput, error)
	listFeatureGroups                        func(*sm.ListFeatureGroupsInput) (*sm.ListFeatureGroupsOutput, error)
	describeFeatureGroup                     func(*sm.DescribeFeatureGroupInput) (*sm.DescribeFeatureGroupOutput, error)
	listDataQualityJobDefinitions            func(*sm.ListDataQualityJobDefinitionsInput) (*sm.ListDataQualityJobDefinitionsOutput, error)
	describeDataQualityJobDefinition         func(*sm.DescribeDataQualityJobDefinitionInput) (*sm.DescribeDataQualityJobDefinitionOutput, error)
	listModelQualityJobDefinitions           func(*sm.ListModelQualityJobDefinitionsInput) (*sm.ListModelQualityJobDefinitionsOutput, error)
	describeModelQualityJobDefinition        func(*sm.DescribeModelQualityJobDefinitionInput) (*sm.DescribeModelQualityJobDefinitionOutput, error)
	listModelBiasJobDefinitions              func(*sm.ListModelBiasJobDefinitionsInput) (*sm.ListModelBiasJobDefinitionsOutput, error)
	describeModelBiasJobDefinition           func(*sm.DescribeModelBiasJobDefinitionInput) (*sm.DescribeModelBiasJobDefinitionOutput, error)
	listModelExplainabilityJobDefinitions    func(*sm.ListModelExplainabilityJobDefinitionsInput) (*sm.ListModelExplainabilityJobDefinitionsOutput, error)
	describeModelExplainabilityJobDefinition func(*sm.DescribeModelExplainabilityJobDefinitionInput) (*sm.DescribeModelExplainabilityJobDefinitionOutput, error)
	listMonitoringSchedules                  func(*sm.ListMonitoringSchedulesInput) (*sm.ListMonitoringSchedulesOutput, error)
	describeMonitoringSchedule               func(*sm.DescribeMonitoringScheduleInput) (*sm.DescribeMonitoringScheduleOutput, error)
	listModelCards                           func(*sm.ListModelCardsInput) (*sm.ListModelCardsOutput, error)
	describeModelCard                        func(*sm.DescribeModelCardInput) (*sm.DescribeModelCardOutput, error)
	listModelPackages                        func(*sm.ListModelPackagesInput) (*sm.ListModelPackagesOutput, error)
	describeModelPackage                     func(*sm.DescribeModelPackageInput) (*sm.DescribeModelPackageOutput, error)
	listAlgorithms                           func(*sm.ListAlgorithmsInput) (*sm.ListAlgorithmsOutput, error)
	describeAlgorithm                        func(*sm.DescribeAlgorithmInput) (*sm.DescribeAlgorithmOutput, error)
	listInferenceExperiments                 func(*sm.ListInferenceExperimentsInput) (*sm.ListInferenceExperimentsOutput, error)
	describeInferenceExperiment              func(*sm.DescribeInferenceExperimentInput) (*sm.DescribeInferenceExperimentOutput, error)
	listDeviceFleets                         func(*sm.ListDeviceFleetsInput) (*sm.ListDeviceFleetsOutput, error)
	describeDeviceFleet                      func(*sm.DescribeDeviceFleetInput) (*sm.DescribeDeviceFleetOutput, error)
	listFlowDefinitions                      func(*sm.ListFlowDefinitionsInput) (*sm.ListFlowDefinitionsOutput, error)
	describeFlowDefinition                   func(*sm.DescribeFlowDefinitionInput) (*sm.DescribeFlowDefinitionOutput, error)
	listPartnerApps                          func(*sm.ListPartnerAppsInput) (*sm.ListPartnerAppsOutput, error)
	describePartnerApp                       func(*sm.DescribePartnerAppInput) (*sm.DescribePartnerAppOutput, error)
	// search unset answers as a Search without the resource type: the
	// Search collectors fall back to List + Describe.
	search func(*sm.SearchInput) (*sm.SearchOutput, error)
}

var _ StudioAPI = (*fakeStudio)(nil)

func (f *fakeStudio) ListTags(_ context.Context, in *sm.ListTagsInput, _ ...func(*sm.Options)) (*sm.ListTagsOutput, error) {
	return call(&f.fake, "ListTags", f.listTags, in)
}

func (f *fakeStudio) Search(_ context.Context, in *sm.SearchInput, _ ...func(*sm.Options)) (*sm.SearchOutput, error) {
	if f.search == nil {
		return nil, errNoSearch
	}
	return f.search(in)
}

func (f *fakeStudio) ListDomains(_ context.Context, in *sm.ListDomainsInput, _ ...func(*sm.Options)) (*sm.ListDomainsOutput, error) {
	return call(&f.fake, "ListDomains", f.listDomains, in)
}

func (f *fakeStudio) DescribeDomain(_ context.Context, in *sm.DescribeDomainInput, _ ...func(*sm.Options)) (*sm.DescribeDomainOutput, error) {
	return call(&f.fake, "DescribeDomain", f.describeDomain, in)
}

func (f *fakeStudio) ListUserProfiles(_ context.Context, in *sm.ListUserProfilesInput, _ ...func(*sm.Options)) (*sm.ListUserProfilesOutput, error) {
	return call(&f.fake, "ListUserProfiles", f.listUserProfiles, in)
}

func (f *fakeStudio) DescribeUserProfile(_ context.Context, in *sm.DescribeUserProfileInput, _ ...func(*sm.Options)) (*sm.DescribeUserProfileOutput, error) {
	return call(&f.fake, "DescribeUserProfile", f.describeUserProfile, in)
}

func (f *fakeStudio) ListFeatureGroups(_ context.Context, in *sm.ListFeatureGroupsInput, _ ...func(*sm.Options)) (*sm.ListFeatureGroupsOutput, error) {
	return call(&f.fake, "ListFeatureGroups", f.listFeatureGroups, in)
}

func (f *fakeStudio) DescribeFeatureGroup(_ context.Context, in *sm.DescribeFeatureGroupInput, _ ...func(*sm.Options)) (*sm.DescribeFeatureGroupOutput, error) {
	return call(&f.fake, "DescribeFeatureGroup", f.describeFeatureGroup, in)
}

func (f *fakeStudio) ListDataQualityJobDefinitions(_ context.Context, in *sm.ListDataQualityJobDefinitionsInput, _ ...func(*sm.Options)) (*sm.ListDataQualityJobDefinitionsOutput, error) {
	return call(&f.fake, "ListDataQualityJobDefinitions", f.listDataQualityJobDefinitions, in)
}

func (f *fakeStudio) DescribeDataQualityJobDefinition(_ context.Context, in *sm.DescribeDataQualityJobDefinitionInput, _ ...func(*sm.Options)) (*sm.DescribeDataQualityJobDefinitionOutput, error) {
	return call(&f.fake, "DescribeDataQualityJobDefinition", f.describeDataQualityJobDefinition, in)
}

func (f *fakeStudio) ListModelQualityJobDefinitions(_ context.Context, in *sm.ListModelQualityJobDefinitionsInput, _ ...func(*sm.Options)) (*sm.ListModelQualityJobDefinitionsOutput, error) {
	return call(&f.fake, "ListModelQualityJobDefinitions", f.listModelQualityJobDefinitions, in)
}

func (f *fakeStudio) DescribeModelQualityJobDefinition(_ context.Context, in *sm.DescribeModelQualityJobDefinitionInput, _ ...func(*sm.Options)) (*sm.DescribeModelQualityJobDefinitionOutput, error) {
	return call(&f.fake, "DescribeModelQualityJobDefinition", f.describeModelQualityJobDefinition, in)
}

func (f *fakeStudio) ListModelBiasJobDefinitions(_ context.Context, in *sm.ListModelBiasJobDefinitionsInput, _ ...func(*sm.Options)) (*sm.ListModelBiasJobDefinitionsOutput, error) {
	return call(&f.fake, "ListModelBiasJobDefinitions", f.listModelBiasJobDefinitions, in)
}

func (f *fakeStudio) DescribeModelBiasJobDefinition(_ context.Context, in *sm.DescribeModelBiasJobDefinitionInput, _ ...func(*sm.Options)) (*sm.DescribeModelBiasJobDefinitionOutput, error) {
	return call(&f.fake, "DescribeModelBiasJobDefinition", f.describeModelBiasJobDefinition, in)
}

func (f *fakeStudio) ListModelExplainabilityJobDefinitions(_ context.Context, in *sm.ListModelExplainabilityJobDefinitionsInput, _ ...func(*sm.Options)) (*sm.ListModelExplainabilityJobDefinitionsOutput, error) {
	return call(&f.fake, "ListModelExplainabilityJobDefinitions", f.listModelExplainabilityJobDefinitions, in)
}

func (f *fakeStudio) DescribeModelExplainabilityJobDefinition(_ context.Context, in *sm.DescribeModelExplainabilityJobDefinitionInput, _ ...func(*sm.Options)) (*sm.DescribeModelExplainabilityJobDefinitionOutput, error) {
	return call(&f.fake, "DescribeModelExplainabilityJobDefinition", f.describeModelExplainabilityJobDefinition, in)
}

func (f *fakeStudio) ListMonitoringSchedules(_ context.Context, in *sm.ListMonitoringSchedulesInput, _ ...func(*sm.Options)) (*sm.ListMonitoringSchedulesOutput, error) {
	return call(&f.fake, "ListMonitoringSchedules", f.listMonitoringSchedules, in)
}

func (f *fakeStudio) DescribeMonitoringSchedule(_ context.Context, in *sm.DescribeMonitoringScheduleInput, _ ...func(*sm.Options)) (*sm.DescribeMonitoringScheduleOutput, error) {
	return call(&f.fake, "DescribeMonitoringSchedule", f.describeMonitoringSchedule, in)
}

func (f *fakeStudio) ListModelCards(_ context.Context, in *sm.ListModelCardsInput, _ ...func(*sm.Options)) (*sm.ListModelCardsOutput, error) {
	return call(&f.fake, "ListModelCards", f.listModelCards, in)
}

func (f *fakeStudio) DescribeModelCard(_ context.Context, in *sm.DescribeModelCardInput, _ ...func(*sm.Options)) (*sm.DescribeModelCardOutput, error) {
	return call(&f.fake, "DescribeModelCard", f.describeModelCard, in)
}

func (f *fakeStudio) ListModelPackages(_ context.Context, in *sm.ListModelPackagesInput, _ ...func(*sm.Options)) (*sm.ListModelPackagesOutput, error) {
	return call(&f.fake, "ListModelPackages", f.listModelPackages, in)
}

func (f *fakeStudio) DescribeModelPackage(_ context.Context, in *sm.DescribeModelPackageInput, _ ...func(*sm.Options)) (*sm.DescribeModelPackageOutput, error) {
	return call(&f.fake, "DescribeModelPackage", f.describeModelPackage, in)
}

func (f *fakeStudio) ListAlgorithms(_ context.Context, in *sm.ListAlgorithmsInput, _ ...func(*sm.Options)) (*sm.ListAlgorithmsOutput, error) {
	return call(&f.fake, "ListAlgorithms", f.listAlgorithms, in)
}

func (f *fakeStudio) DescribeAlgorithm(_ context.Context, in *sm.DescribeAlgorithmInput, _ ...func(*sm.Options)) (*sm.DescribeAlgorithmOutput, error) {
	return call(&f.fake, "DescribeAlgorithm", f.describeAlgorithm, in)
}

func (f *fakeStudio) ListInferenceExperiments(_ context.Context, in *sm.ListInferenceExperimentsInput, _ ...func(*sm.Options)) (*sm.ListInferenceExperimentsOutput, error) {
	return call(&f.fake, "ListInferenceExperiments", f.listInferenceExperiments, in)
}

func (f *fakeStudio) DescribeInferenceExperiment(_ context.Context, in *sm.DescribeInferenceExperimentInput, _ ...func(*sm.Options)) (*sm.DescribeInferenceExperimentOutput, error) {
	return call(&f.fake, "DescribeInferenceExperiment", f.describeInferenceExperiment, in)
}

func (f *fakeStudio) ListDeviceFleets(_ context.Context, in *sm.ListDeviceFleetsInput, _ ...func(*sm.Options)) (*sm.ListDeviceFleetsOutput, error) {
	return call(&f.fake, "ListDeviceFleets", f.listDeviceFleets, in)
}

func (f *fakeStudio) DescribeDeviceFleet(_ context.Context, in *sm.DescribeDeviceFleetInput, _ ...func(*sm.Options)) (*sm.DescribeDeviceFleetOutput, error) {
	return call(&f.fake, "DescribeDeviceFleet", f.describeDeviceFleet, in)
}

func (f *fakeStudio) ListFlowDefinitions(_ context.Context, in *sm.ListFlowDefinitionsInput, _ ...func(*sm.Options)) (*sm.ListFlowDefinitionsOutput, error) {
	return call(&f.fake, "ListFlowDefinitions", f.listFlowDefinitions, in)
}

func (f *fakeStudio) DescribeFlowDefinition(_ context.Context, in *sm.DescribeFlowDefinitionInput, _ ...func(*sm.Options)) (*sm.DescribeFlowDefinitionOutput, error) {
	return call(&f.fake, "DescribeFlowDefinition", f.describeFlowDefinition, in)
}

func (f *fakeStudio) ListPartnerApps(_ context.Context, in *sm.ListPartnerAppsInput, _ ...func(*sm.Options)) (*sm.ListPartnerAppsOutput, error) {
	return call(&f.fake, "ListPartnerApps", f.listPartnerApps, in)
}

func (f *fakeStudio) DescribePartnerApp(_ context.Context, in *sm.DescribePartnerAppInput, _ ...func(*sm.Options)) (*sm.DescribePartnerAppOutput, error) {
	return call(&f.fake, "DescribePartnerApp", f.describePartnerApp, in)
}
