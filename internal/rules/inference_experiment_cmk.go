package rules

// InferenceExperimentCMK checks every key slot of inference-experiment resources.
func InferenceExperimentCMK() Rule {
	return cmkRule("inference-experiment",
		"Shadow tests host models on instances (KmsKey) and capture live traffic to S3 (DataStorageConfig.KmsKey).")
}
