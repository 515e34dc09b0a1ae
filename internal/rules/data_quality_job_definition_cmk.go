package rules

// DataQualityJobDefinitionCMK checks every key slot of data-quality-job-definition resources.
func DataQualityJobDefinitionCMK() Rule {
	return cmkRule("data-quality-job-definition",
		"Model Monitor jobs copy captured inference payloads onto volumes and write reports and violations to S3.")
}
