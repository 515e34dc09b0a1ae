package catalog

// Each kind's IaC mapping (see iac.go). Terraform paths were checked
// against the provider's docs (website/docs/r/sagemaker_*.html.markdown)
// and reference §1b; CloudFormation paths against reference §1b (the
// registry schemas) and the CloudFormation template reference. Paths no
// stored documentation confirmed say so in Unconfirmed.

// tfTags and cfnTags return fresh slices: forms are handed to callers.
func tfTags() []string  { return []string{"tags_all", "tags"} }
func cfnTags() []string { return []string{"Tags"} }

// Messages that say why a slot cannot take a customer-managed key.
const (
	inMemoryUnsupported   = "InMemory online stores are not covered by a customer-managed key"
	restrictedUnsupported = "restricted instance groups do not support customer-managed keys"
)

func iacData(id string) iacEntry {
	switch id {
	case "notebook-instance":
		// No LocalStorage: the notebook's ML volume is always EBS.
		return iacEntry{
			tf: &IaCForm{Type: "aws_sagemaker_notebook_instance", Name: "name", Tags: tfTags(),
				Slots: []IaCSlot{{Slot: "volume", Key: []string{"kms_key_id"}}}},
			cfn: &IaCForm{Name: "NotebookInstanceName", Tags: cfnTags(),
				Slots: []IaCSlot{{Slot: "volume", Key: []string{"KmsKeyId"}}}},
		}
	case "endpoint-config":
		return endpointConfigIaC()
	case "endpoint":
		return iacEntry{
			tf:  &IaCForm{Type: "aws_sagemaker_endpoint", Name: "name", Tags: tfTags(), Via: "endpoint_config_name", ViaKind: "endpoint-config"},
			cfn: &IaCForm{Name: "EndpointName", Tags: cfnTags(), Via: "EndpointConfigName", ViaKind: "endpoint-config"},
		}
	case "cluster":
		return clusterIaC()
	case "training-job":
		return iacEntry{tf: &IaCForm{Type: "aws_sagemaker_training_job", Name: "training_job_name", Tags: tfTags(),
			Slots: []IaCSlot{
				{Slot: "volume", Key: []string{"resource_config.volume_kms_key_id"},
					InstanceTypes: []string{"resource_config.instance_type", "resource_config.instance_groups.instance_type"}},
				{Slot: "output", Key: []string{"output_data_config.kms_key_id"}, OutputURI: []string{"output_data_config.s3_output_path"}},
			},
			Unconfirmed: "resource_config.instance_groups.instance_type: the provider doc read lists instance_type only",
		}}
	case "processing-job":
		return processingIaC()
	case "hyper-parameter-tuning-job":
		return tuningIaC()
	case "labeling-job":
		return iacEntry{tf: &IaCForm{Type: "aws_sagemaker_labeling_job", Name: "labeling_job_name", Tags: tfTags(),
			Slots: []IaCSlot{
				{Slot: "output", Key: []string{"output_config.kms_key_id"}, OutputURI: []string{"output_config.s3_output_path"}},
				{Slot: "volume", When: "labeling_job_algorithms_config",
					Key: []string{"labeling_job_algorithms_config.labeling_job_resource_config.volume_kms_key_id"}},
			},
			Unconfirmed: "labeling_job_name and output_config.s3_output_path follow the API; only the key paths were read (reference §1b R11)",
		}}
	case "domain":
		return studioIaC("aws_sagemaker_domain", "domain_name", "DomainName", "default_user_settings", "DefaultUserSettings", true)
	case "user-profile":
		return studioIaC("aws_sagemaker_user_profile", "user_profile_name", "UserProfileName", "user_settings", "UserSettings", false)
	case "feature-group":
		return featureGroupIaC()
	case "data-quality-job-definition":
		return monitoringIaC("DataQuality", "aws_sagemaker_data_quality_job_definition")
	case "model-quality-job-definition":
		return monitoringIaC("ModelQuality", "")
	case "model-bias-job-definition":
		return monitoringIaC("ModelBias", "")
	case "model-explainability-job-definition":
		return monitoringIaC("ModelExplainability", "")
	case "monitoring-schedule":
		return scheduleIaC()
	case "model-card":
		// No awscc_sagemaker_model_card in the provider's docs.
		return iacEntry{
			tf: &IaCForm{Type: "aws_sagemaker_model_card", Name: "model_card_name", Tags: tfTags(),
				Slots: []IaCSlot{{Slot: "content", Key: []string{"security_config.kms_key_id"}}}},
			cfn: &IaCForm{Name: "ModelCardName", Tags: cfnTags(),
				Slots: []IaCSlot{{Slot: "content", Key: []string{"SecurityConfig/KmsKeyId"}}}},
			noAWSCC: true,
		}
	case "model-package":
		return modelPackageIaC()
	case "inference-experiment":
		return iacEntry{cfn: &IaCForm{Name: "Name", Tags: cfnTags(), Slots: []IaCSlot{
			{Slot: "volume", Key: []string{"KmsKey"},
				InstanceTypes: []string{"ModelVariants/*/InfrastructureConfig/RealTimeInferenceConfig/InstanceType"}},
			{Slot: "data-storage", When: "DataStorageConfig", Key: []string{"DataStorageConfig/KmsKey"},
				OutputURI: []string{"DataStorageConfig/Destination"}},
		}, Unconfirmed: "ModelVariants/*/InfrastructureConfig/RealTimeInferenceConfig/InstanceType and " +
			"DataStorageConfig/Destination follow the API shapes"}}
	case "device-fleet":
		return iacEntry{
			tf: &IaCForm{Type: "aws_sagemaker_device_fleet", Name: "device_fleet_name", Tags: tfTags(), Slots: []IaCSlot{
				{Slot: "output", Key: []string{"output_config.kms_key_id"}, OutputURI: []string{"output_config.s3_output_location"}}}},
			cfn: &IaCForm{Name: "DeviceFleetName", Tags: cfnTags(), Slots: []IaCSlot{
				{Slot: "output", Key: []string{"OutputConfig/KmsKeyId"}, OutputURI: []string{"OutputConfig/S3OutputLocation"}}}},
		}
	case "flow-definition":
		return iacEntry{tf: &IaCForm{Type: "aws_sagemaker_flow_definition", Name: "flow_definition_name", Tags: tfTags(),
			Slots: []IaCSlot{{Slot: "output", Key: []string{"output_config.kms_key_id"}, OutputURI: []string{"output_config.s3_output_path"}}}}}
	case "partner-app":
		return iacEntry{cfn: &IaCForm{Name: "Name", Tags: cfnTags(), Slots: []IaCSlot{{Slot: "content", Key: []string{"KmsKeyId"}}}}}
	case "pipeline":
		return iacEntry{notMapped: "the keys are inside the pipeline definition document (PipelineDefinitionBody), " +
			"which the IaC mapping does not parse yet"}
	case "algorithm":
		return iacEntry{notMapped: "aws_sagemaker_algorithm exists, but its validation-specification attribute names " +
			"were not confirmed (reference §1b R27); CloudFormation has no algorithm type"}
	}
	return iacEntry{notMapped: "neither the Terraform AWS provider nor CloudFormation declares this kind (reference §1b)"}
}

