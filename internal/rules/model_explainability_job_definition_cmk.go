package rules

// ModelExplainabilityJobDefinitionCMK checks every key slot of model-explainability-job-definition resources.
func ModelExplainabilityJobDefinitionCMK() Rule {
	return cmkRule("model-explainability-job-definition",
		"Explainability monitoring writes per-feature attributions for real requests to S3.")
}
