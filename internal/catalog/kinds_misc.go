package catalog

func inferenceExperiment() Kind {
	// The experiment's role "manage[s] SageMaker Inference endpoints for
	// model deployment": it creates the shadow endpoints, and the caller of
	// CreateEndpoint is who AWS asks for kms:CreateGrant.
	v := volumeSlot("KmsKey", "", "AWS::SageMaker::InferenceExperiment/KmsKey", TableHosting, volumeGrant(docAPIPermissions,
		"AWS lists kms:CreateGrant for the caller of CreateEndpoint; that the experiment's role is that caller is "+
			"sagekey's reading."))
	v.ConditionKeys = nil
	return Kind{
		ID: "inference-experiment", Title: "Inference experiment (shadow test)", ResourceType: "AWS::SageMaker::InferenceExperiment",
		ListAPI: "ListInferenceExperiments", DescribeAPI: "DescribeInferenceExperiment", RoleField: "RoleArn",
		Slots: []SlotSpec{v, s3Slot("data-storage", "captured shadow-test data in S3", "DataStorageConfig.KmsKey", "",
			"AWS::SageMaker::InferenceExperiment/DataStorageConfig/KmsKey", nil, s3Write(
				"AWS does not say which role writes the captured data; sagekey assumes the experiment's role."))},
		Remediation: "The volume key (KmsKey) cannot be changed: create a new experiment with it. The data-storage key " +
			"can be changed in place with UpdateInferenceExperiment.",
	}
}

func deviceFleet() Kind {
	return Kind{
		ID: "device-fleet", Title: "Edge device fleet", ResourceType: "AWS::SageMaker::DeviceFleet",
		ListAPI: "ListDeviceFleets", DescribeAPI: "DescribeDeviceFleet", KeysMutable: true,
		// Devices upload sample data with the fleet's role, which they
		// assume through its IoT role alias (IotRoleAlias).
		RoleField: "RoleArn",
		Slots: []SlotSpec{outputSlot("OutputConfig.KmsKeyId", "aws_sagemaker_device_fleet.output_config.kms_key_id",
			"AWS::SageMaker::DeviceFleet/OutputConfig/KmsKeyId", nil, s3Write(
				"AWS does not document these KMS permissions; sagekey assumes devices write the sample data with the "+
					"fleet's role."))},
		Remediation: "Set OutputConfig.KmsKeyId to a customer-managed key in place with UpdateDeviceFleet.",
	}
}

func flowDefinition() Kind {
	return Kind{
		ID: "flow-definition", Title: "Augmented AI flow definition", ResourceType: "AWS::SageMaker::FlowDefinition",
		ListAPI: "ListFlowDefinitions", DescribeAPI: "DescribeFlowDefinition", RoleField: "RoleArn",
		Slots: []SlotSpec{outputSlot("OutputConfig.KmsKeyId", "aws_sagemaker_flow_definition.output_config.kms_key_id", "", nil,
			s3Write("AWS does not document these KMS permissions; sagekey assumes the flow definition's role writes "+
				"the human loop output."))},
		Remediation: "Flow definitions cannot be updated: create a new one with OutputConfig.KmsKeyId, move human loops " +
			"to it, and delete the old one.",
	}
}

func partnerApp() Kind {
	content := contentSlot("KmsKeyId", "", "AWS::SageMaker::PartnerApp/KmsKeyId")
	content.Access = managedVolume(docPartnerApp, "AWS does not say how a partner app uses its key; sagekey expects "+
		"the grant SageMaker makes for the storage it manages for other long-lived resources.")
	return Kind{
		ID: "partner-app", Title: "Partner AI app", ResourceType: "AWS::SageMaker::PartnerApp",
		ListAPI: "ListPartnerApps", DescribeAPI: "DescribePartnerApp", RoleField: "ExecutionRoleArn",
		Slots: []SlotSpec{content},
		Remediation: "The key of a partner app cannot be changed: create a new app with KmsKeyId, migrate its data, and " +
			"delete the old app.",
	}
}

