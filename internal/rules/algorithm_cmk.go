package rules

// AlgorithmCMK checks every key slot of algorithm resources.
func AlgorithmCMK() Rule {
	return cmkRule("algorithm",
		"An algorithm's validation profiles run training and transform jobs; their volumes and outputs need keys like any other job.")
}