func endpointConfigIaC() iacEntry {
	variants := func(prod, shadow string) []IaCList {
		return []IaCList{{Path: prod, Name: "variant_name", What: "variant"}, {Path: shadow, Name: "variant_name", What: "shadow variant"}}
	}
	tf := &IaCForm{Type: "aws_sagemaker_endpoint_configuration", Name: "name", Tags: tfTags(), Slots: []IaCSlot{
		{Slot: "volume", Key: []string{"kms_key_arn"},
			InstanceTypes: []string{"production_variants.instance_type", "shadow_production_variants.instance_type"},
			Serverless:    []string{"production_variants.serverless_config", "shadow_production_variants.serverless_config"}},
		// The provider's enable_capture defaults to false, unlike the API.
		{Slot: "data-capture", When: "data_capture_config.destination_s3_uri", Enabled: "data_capture_config.enable_capture",
			Key: []string{"data_capture_config.kms_key_id"}, OutputURI: []string{"data_capture_config.destination_s3_uri"}},
		{Slot: "async-output", When: "async_inference_config.output_config", Key: []string{"async_inference_config.output_config.kms_key_id"},
			OutputURI: []string{"async_inference_config.output_config.s3_output_path"}},
		{Slot: "core-dump", Each: variants("production_variants", "shadow_production_variants"), When: "core_dump_config",
			Key: []string{"core_dump_config.kms_key_id"}, OutputURI: []string{"core_dump_config.destination_s3_uri"}},
	}}
	// CloudFormation has no CoreDumpConfig (reference §1b R2); EnableCapture
	// defaults to true as in the API.
	cfn := &IaCForm{Name: "EndpointConfigName", Tags: cfnTags(), Slots: []IaCSlot{
		{Slot: "volume", Key: []string{"KmsKeyId"},
			InstanceTypes: []string{"ProductionVariants/*/InstanceType", "ShadowProductionVariants/*/InstanceType"},
			Serverless:    []string{"ProductionVariants/*/ServerlessConfig", "ShadowProductionVariants/*/ServerlessConfig"}},
		{Slot: "data-capture", When: "DataCaptureConfig/DestinationS3Uri", Enabled: "DataCaptureConfig/EnableCapture", EnabledDefault: true,
			Key: []string{"DataCaptureConfig/KmsKeyId"}, OutputURI: []string{"DataCaptureConfig/DestinationS3Uri"}},
		{Slot: "async-output", When: "AsyncInferenceConfig/OutputConfig", Key: []string{"AsyncInferenceConfig/OutputConfig/KmsKeyId"},
			OutputURI: []string{"AsyncInferenceConfig/OutputConfig/S3OutputPath"}},
	}}
	return iacEntry{tf: tf, cfn: cfn}
}

