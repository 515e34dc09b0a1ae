package sagemaker

import (
	"context"

	sm "github.com/aws/aws-sdk-go-v2/service/sagemaker"

	"github.com/sagekey/sagekey/internal/collect"
)

// StudioAPI is the read-only part of the SageMaker client the Studio,
// Feature Store, Model Monitor, registry and remaining collectors use.
type StudioAPI interface {
	TagsAPI

	ListDomains(ctx context.Context, in *sm.ListDomainsInput, optFns ...func(*sm.Options)) (*sm.ListDomainsOutput, error)
	DescribeDomain(ctx context.Context, in *sm.DescribeDomainInput, optFns ...func(*sm.Options)) (*sm.DescribeDomainOutput, error)
	ListUserProfiles(ctx context.Context, in *sm.ListUserProfilesInput, optFns ...func(*sm.Options)) (*sm.ListUserProfilesOutput, error)
	DescribeUserProfile(ctx context.Context, in *sm.DescribeUserProfileInput, optFns ...func(*sm.Options)) (*sm.DescribeUserProfileOutput, error)

	// Search reads feature groups and model cards 100 a page, with their
	// tags (search_kinds.go).
	Search(ctx context.Context, in *sm.SearchInput, optFns ...func(*sm.Options)) (*sm.SearchOutput, error)

	ListFeatureGroups(ctx context.Context, in *sm.ListFeatureGroupsInput, optFns ...func(*sm.Options)) (*sm.ListFeatureGroupsOutput, error)
	DescribeFeatureGroup(ctx context.Context, in *sm.DescribeFeatureGroupInput, optFns ...func(*sm.Options)) (*sm.DescribeFeatureGroupOutput, error)

	ListDataQualityJobDefinitions(ctx context.Context, in *sm.ListDataQualityJobDefinitionsInput, optFns ...func(*sm.Options)) (*sm.ListDataQualityJobDefinitionsOutput, error)
	DescribeDataQualityJobDefinition(ctx context.Context, in *sm.DescribeDataQualityJobDefinitionInput, optFns ...func(*sm.Options)) (*sm.DescribeDataQualityJobDefinitionOutput, error)
	ListModelQualityJobDefinitions(ctx context.Context, in *sm.ListModelQualityJobDefinitionsInput, optFns ...func(*sm.Options)) (*sm.ListModelQualityJobDefinitionsOutput, error)
	DescribeModelQualityJobDefinition(ctx context.Context, in *sm.DescribeModelQualityJobDefinitionInput, optFns ...func(*sm.Options)) (*sm.DescribeModelQualityJobDefinitionOutput, error)
	ListModelBiasJobDefinitions(ctx context.Context, in *sm.ListModelBiasJobDefinitionsInput, optFns ...func(*sm.Options)) (*sm.ListModelBiasJobDefinitionsOutput, error)
	DescribeModelBiasJobDefinition(ctx context.Context, in *sm.DescribeModelBiasJobDefinitionInput, optFns ...func(*sm.Options)) (*sm.DescribeModelBiasJobDefinitionOutput, error)
	ListModelExplainabilityJobDefinitions(ctx context.Context, in *sm.ListModelExplainabilityJobDefinitionsInput, optFns ...func(*sm.Options)) (*sm.ListModelExplainabilityJobDefinitionsOutput, error)
	DescribeModelExplainabilityJobDefinition(ctx context.Context, in *sm.DescribeModelExplainabilityJobDefinitionInput, optFns ...func(*sm.Options)) (*sm.DescribeModelExplainabilityJobDefinitionOutput, error)
	ListMonitoringSchedules(ctx context.Context, in *sm.ListMonitoringSchedulesInput, optFns ...func(*sm.Options)) (*sm.ListMonitoringSchedulesOutput, error)
	DescribeMonitoringSchedule(ctx context.Context, in *sm.DescribeMonitoringScheduleInput, optFns ...func(*sm.Options)) (*sm.DescribeMonitoringScheduleOutput, error)

	ListModelCards(ctx context.Context, in *sm.ListModelCardsInput, optFns ...func(*sm.Options)) (*sm.ListModelCardsOutput, error)
	DescribeModelCard(ctx context.Context, in *sm.DescribeModelCardInput, optFns ...func(*sm.Options)) (*sm.DescribeModelCardOutput, error)
	ListModelPackages(ctx context.Context, in *sm.ListModelPackagesInput, optFns ...func(*sm.Options)) (*sm.ListModelPackagesOutput, error)
	DescribeModelPackage(ctx context.Context, in *sm.DescribeModelPackageInput, optFns ...func(*sm.Options)) (*sm.DescribeModelPackageOutput, error)
	ListAlgorithms(ctx context.Context, in *sm.ListAlgorithmsInput, optFns ...func(*sm.Options)) (*sm.ListAlgorithmsOutput, error)
	DescribeAlgorithm(ctx context.Context, in *sm.DescribeAlgorithmInput, optFns ...func(*sm.Options)) (*sm.DescribeAlgorithmOutput, error)

	ListInferenceExperiments(ctx context.Context, in *sm.ListInferenceExperimentsInput, optFns ...func(*sm.Options)) (*sm.ListInferenceExperimentsOutput, error)
	DescribeInferenceExperiment(ctx context.Context, in *sm.DescribeInferenceExperimentInput, optFns ...func(*sm.Options)) (*sm.DescribeInferenceExperimentOutput, error)
	ListDeviceFleets(ctx context.Context, in *sm.ListDeviceFleetsInput, optFns ...func(*sm.Options)) (*sm.ListDeviceFleetsOutput, error)
	DescribeDeviceFleet(ctx context.Context, in *sm.DescribeDeviceFleetInput, optFns ...func(*sm.Options)) (*sm.DescribeDeviceFleetOutput, error)
	ListFlowDefinitions(ctx context.Context, in *sm.ListFlowDefinitionsInput, optFns ...func(*sm.Options)) (*sm.ListFlowDefinitionsOutput, error)
	DescribeFlowDefinition(ctx context.Context, in *sm.DescribeFlowDefinitionInput, optFns ...func(*sm.Options)) (*sm.DescribeFlowDefinitionOutput, error)
	ListPartnerApps(ctx context.Context, in *sm.ListPartnerAppsInput, optFns ...func(*sm.Options)) (*sm.ListPartnerAppsOutput, error)
	DescribePartnerApp(ctx context.Context, in *sm.DescribePartnerAppInput, optFns ...func(*sm.Options)) (*sm.DescribePartnerAppOutput, error)
}

