package rules

// HyperParameterTuningJobCMK checks every key slot of hyper-parameter-tuning-job resources.
func HyperParameterTuningJobCMK() Rule {
	return cmkRule("hyper-parameter-tuning-job",
		"A tuning job launches many training jobs from its definitions; a definition without keys makes every child job non-compliant.")
}