func clusterIaC() iacEntry {
	// aws_sagemaker_cluster is not registered in the provider (reference
	// §1b R4); CloudFormation and awscc_sagemaker_cluster declare clusters.
	groups := []IaCList{
		{Path: "InstanceGroups", Name: "InstanceGroupName", What: "instance group"},
		{Path: "RestrictedInstanceGroups", Name: "InstanceGroupName", What: "restricted instance group", Unsupported: restrictedUnsupported},
	}
	storage := func(root bool) *IaCStorage {
		return &IaCStorage{Entries: "InstanceStorageConfigs", RootFlag: "EbsVolumeConfig/RootVolume", Root: root}
	}
	key := []string{"EbsVolumeConfig/VolumeKmsKeyId"}
	return iacEntry{cfn: &IaCForm{Name: "ClusterName", Tags: cfnTags(), Slots: []IaCSlot{
		{Slot: "root-volume", Each: groups, Storage: storage(true), Key: key, InstanceTypes: []string{"InstanceType"}},
		{Slot: "ebs-volume", Each: groups, Storage: storage(false), Key: key, InstanceTypes: []string{"InstanceType"}},
	}}}
}

func processingIaC() iacEntry {
	inputs := []IaCList{{Path: "ProcessingInputs", Name: "InputName", What: "input"}}
	return iacEntry{cfn: &IaCForm{Name: "ProcessingJobName", Tags: cfnTags(), Slots: []IaCSlot{
		{Slot: "volume", Key: []string{"ProcessingResources/ClusterConfig/VolumeKmsKeyId"},
			InstanceTypes: []string{"ProcessingResources/ClusterConfig/InstanceType"}},
		{Slot: "output", When: "ProcessingOutputConfig", Key: []string{"ProcessingOutputConfig/KmsKeyId"},
			OutputURI: []string{"ProcessingOutputConfig/Outputs/*/S3Output/S3Uri"}},
		{Slot: "athena-staging", Each: inputs, When: "DatasetDefinition/AthenaDatasetDefinition",
			Key:       []string{"DatasetDefinition/AthenaDatasetDefinition/KmsKeyId"},
			OutputURI: []string{"DatasetDefinition/AthenaDatasetDefinition/OutputS3Uri"}},
		{Slot: "redshift-staging", Each: inputs, When: "DatasetDefinition/RedshiftDatasetDefinition",
			Key:       []string{"DatasetDefinition/RedshiftDatasetDefinition/KmsKeyId"},
			OutputURI: []string{"DatasetDefinition/RedshiftDatasetDefinition/OutputS3Uri"}},
	}, Unconfirmed: "instance type, output URI and input name paths follow the API shapes; the key paths are reference §1b R6"}}
}

