package catalog

func inferenceExperiment() Kind {
	v := volumeSlot("KmsKey", "", "AWS::SageMaker::InferenceExperiment/KmsKey", TableHosting)
	v.ConditionKeys = nil
	return Kind{
		ID: "inference-experiment", Title: "Inference experiment (shadow test)", ResourceType: "AWS::SageMaker::InferenceExperiment",
		ListAPI: "ListInferenceExperiments", DescribeAPI: "DescribeInferenceExperiment",
		Slots: []SlotSpec{v, s3Slot("data-storage", "captured shadow-test data in S3", "DataStorageConfig.KmsKey", "",
			"AWS::SageMaker::InferenceExperiment/DataStorageConfig/KmsKey", nil)},
		Remediation: "The volume key (KmsKey) cannot be changed: create a new experiment with it. The data-storage key " +
			"can be changed in place with UpdateInferenceExperiment.",
	}
}

func deviceFleet() Kind {
	return Kind{
		ID: "device-fleet", Title: "Edge device fleet", ResourceType: "AWS::SageMaker::DeviceFleet",
		ListAPI: "ListDeviceFleets", DescribeAPI: "DescribeDeviceFleet", KeysMutable: true,
		Slots: []SlotSpec{outputSlot("OutputConfig.KmsKeyId", "aws_sagemaker_device_fleet.output_config.kms_key_id",
			"AWS::SageMaker::DeviceFleet/OutputConfig/KmsKeyId", nil)},
		Remediation: "Set OutputConfig.KmsKeyId to a customer-managed key in place with UpdateDeviceFleet.",
	}
}

func flowDefinition() Kind {
	return Kind{
		ID: "flow-definition", Title: "Augmented AI flow definition", ResourceType: "AWS::SageMaker::FlowDefinition",
		ListAPI: "ListFlowDefinitions", DescribeAPI: "DescribeFlowDefinition",
		Slots: []SlotSpec{outputSlot("OutputConfig.KmsKeyId", "aws_sagemaker_flow_definition.output_config.kms_key_id", "", nil)},
		Remediation: "Flow definitions cannot be updated: create a new one with OutputConfig.KmsKeyId, move human loops " +
			"to it, and delete the old one.",
	}
}

func partnerApp() Kind {
	return Kind{
		ID: "partner-app", Title: "Partner AI app", ResourceType: "AWS::SageMaker::PartnerApp",
		ListAPI: "ListPartnerApps", DescribeAPI: "DescribePartnerApp",
		Slots: []SlotSpec{contentSlot("KmsKeyId", "", "AWS::SageMaker::PartnerApp/KmsKeyId")},
		Remediation: "The key of a partner app cannot be changed: create a new app with KmsKeyId, migrate its data, and " +
			"delete the old app.",
	}
}

// pipeline slots are the key slots of the steps inside a pipeline
// definition, typed by the step so the right instance table applies.
func pipeline() Kind {
	const def = "PipelineDefinition (JSON) Steps[]."
	step := func(id, title, field string, table Table, s3 bool) SlotSpec {
		s := SlotSpec{ID: id, Title: title, APIField: def + field, LocalStorage: table, S3Output: s3, EmptyMeans: emptyVolume}
		if s3 {
			s.EmptyMeans = emptyS3
		}
		return s
	}
	return Kind{
		ID: "pipeline", Title: "Pipeline (the jobs its steps create)", ResourceType: "AWS::SageMaker::Pipeline",
		ListAPI: "ListPipelines", DescribeAPI: "DescribePipeline", KeysMutable: true,
		Slots: []SlotSpec{
			step("training-volume", "training step volume", "Arguments.ResourceConfig.VolumeKmsKeyId", TableTraining, false),
			step("training-output", "training step output", "Arguments.OutputDataConfig.KmsKeyId", TableNone, true),
			step("processing-volume", "processing step volume", "Arguments.ProcessingResources.ClusterConfig.VolumeKmsKeyId", TableProcessing, false),
			step("processing-output", "processing step output", "Arguments.ProcessingOutputConfig.KmsKeyId", TableNone, true),
			step("transform-volume", "transform step volume", "Arguments.TransformResources.VolumeKmsKeyId", TableTransform, false),
			step("transform-output", "transform step output", "Arguments.TransformOutput.KmsKeyId", TableNone, true),
			step("tuning-volume", "tuning step volume", "Arguments.TrainingJobDefinition(s).ResourceConfig.VolumeKmsKeyId", TableTraining, false),
			step("tuning-output", "tuning step output", "Arguments.TrainingJobDefinition(s).OutputDataConfig.KmsKeyId", TableNone, true),
			step("automl-volume", "AutoML step volume", "Arguments.SecurityConfig.VolumeKmsKeyId", TableNone, false),
			step("automl-output", "AutoML step output", "Arguments.OutputDataConfig.KmsKeyId", TableNone, true),
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
	out := outputSlot("JobConfigDocument (JSON): fields whose name contains \"Kms\"", "", "", outputConditionKeys)
	return Kind{
		ID: "model-customization-job", JobHistory: true, Immutable: true, Title: "Model customization job (CreateJob)", ResourceType: "AWS::SageMaker::Job",
		ListAPI: "ListJobs (per JobCategory)", DescribeAPI: "DescribeJob",
		// The output key is required: SAR lists OutputKmsKeyArn on CreateJob.
		// [U] whether every job category takes an output key.
		CreateActions: []string{"sagemaker:CreateJob"},
		Slots:         []SlotSpec{out},
		Remediation:   immutableJob("Model customization job", "the output KMS key in JobConfigDocument"),
	}
}
