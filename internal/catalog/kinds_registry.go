package catalog

func contentSlot(apiField, terraform, cfn string) SlotSpec {
	return SlotSpec{
		ID: "content", Title: "stored content", APIField: apiField, Terraform: terraform, CloudFormation: cfn,
		EmptyMeans: "no key: the content uses an AWS-owned key, not a key you control",
	}
}

func modelCard() Kind {
	return Kind{
		ID: "model-card", Title: "Model card", ResourceType: "AWS::SageMaker::ModelCard",
		ListAPI: "ListModelCards", DescribeAPI: "DescribeModelCard",
		Slots: []SlotSpec{contentSlot("SecurityConfig.KmsKeyId", "aws_sagemaker_model_card.security_config.kms_key_id",
			"AWS::SageMaker::ModelCard/SecurityConfig/KmsKeyId")},
		Remediation: "The model card key cannot be changed: create a new model card with SecurityConfig.KmsKeyId, copy " +
			"the content, and delete the old card.",
	}
}

// validationSlots are the transform (and, for algorithms, training) job
// definitions a registry entry validates itself with.
func validationSlots(withTraining bool, cfn string) []SlotSpec {
	const p = "ValidationSpecification.ValidationProfiles[]."
	var slots []SlotSpec
	if withTraining {
		v := volumeSlot(p+"TrainingJobDefinition.ResourceConfig.VolumeKmsKeyId", "", "", TableTraining)
		v.ID, v.Title, v.ConditionKeys = "validation-training-volume", "validation training volume", nil
		slots = append(slots, v, s3Slot("validation-training-output", "validation training output in S3",
			p+"TrainingJobDefinition.OutputDataConfig.KmsKeyId", "", "", nil))
	}
	tcfn := ""
	if cfn != "" {
		tcfn = cfn + "/ValidationSpecification/ValidationProfiles/*/TransformJobDefinition/"
	}
	v := volumeSlot(p+"TransformJobDefinition.TransformResources.VolumeKmsKeyId", "", tcfn+"TransformResources/VolumeKmsKeyId", TableTransform)
	v.ID, v.Title, v.ConditionKeys = "validation-transform-volume", "validation transform volume", nil
	if tcfn == "" {
		v.CloudFormation = ""
	}
	out := s3Slot("validation-transform-output", "validation transform output in S3",
		p+"TransformJobDefinition.TransformOutput.KmsKeyId", "", "", nil)
	if tcfn != "" {
		out.CloudFormation = tcfn + "TransformOutput/KmsKeyId"
	}
	return append(slots, v, out)
}

func modelPackage() Kind {
	return Kind{
		ID: "model-package", Title: "Model registry package (version)", ResourceType: "AWS::SageMaker::ModelPackage",
		ListAPI: "ListModelPackages(ModelPackageType=Both)", DescribeAPI: "DescribeModelPackage",
		Slots: append([]SlotSpec{contentSlot("SecurityConfig.KmsKeyId", "", "AWS::SageMaker::ModelPackage/SecurityConfig/KmsKeyId")},
			validationSlots(false, "AWS::SageMaker::ModelPackage")...),
		Remediation: "Model package keys cannot be changed: register a new version with SecurityConfig.KmsKeyId and " +
			"keyed validation jobs, move approvals and deployments to it, and delete the old version.",
	}
}

func algorithm() Kind {
	return Kind{
		ID: "algorithm", Title: "Algorithm (validation jobs)", ResourceType: "AWS::SageMaker::Algorithm",
		ListAPI: "ListAlgorithms", DescribeAPI: "DescribeAlgorithm",
		Slots: validationSlots(true, ""),
		Remediation: "Algorithms cannot be updated: create a new algorithm whose validation training and transform " +
			"job definitions carry customer-managed keys, then delete the old one.",
	}
}