// pipeline slots are the key slots of the steps inside a pipeline
// definition, typed by the step so the right instance table applies.
func pipeline() Kind {
	const def = "PipelineDefinition (JSON) Steps[]."
	// A step's volume is its job's volume; its job writes its output.
	volume := func(id, title, field string, table Table, source string) SlotSpec {
		return SlotSpec{ID: id, Title: title, APIField: def + field, LocalStorage: table, EmptyMeans: emptyVolume,
			Access: volumeGrant(source, "")}
	}
	output := func(id, title, field string) SlotSpec {
		return SlotSpec{ID: id, Title: title, APIField: def + field, S3Output: true, EmptyMeans: emptyS3, Access: s3Write("")}
	}
	return Kind{
		ID: "pipeline", Title: "Pipeline (the jobs its steps create)", ResourceType: "AWS::SageMaker::Pipeline",
		ListAPI: "ListPipelines", DescribeAPI: "DescribePipeline", KeysMutable: true,
		// The steps' jobs run as the roles in their arguments, not as the
		// pipeline's RoleArn: that role only calls the Create* APIs, and
		// the jobs' outputs are written by the jobs' own roles.
		RoleField: def + "Arguments.RoleArn (tuning steps: Arguments.TrainingJobDefinition(s).RoleArn; " +
			"transform steps: the ExecutionRoleArn of Arguments.ModelName)",
		Slots: []SlotSpec{
			volume("training-volume", "training step volume", "Arguments.ResourceConfig.VolumeKmsKeyId", TableTraining, docRolesTraining),
			output("training-output", "training step output", "Arguments.OutputDataConfig.KmsKeyId"),
			volume("processing-volume", "processing step volume", "Arguments.ProcessingResources.ClusterConfig.VolumeKmsKeyId",
				TableProcessing, docRolesProcess),
			output("processing-output", "processing step output", "Arguments.ProcessingOutputConfig.KmsKeyId"),
			volume("transform-volume", "transform step volume", "Arguments.TransformResources.VolumeKmsKeyId", TableTransform,
				docAPIPermissions),
			output("transform-output", "transform step output", "Arguments.TransformOutput.KmsKeyId"),
			volume("tuning-volume", "tuning step volume", "Arguments.TrainingJobDefinition(s).ResourceConfig.VolumeKmsKeyId",
				TableTraining, docRolesTuning),
			output("tuning-output", "tuning step output", "Arguments.TrainingJobDefinition(s).OutputDataConfig.KmsKeyId"),
			volume("automl-volume", "AutoML step volume", "Arguments.SecurityConfig.VolumeKmsKeyId", TableNone, docRolesAutoML),
			output("automl-output", "AutoML step output", "Arguments.OutputDataConfig.KmsKeyId"),
		},
		Remediation: "Update the pipeline definition (UpdatePipeline) so every step's Create* arguments carry " +
			"customer-managed volume and output keys; jobs from later executions are then compliant. Jobs already " +
			"run are judged as jobs.",
	}
}

// modelCustomizationJob is the CreateJob API (reference R34): its settings,
// output key included, live in a JSON document whose schema AWS does not
// publish, so the collector looks for KMS key fields by name.
func modelCustomizationJob() Kind {
	out := outputSlot("JobConfigDocument (JSON): fields whose name contains \"Kms\"", "", "", outputConditionKeys,
		s3Write(unconfirmedJobOutput))
	return Kind{
		ID: "model-customization-job", JobHistory: true, Immutable: true, Title: "Model customization job (CreateJob)", ResourceType: "AWS::SageMaker::Job",
		ListAPI: "ListJobs (per JobCategory)", DescribeAPI: "DescribeJob", RoleField: "RoleArn",
		// The output key is required: SAR lists OutputKmsKeyArn on CreateJob.
		// [U] whether every job category takes an output key.
		CreateActions: []string{"sagemaker:CreateJob"},
		Slots:         []SlotSpec{out},
		Remediation:   immutableJob("Model customization job", "the output KMS key in JobConfigDocument"),
	}
}
