package rules

// ProcessingJobCMK checks every key slot of processing-job resources.
func ProcessingJobCMK() Rule {
	return cmkRule("processing-job",
		"Processing jobs read raw, often regulated data onto their volumes and write derived datasets to S3; Athena and Redshift inputs stage query results in S3 too. Each needs a key you control.")
}
