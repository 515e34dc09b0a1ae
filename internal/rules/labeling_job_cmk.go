package rules

// LabelingJobCMK checks every key slot of labeling-job resources.
func LabelingJobCMK() Rule {
	return cmkRule("labeling-job",
		"Labeling jobs write annotated, frequently personal data to S3, and automated labeling trains models on volumes of its own.")
}
