package rules

// ModelPackageCMK checks every key slot of model-package resources.
func ModelPackageCMK() Rule {
	return cmkRule("model-package",
		"Registered model versions carry model metadata (SecurityConfig) and validation transform jobs whose volumes and outputs need keys.")
}
