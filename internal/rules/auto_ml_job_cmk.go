package rules

// AutoMLJobCMK checks every key slot of auto-ml-job resources.
func AutoMLJobCMK() Rule {
	return cmkRule("auto-ml-job",
		"AutoML copies the training data, candidate models and explainability reports onto volumes and into S3; its SecurityConfig and output keys decide how they are protected.")
}
