package rules

// PartnerAppCMK checks every key slot of partner-app resources.
func PartnerAppCMK() Rule {
	return cmkRule("partner-app",
		"Partner AI apps (such as MLflow or labeling tools) keep their own data; KmsKeyId decides who controls it.")
}
