package rules

// ModelBiasJobDefinitionCMK checks every key slot of model-bias-job-definition resources.
func ModelBiasJobDefinitionCMK() Rule {
	return cmkRule("model-bias-job-definition",
		"Bias monitoring processes facet (often protected-attribute) data on its volumes and in S3.")
}
