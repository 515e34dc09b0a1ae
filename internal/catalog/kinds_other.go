package catalog

func notebookInstance() Kind {
	return Kind{
		ID: "notebook-instance", Title: "Notebook instance",
		ResourceType: "AWS::SageMaker::NotebookInstance",
		ListAPI:      "ListNotebookInstances", DescribeAPI: "DescribeNotebookInstance",
		KeysMutable: false, RoleField: "RoleArn",
		// UpdateNotebookInstance carries no KMS condition key (and cannot change the key).
		CreateActions: []string{"sagemaker:CreateNotebookInstance"},
		ConfigRules:   []ConfigRule{notebookKMSRule},
		Slots: []SlotSpec{{
			ID: "volume", Title: "ML storage volume (/home/ec2-user/SageMaker)",
			APIField:       "KmsKeyId",
			Terraform:      "aws_sagemaker_notebook_instance.kms_key_id",
			CloudFormation: "AWS::SageMaker::NotebookInstance/KmsKeyId",
			ConditionKeys:  volumeConditionKeys,
			EmptyMeans:     emptyNotebook,
			Access: managedVolume(docAPIPermissions, "AWS lists these for the caller of CreateNotebookInstance; that "+
				"the notebook's role needs them when the instance starts is sagekey's reading."),
		}},
		Remediation: "The key of a notebook instance cannot be changed (UpdateNotebookInstance has no KmsKeyId). " +
			"Back up /home/ec2-user/SageMaker to S3, create a replacement notebook with the same settings and a " +
			"customer-managed KmsKeyId, restore the data, verify, then delete the old notebook.",
	}
}

func trainingJob() Kind {
	return Kind{
		ID: "training-job", JobHistory: true, Immutable: true, Title: "Training job",
		ResourceType: "AWS::SageMaker::TrainingJob",
		ListAPI:      "Search(TrainingJob) or ListTrainingJobs", DescribeAPI: "DescribeTrainingJob",
		KeysMutable:   false,
		RoleField:     "RoleArn",
		CreateActions: []string{"sagemaker:CreateTrainingJob"},
		Slots: []SlotSpec{
			{
				ID: "volume", Title: "ML storage volume of the training instances",
				APIField:      "ResourceConfig.VolumeKmsKeyId",
				Terraform:     "aws_sagemaker_training_job.resource_config.volume_kms_key_id",
				ConditionKeys: volumeConditionKeys,
				LocalStorage:  TableTraining,
				EmptyMeans:    emptyVolume,
				Access:        volumeGrant(docRolesTraining, ""),
			},
			{
				ID: "output", Title: "model artifacts in S3",
				APIField:      "OutputDataConfig.KmsKeyId",
				Terraform:     "aws_sagemaker_training_job.output_data_config.kms_key_id",
				ConditionKeys: outputConditionKeys,
				S3Output:      true,
				EmptyMeans:    emptyS3,
				// "The KMS key policy must grant permission to the IAM role
				// that you specify in your CreateTrainingJob" (API_OutputDataConfig).
				Access: s3Write(""),
			},
		},
		Remediation: "Training jobs are immutable records. Re-run the job (clone it) with " +
			"ResourceConfig.VolumeKmsKeyId and OutputDataConfig.KmsKeyId set to customer-managed keys " +
			"(instance types with local NVMe storage take the output key only), and re-encrypt or delete the " +
			"old model artifacts.",
	}
}

func cluster() Kind {
	const ebsPath = "InstanceGroups[].InstanceStorageConfigs[].EbsVolumeConfig.VolumeKmsKeyId"
	const cfnPath = "AWS::SageMaker::Cluster/InstanceGroups/*/InstanceStorageConfigs/*/EbsVolumeConfig/VolumeKmsKeyId"
	return Kind{
		ID: "cluster", Title: "HyperPod cluster",
		ResourceType: "AWS::SageMaker::Cluster",
		ListAPI:      "ListClusters", DescribeAPI: "DescribeCluster",
		KeysMutable: false,
		// Each instance group's nodes run as its role, the one AWS asks for
		// the key's permissions. ClusterRole (autoscaling) is not checked:
		// it needs them only with Karpenter autoscaling. Restricted instance
		// groups take no customer-managed key.
		RoleField: "InstanceGroups[].ExecutionRole",
		// No CreateActions: CreateCluster and UpdateCluster carry no KMS
		// condition key, so a HyperPod key can only be detected after the fact.
		Slots: []SlotSpec{
			{
				ID: "root-volume", Title: "root EBS volume of an instance group",
				APIField:       ebsPath + " (RootVolume=true)",
				CloudFormation: cfnPath,
				EmptyMeans:     emptyHyperPod,
				Access:         managedVolume(docHyperPod, ""),
			},
			{
				ID: "ebs-volume", Title: "secondary EBS volume of an instance group",
				APIField:       ebsPath,
				CloudFormation: cfnPath,
				EmptyMeans:     emptyHyperPod,
				Access:         managedVolume(docHyperPod, ""),
			},
		},
		Remediation: "The key of an existing HyperPod instance group cannot be changed. Add a new instance group " +
			"whose InstanceStorageConfigs carry EbsVolumeConfig entries with a customer-managed VolumeKmsKeyId " +
			"(RootVolume=true for the root volume; the cluster must use NodeProvisioningMode=Continuous), shift " +
			"the workload to it, then delete the old group.",
	}
}
