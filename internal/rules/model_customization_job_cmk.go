package rules

// ModelCustomizationJobCMK checks the output key of CreateJob jobs.
func ModelCustomizationJobCMK() Rule {
	return cmkRule("model-customization-job",
		"Model customization jobs (reinforcement fine-tuning and its evaluations) write tuned model weights and "+
			"evaluation data to S3. The key sits in a JSON document with an unpublished schema; when no key field "+
			"can be found the job is reported as unverifiable, never as passing.")
}
