package catalog

// Hosting slots are shared by endpoint configs and the endpoints judged
// through them, so they are declared once here.
func hostingSlots() []SlotSpec {
	return []SlotSpec{
		{
			ID: "volume", Title: "ML storage volume of the hosting instances",
			APIField:         "KmsKeyId",
			Terraform:        "aws_sagemaker_endpoint_configuration.kms_key_arn",
			CloudFormation:   "AWS::SageMaker::EndpointConfig/KmsKeyId",
			ConditionKeys:    volumeConditionKeys,
			LocalStorage:     TableHosting,
			ServerlessExempt: true,
			EmptyMeans:       emptyVolume,
			Access:           volumeGrant(docAPIPermissions, unconfirmedHostingVolume),
		},
		{
			ID: "data-capture", Title: "captured request/response data in S3",
			APIField:       "DataCaptureConfig.KmsKeyId",
			Terraform:      "aws_sagemaker_endpoint_configuration.data_capture_config.kms_key_id",
			CloudFormation: "AWS::SageMaker::EndpointConfig/DataCaptureConfig/KmsKeyId",
			S3Output:       true,
			EmptyMeans:     emptyS3,
			Access:         s3Write(unconfirmedModelRole),
		},
		{
			ID: "async-output", Title: "asynchronous inference results in S3",
			APIField:       "AsyncInferenceConfig.OutputConfig.KmsKeyId",
			Terraform:      "aws_sagemaker_endpoint_configuration.async_inference_config.output_config.kms_key_id",
			CloudFormation: "AWS::SageMaker::EndpointConfig/AsyncInferenceConfig/OutputConfig/KmsKeyId",
			S3Output:       true,
			EmptyMeans:     emptyS3,
			Access:         s3Write(unconfirmedModelRole),
		},
		{
			ID: "core-dump", Title: "core dumps of a variant in S3",
			APIField:   "ProductionVariants[].CoreDumpConfig.KmsKeyId",
			Terraform:  "aws_sagemaker_endpoint_configuration.production_variants.core_dump_config.kms_key_id",
			S3Output:   true,
			EmptyMeans: emptyS3,
			Access:     s3Write(unconfirmedModelRole),
		},
	}
}

// hostingRoles: an endpoint runs each variant's model as the model's
// execution role. Variants of an endpoint configuration for inference
// components name no model; that configuration's own ExecutionRoleArn is
// not checked, as AWS does not document its use of the keys.
const hostingRoles = "ProductionVariants[].ModelName | ShadowProductionVariants[].ModelName → DescribeModel.ExecutionRoleArn"

func endpointConfig() Kind {
	return Kind{
		ID: "endpoint-config", Immutable: true, Title: "Endpoint configuration",
		ResourceType: "AWS::SageMaker::EndpointConfig",
		ListAPI:      "ListEndpointConfigs", DescribeAPI: "DescribeEndpointConfig",
		KeysMutable: false, RoleField: hostingRoles, RoleFromModels: true,
		Slots: hostingSlots(),
		// Carries the volume key only; data capture, async output and core
		// dump keys have no condition key (reference §2a).
		CreateActions: []string{"sagemaker:CreateEndpointConfig"},
		ConfigRules:   []ConfigRule{endpointConfigKMSConfiguredRule, endpointConfigKMSRequiredRule},
		Remediation: "Endpoint configurations are immutable. Create a new endpoint configuration that copies " +
			"every production and shadow variant, data-capture and async setting and adds a customer-managed key " +
			"to each slot, move endpoints to it with UpdateEndpoint, then delete the old configuration.",
	}
}

func endpoint() Kind {
	return Kind{
		ID: "endpoint", Title: "Endpoint (judged through its endpoint configuration)",
		ResourceType: "AWS::SageMaker::Endpoint",
		ListAPI:      "ListEndpoints", DescribeAPI: "DescribeEndpoint + DescribeEndpointConfig",
		KeysMutable: true,
		// The fields are the endpoint configuration's, as are the slots.
		RoleField: hostingRoles, RoleFromModels: true,
		Slots: hostingSlots(),
		// No CreateActions: CreateEndpoint and UpdateEndpoint carry no KMS
		// condition key. The keys are set, and enforced, on the endpoint
		// configuration (CreateEndpointConfig) the endpoint serves from.
		Remediation: "Blue/green cut-over without downtime: create a new endpoint configuration with the same " +
			"variants plus customer-managed keys, call UpdateEndpoint with it, wait for InService, re-scan the " +
			"endpoint, then delete the old configuration.",
	}
}