func tuningIaC() iacEntry {
	defs := []IaCList{
		{Path: "training_job_definition", Name: "definition_name", What: "training definition"},
		{Path: "training_job_definitions", Name: "definition_name", What: "training definition"},
	}
	return iacEntry{tf: &IaCForm{Type: "aws_sagemaker_hyper_parameter_tuning_job", Name: "hyper_parameter_tuning_job_name", Tags: tfTags(),
		Slots: []IaCSlot{
			{Slot: "volume", Each: defs, Plain: true,
				Key: []string{"resource_config.volume_kms_key_id", "hyper_parameter_tuning_resource_config.volume_kms_key_id"},
				InstanceTypes: []string{"resource_config.instance_type",
					"hyper_parameter_tuning_resource_config.instance_type", "hyper_parameter_tuning_resource_config.instance_configs.instance_type"}},
			{Slot: "output", Each: defs, Plain: true, Key: []string{"output_data_config.kms_key_id"},
				OutputURI: []string{"output_data_config.s3_output_path"}},
		},
		Unconfirmed: "the job name, definition_name, instance-type and output-path attributes follow the API; " +
			"only the key paths were read (reference §1b R8)",
	}}
}

func studioIaC(tfType, tfName, cfnName, tfSettings, cfnSettings string, storage bool) iacEntry {
	tf := &IaCForm{Type: tfType, Name: tfName, Tags: tfTags()}
	cfn := &IaCForm{Name: cfnName, Tags: cfnTags()}
	if storage {
		tf.Slots = append(tf.Slots, IaCSlot{Slot: "storage", Key: []string{"kms_key_id"}})
		cfn.Slots = append(cfn.Slots, IaCSlot{Slot: "storage", Key: []string{"KmsKeyId"}})
	}
	tf.Slots = append(tf.Slots,
		IaCSlot{Slot: "sharing-output", When: tfSettings + ".sharing_settings.s3_output_path",
			Key: []string{tfSettings + ".sharing_settings.s3_kms_key_id"}, OutputURI: []string{tfSettings + ".sharing_settings.s3_output_path"}},
		IaCSlot{Slot: "canvas-output", When: tfSettings + ".canvas_app_settings.workspace_settings.s3_artifact_path",
			Key:       []string{tfSettings + ".canvas_app_settings.workspace_settings.s3_kms_key_id"},
			OutputURI: []string{tfSettings + ".canvas_app_settings.workspace_settings.s3_artifact_path"}})
	tf.Unconfirmed = "canvas_app_settings.workspace_settings.s3_artifact_path follows the API (reference §1b R14/R15)"
	// The CloudFormation schemas have no Canvas workspace key (§1b R14).
	cfn.Slots = append(cfn.Slots, IaCSlot{Slot: "sharing-output", When: cfnSettings + "/SharingSettings/S3OutputPath",
		Key: []string{cfnSettings + "/SharingSettings/S3KmsKeyId"}, OutputURI: []string{cfnSettings + "/SharingSettings/S3OutputPath"}})
	return iacEntry{tf: tf, cfn: cfn}
}

