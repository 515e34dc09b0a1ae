package rules

// ModelCardCMK checks every key slot of model-card resources.
func ModelCardCMK() Rule {
	return cmkRule("model-card",
		"Model cards document intended use, risks and evaluation data; their content is encrypted with SecurityConfig.KmsKeyId or an AWS-owned key.")
}
