package rules

// CompilationJobCMK checks every key slot of compilation-job resources.
func CompilationJobCMK() Rule {
	return cmkRule("compilation-job",
		"Compiled model artifacts are the model itself; without a key they sit in S3 under the AWS-managed aws/s3 key.")
}
