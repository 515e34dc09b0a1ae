package rules

// ModelQualityJobDefinitionCMK checks every key slot of model-quality-job-definition resources.
func ModelQualityJobDefinitionCMK() Rule {
	return cmkRule("model-quality-job-definition",
		"Model-quality monitoring merges captured predictions with ground-truth labels on its volumes and in S3.")
}
