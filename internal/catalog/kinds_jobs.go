package catalog

// Why the dataset-definition staging rows are sagekey's reading.
const (
	unconfirmedAthena = "AWS does not document these KMS permissions; sagekey assumes Athena writes the staged " +
		"results for the job's role, which then reads them."
	unconfirmedRedshift = "AWS does not document these KMS permissions; Redshift unloads with the dataset's " +
		"ClusterRoleArn, and sagekey assumes the job's role only reads the staged files."
)

func processingJob() Kind {
	return Kind{
		ID: "processing-job", JobHistory: true, Immutable: true, Title: "Processing job", ResourceType: "AWS::SageMaker::ProcessingJob",
		ListAPI: "ListProcessingJobs", DescribeAPI: "DescribeProcessingJob", RoleField: "RoleArn",
		// The dataset-definition staging keys have no condition key.
		CreateActions: []string{"sagemaker:CreateProcessingJob"},
		Slots: []SlotSpec{
			volumeSlot("ProcessingResources.ClusterConfig.VolumeKmsKeyId", "",
				"AWS::SageMaker::ProcessingJob/ProcessingResources/ClusterConfig/VolumeKmsKeyId", TableProcessing,
				volumeGrant(docRolesProcess, "")),
			outputSlot("ProcessingOutputConfig.KmsKeyId", "", "AWS::SageMaker::ProcessingJob/ProcessingOutputConfig/KmsKeyId",
				outputConditionKeys, s3Write("")),
			s3Slot("athena-staging", "Athena query results staged to S3",
				"ProcessingInputs[].DatasetDefinition.AthenaDatasetDefinition.KmsKeyId", "",
				"AWS::SageMaker::ProcessingJob/ProcessingInputs/*/DatasetDefinition/AthenaDatasetDefinition/KmsKeyId", nil,
				s3Write(unconfirmedAthena)),
			s3Slot("redshift-staging", "Redshift query results staged to S3",
				"ProcessingInputs[].DatasetDefinition.RedshiftDatasetDefinition.KmsKeyId", "",
				"AWS::SageMaker::ProcessingJob/ProcessingInputs/*/DatasetDefinition/RedshiftDatasetDefinition/KmsKeyId", nil,
				s3Read(unconfirmedRedshift)),
		},
		Remediation: immutableJob("Processing job", "ProcessingResources.ClusterConfig.VolumeKmsKeyId (not for local-NVMe "+
			"instance types), ProcessingOutputConfig.KmsKeyId and each dataset definition's KmsKeyId"),
	}
}

func transformJob() Kind {
	return Kind{
		ID: "transform-job", JobHistory: true, Immutable: true, Title: "Batch transform job", ResourceType: "AWS::SageMaker::TransformJob",
		ListAPI: "ListTransformJobs", DescribeAPI: "DescribeTransformJob",
		// The job runs the model's containers as the model's role; the
		// output key policy "must grant permission to the IAM role that you
		// specify in your CreateModel request" (API_TransformOutput).
		RoleField: "ModelName → DescribeModel.ExecutionRoleArn", RoleFromModels: true,
		CreateActions: []string{"sagemaker:CreateTransformJob"},
		Slots: []SlotSpec{
			volumeSlot("TransformResources.VolumeKmsKeyId", "", "", TableTransform, volumeGrant(docAPIPermissions, "")),
			outputSlot("TransformOutput.KmsKeyId", "", "", outputConditionKeys, s3Write("")),
			s3Slot("data-capture", "captured batch inference data in S3", "DataCaptureConfig.KmsKeyId", "", "", nil,
				s3Write(unconfirmedModelRole)),
		},
		Remediation: immutableJob("Transform job", "TransformResources.VolumeKmsKeyId (not for local-NVMe instance types), "+
			"TransformOutput.KmsKeyId and DataCaptureConfig.KmsKeyId"),
	}
}

func hyperParameterTuningJob() Kind {
	const tf = "aws_sagemaker_hyper_parameter_tuning_job.training_job_definition"
	return Kind{
		ID: "hyper-parameter-tuning-job", JobHistory: true, Immutable: true, Title: "Hyper-parameter tuning job",
		ResourceType: "AWS::SageMaker::HyperParameterTuningJob",
		ListAPI:      "ListHyperParameterTuningJobs", DescribeAPI: "DescribeHyperParameterTuningJob",
		// Each training job runs as its definition's role.
		RoleField:     "TrainingJobDefinition.RoleArn | TrainingJobDefinitions[].RoleArn",
		CreateActions: []string{"sagemaker:CreateHyperParameterTuningJob"},
		Slots: []SlotSpec{
			volumeSlot("TrainingJobDefinition(s)[].ResourceConfig.VolumeKmsKeyId | HyperParameterTuningResourceConfig.VolumeKmsKeyId",
				tf+".resource_config.volume_kms_key_id", "", TableTraining, volumeGrant(docRolesTuning, "")),
			outputSlot("TrainingJobDefinition(s)[].OutputDataConfig.KmsKeyId", tf+".output_data_config.kms_key_id", "",
				outputConditionKeys, s3Write("")),
		},
		Remediation: immutableJob("Tuning job", "every training job definition's VolumeKmsKeyId (not for local-NVMe "+
			"instance types) and OutputDataConfig.KmsKeyId"),
	}
}