func featureGroupIaC() iacEntry {
	// The live collector records an online store only when it is enabled.
	return iacEntry{
		tf: &IaCForm{Type: "aws_sagemaker_feature_group", Name: "feature_group_name", Tags: tfTags(), Slots: []IaCSlot{
			{Slot: "online-store", When: "online_store_config", Enabled: "online_store_config.enable_online_store",
				Key:         []string{"online_store_config.security_config.kms_key_id"},
				Unsupported: &IaCCondition{Path: "online_store_config.storage_type", Equals: "InMemory", Reason: inMemoryUnsupported}},
			{Slot: "offline-store", When: "offline_store_config", Key: []string{"offline_store_config.s3_storage_config.kms_key_id"},
				OutputURI: []string{"offline_store_config.s3_storage_config.s3_uri"}},
		}},
		cfn: &IaCForm{Name: "FeatureGroupName", Tags: cfnTags(), Slots: []IaCSlot{
			{Slot: "online-store", When: "OnlineStoreConfig", Enabled: "OnlineStoreConfig/EnableOnlineStore",
				Key:         []string{"OnlineStoreConfig/SecurityConfig/KmsKeyId"},
				Unsupported: &IaCCondition{Path: "OnlineStoreConfig/StorageType", Equals: "InMemory", Reason: inMemoryUnsupported}},
			{Slot: "offline-store", When: "OfflineStoreConfig", Key: []string{"OfflineStoreConfig/S3StorageConfig/KmsKeyId"},
				OutputURI: []string{"OfflineStoreConfig/S3StorageConfig/S3Uri"}},
		}},
	}
}

func monitoringIaC(prefix, tfType string) iacEntry {
	out := prefix + "JobOutputConfig"
	e := iacEntry{cfn: &IaCForm{Name: "JobDefinitionName", Tags: cfnTags(), Slots: []IaCSlot{
		{Slot: "volume", Key: []string{"JobResources/ClusterConfig/VolumeKmsKeyId"}, InstanceTypes: []string{"JobResources/ClusterConfig/InstanceType"}},
		{Slot: "output", Key: []string{out + "/KmsKeyId"}, OutputURI: []string{out + "/MonitoringOutputs/*/S3Output/S3Uri"}},
	}}}
	if tfType != "" {
		e.tf = &IaCForm{Type: tfType, Name: "name", Tags: tfTags(), Slots: []IaCSlot{
			{Slot: "volume", Key: []string{"job_resources.cluster_config.volume_kms_key_id"},
				InstanceTypes: []string{"job_resources.cluster_config.instance_type"}},
			{Slot: "output", Key: []string{"data_quality_job_output_config.kms_key_id"},
				OutputURI: []string{"data_quality_job_output_config.monitoring_outputs.s3_output.s3_uri"}},
		}}
	}
	return e
}

func scheduleIaC() iacEntry {
	// aws_sagemaker_monitoring_schedule only names a job definition (§1b
	// R22), so it is judged on that definition where it is declared.
	const def = "MonitoringScheduleConfig/MonitoringJobDefinition"
	return iacEntry{cfn: &IaCForm{Name: "MonitoringScheduleName", Tags: cfnTags(),
		Via: "MonitoringScheduleConfig/MonitoringJobDefinitionName", Slots: []IaCSlot{
			{Slot: "volume", When: def, Key: []string{def + "/MonitoringResources/ClusterConfig/VolumeKmsKeyId"},
				InstanceTypes: []string{def + "/MonitoringResources/ClusterConfig/InstanceType"}},
			{Slot: "output", When: def, Key: []string{def + "/MonitoringOutputConfig/KmsKeyId"},
				OutputURI: []string{def + "/MonitoringOutputConfig/MonitoringOutputs/*/S3Output/S3Uri"}},
		}, Unconfirmed: "the instance type and output URI paths follow the API shapes"}}
}

func modelPackageIaC() iacEntry {
	profiles := []IaCList{{Path: "ValidationSpecification/ValidationProfiles", Name: "ProfileName", What: "validation profile"}}
	const t = "TransformJobDefinition/"
	return iacEntry{cfn: &IaCForm{Name: "ModelPackageName", Tags: cfnTags(), Slots: []IaCSlot{
		{Slot: "content", Key: []string{"SecurityConfig/KmsKeyId"}},
		{Slot: "validation-transform-volume", Each: profiles, When: "TransformJobDefinition",
			Key: []string{t + "TransformResources/VolumeKmsKeyId"}, InstanceTypes: []string{t + "TransformResources/InstanceType"}},
		{Slot: "validation-transform-output", Each: profiles, When: "TransformJobDefinition",
			Key: []string{t + "TransformOutput/KmsKeyId"}, OutputURI: []string{t + "TransformOutput/S3OutputPath"}},
	}, Unconfirmed: "ModelPackageName, ProfileName, the instance type and output path follow the API shapes"}}
}
