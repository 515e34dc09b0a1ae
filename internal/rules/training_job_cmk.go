package rules

// TrainingJobCMK checks the volume and output keys of training jobs.
func TrainingJobCMK() Rule {
	return cmkRule("training-job",
		"Training jobs read regulated training data onto their ML volumes and write model artifacts to S3. "+
			"Both need a key you control: without one the volume uses a transient key and the artifacts the "+
			"AWS-managed aws/s3 key. Instance types with local NVMe storage cannot take a volume key and are "+
			"judged on the output key alone.")
}
