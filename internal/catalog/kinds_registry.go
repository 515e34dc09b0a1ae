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
		// No RoleField: nothing runs as a role of the customer's. SageMaker
		// uses the content key with the credentials of whoever calls
		// CreateModelCard or DescribeModelCard (hence IncludedData=MetadataOnly,
		// which avoids kms:Decrypt).
		Slots: []SlotSpec{contentSlot("SecurityConfig.KmsKeyId", "aws_sagemaker_model_card.security_config.kms_key_id",
			"AWS::SageMaker::ModelCard/SecurityConfig/KmsKeyId")},
		Remediation: "The model card key cannot be changed: create a new model card with SecurityConfig.KmsKeyId, copy " +
			"the content, and delete the old card.",
	}
}

// validationSlots are the transform (and, for algorithms, training) job
// definitions a registry entry validates itself with. The jobs run as
// ValidationSpecification.ValidationRole, which AWS describes for
// algorithms as "the IAM roles that SageMaker uses to run the training
// jobs".
func validationSlots(withTraining bool, cfn string) []SlotSpec {
	const p = "ValidationSpecification.ValidationProfiles[]."
	var slots []SlotSpec
	if withTraining {
		v := volumeSlot(p+"TrainingJobDefinition.ResourceConfig.VolumeKmsKeyId", "", "", TableTraining,
			volumeGrant(docRolesTraining, ""))
		v.ID, v.Title, v.ConditionKeys = "validation-training-volume", "validation training volume", nil
		slots = append(slots, v, s3Slot("validation-training-output", "validation training output in S3",
			p+"TrainingJobDefinition.OutputDataConfig.KmsKeyId", "", "", nil, s3Write("")))
	}
	tcfn := ""
	if cfn != "" {
		tcfn = cfn + "/ValidationSpecification/ValidationProfiles/*/TransformJobDefinition/"
	}
	v := volumeSlot(p+"TransformJobDefinition.TransformResources.VolumeKmsKeyId", "", tcfn+"TransformResources/VolumeKmsKeyId",
		TableTransform, volumeGrant(docAPIPermissions, unconfirmedValidationTransform))
	v.ID, v.Title, v.ConditionKeys = "validation-transform-volume", "validation transform volume", nil
	if tcfn == "" {
		v.CloudFormation = ""
	}
	out := s3Slot("validation-transform-output", "validation transform output in S3",
		p+"TransformJobDefinition.TransformOutput.KmsKeyId", "", "", nil, s3Write(unconfirmedValidationTransform))
	if tcfn != "" {
		out.CloudFormation = tcfn + "TransformOutput/KmsKeyId"
	}
	return append(slots, v, out)
}

func modelPackage() Kind {
	// No RoleField: the kind has no one role for all its slots. The content
	// key is used with the credentials of whoever calls CreateModelPackage
	// or DescribeModelPackage, never by ValidationRole, which runs only the
	// validation jobs. A key-access check per kind would judge the content
	// key against a role that never uses it, so the validation slots go
	// unchecked instead and carry no access profile.
	validation := validationSlots(false, "AWS::SageMaker::ModelPackage")
	for i := range validation {
		validation[i].Access = KeyAccess{}
	}
	return Kind{
		ID: "model-package", Title: "Model registry package (version)", ResourceType: "AWS::SageMaker::ModelPackage",
		ListAPI: "ListModelPackages(ModelPackageType=Both)", DescribeAPI: "DescribeModelPackage",
		Slots: append([]SlotSpec{contentSlot("SecurityConfig.KmsKeyId", "", "AWS::SageMaker::ModelPackage/SecurityConfig/KmsKeyId")},
			validation...),
		Remediation: "Model package keys cannot be changed: register a new version with SecurityConfig.KmsKeyId and " +
			"keyed validation jobs, move approvals and deployments to it, and delete the old version.",
	}
}

func algorithm() Kind {
	return Kind{
		ID: "algorithm", Title: "Algorithm (validation jobs)", ResourceType: "AWS::SageMaker::Algorithm",
		ListAPI: "ListAlgorithms", DescribeAPI: "DescribeAlgorithm", RoleField: "ValidationSpecification.ValidationRole",
		Slots: validationSlots(true, ""),
		Remediation: "Algorithms cannot be updated: create a new algorithm whose validation training and transform " +
			"job definitions carry customer-managed keys, then delete the old one.",
	}
}
