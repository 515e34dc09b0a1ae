package catalog

// monitoringDefinition describes one of the four Model Monitor job
// definition kinds; they differ only in names.
func monitoringDefinition(id, title, prefix, tfResource string) Kind {
	cfn := "AWS::SageMaker::" + prefix + "JobDefinition/"
	tf := ""
	if tfResource != "" {
		tf = tfResource + "."
	}
	volTF, outTF := "", ""
	if tf != "" {
		volTF, outTF = tf+"job_resources.cluster_config.volume_kms_key_id", tf+"data_quality_job_output_config.kms_key_id"
	}
	return Kind{
		ID: id, Title: title, ResourceType: "AWS::SageMaker::" + prefix + "JobDefinition", Immutable: true,
		ListAPI: "List" + prefix + "JobDefinitions", DescribeAPI: "Describe" + prefix + "JobDefinition", RoleField: "RoleArn",
		CreateActions: []string{"sagemaker:Create" + prefix + "JobDefinition"},
		Slots: []SlotSpec{
			volumeSlot("JobResources.ClusterConfig.VolumeKmsKeyId", volTF, cfn+"JobResources/ClusterConfig/VolumeKmsKeyId", TableProcessing,
				volumeGrant(docRolesProcess, unconfirmedMonitor)),
			outputSlot(prefix+"JobOutputConfig.KmsKeyId", outTF, cfn+prefix+"JobOutputConfig/KmsKeyId", outputConditionKeys,
				s3Write(unconfirmedMonitor)),
		},
		Remediation: "Job definitions cannot be updated: create a new definition with customer-managed volume and " +
			"output keys, point the monitoring schedules at it (UpdateMonitoringSchedule), then delete the old one.",
	}
}

func monitoringKinds() []Kind {
	return []Kind{
		monitoringDefinition("data-quality-job-definition", "Model Monitor data-quality job definition", "DataQuality",
			"aws_sagemaker_data_quality_job_definition"),
		monitoringDefinition("model-quality-job-definition", "Model Monitor model-quality job definition", "ModelQuality", ""),
		monitoringDefinition("model-bias-job-definition", "Model Monitor model-bias job definition", "ModelBias", ""),
		monitoringDefinition("model-explainability-job-definition", "Model Monitor model-explainability job definition",
			"ModelExplainability", ""),
		monitoringSchedule(),
	}
}

func monitoringSchedule() Kind {
	const cfn = "AWS::SageMaker::MonitoringSchedule/MonitoringScheduleConfig/MonitoringJobDefinition/"
	// A schedule usually references a job definition by name
	// (MonitoringJobDefinitionName), so its request carries no key at all;
	// the keys are then enforced on the job definition's own create action.
	const optional = "a schedule usually references a job definition by name, so its request carries no key; " +
		"the referenced definition is enforced when it is created"
	vol := volumeSlot("MonitoringScheduleConfig.MonitoringJobDefinition.MonitoringResources.ClusterConfig.VolumeKmsKeyId",
		"", cfn+"MonitoringResources/ClusterConfig/VolumeKmsKeyId", TableProcessing, volumeGrant(docRolesProcess, unconfirmedMonitor))
	out := outputSlot("MonitoringScheduleConfig.MonitoringJobDefinition.MonitoringOutputConfig.KmsKeyId",
		"", cfn+"MonitoringOutputConfig/KmsKeyId", outputConditionKeys, s3Write(unconfirmedMonitor))
	for _, s := range []*SlotSpec{&vol, &out} {
		s.OptionalAtCreate, s.UpdateCarriesKey = optional, true
	}
	return Kind{
		ID: "monitoring-schedule", Title: "Model Monitor schedule (inline or referenced job definition)",
		ResourceType: "AWS::SageMaker::MonitoringSchedule",
		ListAPI:      "ListMonitoringSchedules", DescribeAPI: "DescribeMonitoringSchedule (+ the referenced job definition)",
		RoleField: "MonitoringScheduleConfig.MonitoringJobDefinition.RoleArn (or the RoleArn of the job definition " +
			"named by MonitoringJobDefinitionName)",
		KeysMutable:      true,
		CreateActions:    []string{"sagemaker:CreateMonitoringSchedule"},
		KeyUpdateActions: []string{"sagemaker:UpdateMonitoringSchedule"},
		Slots:            []SlotSpec{vol, out},
		Remediation: "Schedules can be changed in place: UpdateMonitoringSchedule with customer-managed keys in the " +
			"inline definition, or point it at a job definition that has them.",
	}
}