// Catalog kind ids of the Studio and remaining collectors (see internal/catalog).
const (
	kindDomain              = "domain"
	kindUserProfile         = "user-profile"
	kindFeatureGroup        = "feature-group"
	kindMonitoringSchedule  = "monitoring-schedule"
	kindModelCard           = "model-card"
	kindModelPackage        = "model-package"
	kindAlgorithm           = "algorithm"
	kindInferenceExperiment = "inference-experiment"
	kindDeviceFleet         = "device-fleet"
	kindFlowDefinition      = "flow-definition"
	kindPartnerApp          = "partner-app"
)

// StudioCollectors returns those collectors for one region's client, one
// collector per kind.
func StudioCollectors(api StudioAPI) []collect.Collector {
	out := []collect.Collector{
		studioCollector(api, "sagemaker:domains", func() kindSpec { return domainSpec(api) }),
		studioCollector(api, "sagemaker:user-profiles", func() kindSpec { return userProfileSpec(api) }),
		searchCollector(api, "sagemaker:feature-groups", func() searchKind { return featureGroupSearch(api) }),
	}
	for _, m := range monitoringDefinitionKinds {
		out = append(out, studioCollector(api, "sagemaker:"+m.kind+"s", func() kindSpec { return monitoringDefinitionSpec(api, m) }))
	}
	return append(out,
		studioCollector(api, "sagemaker:monitoring-schedules", func() kindSpec { return monitoringScheduleSpec(api) }),
		searchCollector(api, "sagemaker:model-cards", func() searchKind { return modelCardSearch(api) }),
		studioCollector(api, "sagemaker:model-packages", func() kindSpec { return modelPackageSpec(api) }),
		studioCollector(api, "sagemaker:algorithms", func() kindSpec { return algorithmSpec(api) }),
		studioCollector(api, "sagemaker:inference-experiments", func() kindSpec { return inferenceExperimentSpec(api) }),
		studioCollector(api, "sagemaker:device-fleets", func() kindSpec { return deviceFleetSpec(api) }),
		studioCollector(api, "sagemaker:flow-definitions", func() kindSpec { return flowDefinitionSpec(api) }),
		studioCollector(api, "sagemaker:partner-apps", func() kindSpec { return partnerAppSpec(api) }),
	)
}

// studioCollector runs one kind. The spec is built afresh for every run so
// a spec may keep per-run state between its list and describe steps.
func studioCollector(api TagsAPI, name string, newSpec func() kindSpec) collect.Collector {
	return collector{
		name:  name,
		kinds: []string{newSpec().kind},
		run: func(ctx context.Context, t collect.Target, sink collect.Sink) error {
			return collectKind(ctx, api, t, sink, newSpec())
		},
	}
}
