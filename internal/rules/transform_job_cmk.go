package rules

// TransformJobCMK checks every key slot of transform-job resources.
func TransformJobCMK() Rule {
	return cmkRule("transform-job",
		"Batch transform reads whole datasets onto its volumes and writes every prediction to S3, and may capture inputs and outputs; all of it is inference data about real subjects.")
}
