package rules

// FlowDefinitionCMK checks every key slot of flow-definition resources.
func FlowDefinitionCMK() Rule {
	return cmkRule("flow-definition",
		"Augmented AI sends low-confidence predictions to human reviewers and stores their answers in S3.")
}