func autoMLJob() Kind {
	return Kind{
		ID: "auto-ml-job", JobHistory: true, Immutable: true, Title: "AutoML job (v1 and v2)", ResourceType: "AWS::SageMaker::AutoMLJob",
		ListAPI: "ListAutoMLJobs", DescribeAPI: "DescribeAutoMLJobV2", RoleField: "RoleArn",
		CreateActions: []string{"sagemaker:CreateAutoMLJob", "sagemaker:CreateAutoMLJobV2"},
		Slots: []SlotSpec{
			volumeSlot("SecurityConfig.VolumeKmsKeyId", "", "", TableNone, volumeGrant(docRolesAutoML, "")),
			outputSlot("OutputDataConfig.KmsKeyId", "", "", outputConditionKeys, s3Write("")),
		},
		Remediation: immutableJob("AutoML job", "SecurityConfig.VolumeKmsKeyId and OutputDataConfig.KmsKeyId"),
	}
}

func labelingJob() Kind {
	v := volumeSlot("LabelingJobAlgorithmsConfig.LabelingJobResourceConfig.VolumeKmsKeyId",
		"aws_sagemaker_labeling_job.labeling_job_algorithms_config.labeling_job_resource_config.volume_kms_key_id", "", TableNone,
		volumeGrant(docGroundTruth, ""))
	v.OptionalAtCreate = "the volume exists only with automated data labeling (LabelingJobAlgorithmsConfig); " +
		"a job labeled by people alone has no volume key to pass"
	return Kind{
		ID: "labeling-job", JobHistory: true, Immutable: true, Title: "Ground Truth labeling job", ResourceType: "AWS::SageMaker::LabelingJob",
		ListAPI: "ListLabelingJobs", DescribeAPI: "DescribeLabelingJob", RoleField: "RoleArn",
		CreateActions: []string{"sagemaker:CreateLabelingJob"},
		Slots: []SlotSpec{
			// Ground Truth's key policy gives the role a superset
			// (Encrypt, ReEncrypt*, GenerateDataKey*, DescribeKey); writing
			// the output uses these two.
			outputSlot("OutputConfig.KmsKeyId", "aws_sagemaker_labeling_job.output_config.kms_key_id", "", outputConditionKeys,
				KeyAccess{Actions: []string{"kms:Decrypt", "kms:GenerateDataKey"}, ViaService: viaS3, Source: docGroundTruth}),
			v,
		},
		Remediation: immutableJob("Labeling job", "OutputConfig.KmsKeyId and, with automated labeling, "+
			"LabelingJobResourceConfig.VolumeKmsKeyId (API only, not the console)"),
	}
}

func compilationJob() Kind {
	return Kind{
		ID: "compilation-job", JobHistory: true, Immutable: true, Title: "Neo compilation job", ResourceType: "AWS::SageMaker::CompilationJob",
		ListAPI: "ListCompilationJobs", DescribeAPI: "DescribeCompilationJob", RoleField: "RoleArn",
		Slots:       []SlotSpec{outputSlot("OutputConfig.KmsKeyId", "", "", nil, s3Write(unconfirmedJobOutput))},
		Remediation: immutableJob("Compilation job", "OutputConfig.KmsKeyId"),
	}
}

func edgePackagingJob() Kind {
	v := volumeSlot("ResourceKey", "", "", TableNone, volumeGrant(docRolesTraining,
		"AWS does not document the KMS permissions of an edge packaging job's role; sagekey expects kms:CreateGrant "+
			"as for other job volumes."))
	v.ConditionKeys = nil // CreateEdgePackagingJob carries no KMS condition key
	return Kind{
		ID: "edge-packaging-job", JobHistory: true, Immutable: true, Title: "Edge packaging job", ResourceType: "AWS::SageMaker::EdgePackagingJob",
		ListAPI: "ListEdgePackagingJobs", DescribeAPI: "DescribeEdgePackagingJob", RoleField: "RoleArn",
		Slots:       []SlotSpec{outputSlot("OutputConfig.KmsKeyId", "", "", nil, s3Write(unconfirmedJobOutput)), v},
		Remediation: immutableJob("Edge packaging job", "OutputConfig.KmsKeyId and ResourceKey"),
	}
}

func inferenceRecommendationsJob() Kind {
	// The job's role creates the endpoints it benchmarks, so it is the one
	// that needs kms:CreateGrant; AWS says the job fails without it.
	v := volumeSlot("InputConfig.VolumeKmsKeyId", "", "", TableHosting, volumeGrant(docRecommenderIn, ""))
	v.ConditionKeys = nil
	out := outputSlot("OutputConfig.KmsKeyId (not returned by Describe)", "", "", nil, dataKeyOnly(docRecommenderOut))
	return Kind{
		ID: "inference-recommendations-job", JobHistory: true, Immutable: true, Title: "Inference Recommender job",
		ResourceType: "AWS::SageMaker::InferenceRecommendationsJob",
		ListAPI:      "ListInferenceRecommendationsJobs", DescribeAPI: "DescribeInferenceRecommendationsJob",
		RoleField: "RoleArn",
		Slots:     []SlotSpec{v, out},
		Remediation: immutableJob("Inference Recommender job", "InputConfig.VolumeKmsKeyId and OutputConfig.KmsKeyId") +
			" The output key cannot be read back after creation, so keep the creating request as evidence.",
	}
}

func optimizationJob() Kind {
	return Kind{
		ID: "optimization-job", JobHistory: true, Immutable: true, Title: "Inference optimization job", ResourceType: "AWS::SageMaker::OptimizationJob",
		ListAPI: "ListOptimizationJobs", DescribeAPI: "DescribeOptimizationJob", RoleField: "RoleArn",
		Slots:       []SlotSpec{outputSlot("OutputConfig.KmsKeyId", "", "", nil, s3Write(unconfirmedJobOutput))},
		Remediation: immutableJob("Optimization job", "OutputConfig.KmsKeyId"),
	}
}
