package rules

// EdgePackagingJobCMK checks every key slot of edge-packaging-job resources.
func EdgePackagingJobCMK() Rule {
	return cmkRule("edge-packaging-job",
		"Edge packages hold the compiled model shipped to devices; both the S3 output and the job's own volume (ResourceKey) need a key you control.")
}
