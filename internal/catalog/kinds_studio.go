package catalog

var sharingConditionKeys = []string{"sagemaker:DomainSharingOutputKmsKeyArn", "sagemaker:DomainSharingOutputKmsKey"}

func studioS3Slots(settings, tfPrefix, cfnPrefix string) []SlotSpec {
	sharingCFN := ""
	if cfnPrefix != "" {
		sharingCFN = cfnPrefix + "/SharingSettings/S3KmsKeyId"
	}
	sharing := s3Slot("sharing-output", "shared notebook snapshots in S3", settings+".SharingSettings.S3KmsKeyId",
		tfPrefix+".sharing_settings.s3_kms_key_id", sharingCFN, sharingConditionKeys, s3Write(unconfirmedStudioOutput))
	sharing.UpdateCarriesKey = true // UpdateDomain / UpdateUserProfile carry DomainSharingOutputKmsKeyArn
	return []SlotSpec{
		sharing,
		s3Slot("canvas-output", "Canvas workspace artifacts in S3", settings+".CanvasAppSettings.WorkspaceSettings.S3KmsKeyId",
			tfPrefix+".canvas_app_settings.workspace_settings.s3_kms_key_id", "", nil, s3Write(unconfirmedStudioOutput)),
	}
}

func domain() Kind {
	storage := SlotSpec{
		ID: "storage", Title: "Studio EFS home directories and space EBS volumes",
		APIField: "KmsKeyId", Terraform: "aws_sagemaker_domain.kms_key_id", CloudFormation: "AWS::SageMaker::Domain/KmsKeyId",
		ConditionKeys: volumeConditionKeys, EmptyMeans: "no key: EFS and EBS use AWS-managed keys, not keys you control",
		// AWS asks the execution role for these, "enforced during the
		// CreateApp API call"; the caller of CreateDomain, who creates the
		// EFS volume, needs more (Decrypt, GenerateDataKeyWithoutPlaintext).
		Access: managedVolume(docRolesDomain, ""),
	}
	// The domain's sharing key stays required at creation: a caller can
	// always comply by passing DefaultUserSettings.SharingSettings with an
	// S3KmsKeyId (NotebookOutputOption may still be Disabled).
	return Kind{
		ID: "domain", Title: "Studio domain", ResourceType: "AWS::SageMaker::Domain",
		ListAPI: "ListDomains", DescribeAPI: "DescribeDomain",
		// The users' default role. Shared spaces run as
		// DefaultSpaceSettings.ExecutionRole and profiles may name their own
		// (judged on the user-profile kind).
		RoleField: "DefaultUserSettings.ExecutionRole",
		// UpdateDomain carries the sharing key only; the storage key is
		// fixed at creation.
		CreateActions:    []string{"sagemaker:CreateDomain"},
		KeyUpdateActions: []string{"sagemaker:UpdateDomain"},
		Slots: append([]SlotSpec{storage}, studioS3Slots("DefaultUserSettings",
			"aws_sagemaker_domain.default_user_settings", "AWS::SageMaker::Domain/DefaultUserSettings")...),
		Remediation: "The domain KmsKeyId cannot be changed: create a new domain with a customer-managed key, migrate " +
			"user profiles and EFS home data, then delete the old domain. The sharing and Canvas S3 keys can be " +
			"changed in place with UpdateDomain (DefaultUserSettings).",
	}
}

func userProfile() Kind {
	slots := studioS3Slots("UserSettings", "aws_sagemaker_user_profile.user_settings",
		"AWS::SageMaker::UserProfile/UserSettings")
	slots[0].OptionalAtCreate = "a profile without its own SharingSettings inherits the domain's, " +
		"whose sharing key is required when the domain is created"
	return Kind{
		ID: "user-profile", Title: "Studio user profile", ResourceType: "AWS::SageMaker::UserProfile",
		ListAPI: "ListUserProfiles", DescribeAPI: "DescribeUserProfile",
		RoleField:        "UserSettings.ExecutionRole (empty: the domain's DefaultUserSettings.ExecutionRole)",
		KeysMutable:      true,
		CreateActions:    []string{"sagemaker:CreateUserProfile"},
		KeyUpdateActions: []string{"sagemaker:UpdateUserProfile"},
		Slots:            slots,
		Remediation: "Set SharingSettings.S3KmsKeyId and CanvasAppSettings.WorkspaceSettings.S3KmsKeyId to " +
			"customer-managed keys in place with UpdateUserProfile.",
	}
}

func featureGroup() Kind {
	online := SlotSpec{
		ID: "online-store", Title: "online store",
		APIField:       "OnlineStoreConfig.SecurityConfig.KmsKeyId",
		Terraform:      "aws_sagemaker_feature_group.online_store_config.security_config.kms_key_id",
		CloudFormation: "AWS::SageMaker::FeatureGroup/OnlineStoreConfig/SecurityConfig/KmsKeyId",
		ConditionKeys:  []string{"sagemaker:FeatureGroupOnlineStoreKmsKeyArn", "sagemaker:FeatureGroupOnlineStoreKmsKey"},
		EmptyMeans:     "no key: the online store uses an AWS-owned key",
	}
	offline := s3Slot("offline-store", "offline store in S3", "OfflineStoreConfig.S3StorageConfig.KmsKeyId",
		"aws_sagemaker_feature_group.offline_store_config.s3_storage_config.kms_key_id",
		"AWS::SageMaker::FeatureGroup/OfflineStoreConfig/S3StorageConfig/KmsKeyId",
		[]string{"sagemaker:FeatureGroupOfflineStoreKmsKeyArn", "sagemaker:FeatureGroupOfflineStoreKmsKey"},
		// "The IAM roleARN that is passed as a parameter to CreateFeatureGroup
		// must have below permissions to the KmsKeyId: kms:GenerateDataKey".
		dataKeyOnly(docOfflineStore))
	// AWS documents the online store's permissions for the caller of
	// CreateFeatureGroup only. kms:ListAliases, also on that list, is left
	// out: it is not authorized by a key's policy or grants (its resource is
	// "*"), so no key can allow or deny it.
	online.Access = KeyAccess{
		Actions: []string{"kms:CreateGrant", "kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey",
			"kms:ListGrants", "kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:RetireGrant", "kms:RevokeGrant"},
		ViaService: viaSageMaker, Source: docOnlineStore,
		Unconfirmed: "AWS lists these for the caller of CreateFeatureGroup (kms:Decrypt for callers of PutRecord and " +
			"GetRecord), not for the feature group's role.",
	}
	// Each store is optional, so a Null-deny on either key would block a
	// group that legitimately has only the other store.
	online.OptionalAtCreate = "a feature group may have only an offline store, so its request has no online key"
	offline.OptionalAtCreate = "a feature group may have only an online store, so its request has no offline key"
	return Kind{
		ID: "feature-group", Title: "Feature Store feature group", ResourceType: "AWS::SageMaker::FeatureGroup",
		ListAPI: "ListFeatureGroups", DescribeAPI: "DescribeFeatureGroup",
		// "The IAM execution role used to persist data into the OfflineStore".
		RoleField:     "RoleArn",
		CreateActions: []string{"sagemaker:CreateFeatureGroup"},
		ConfigRules:   []ConfigRule{featureGroupOnlineRule},
		Slots:         []SlotSpec{online, offline},
		Remediation: "Feature group keys cannot be changed: create a new feature group with customer-managed online " +
			"and offline keys, re-ingest the features, switch readers, then delete the old group.",
	}
}
