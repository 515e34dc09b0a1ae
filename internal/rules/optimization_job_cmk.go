package rules

// OptimizationJobCMK checks every key slot of optimization-job resources.
func OptimizationJobCMK() Rule {
	return cmkRule("optimization-job",
		"Optimization jobs write quantized or compiled copies of the model to S3; they are as sensitive as the model.")
}
