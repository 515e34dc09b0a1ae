package rules

// FeatureGroupCMK checks every key slot of feature-group resources.
func FeatureGroupCMK() Rule {
	return cmkRule("feature-group",
		"Feature stores hold curated, joinable features about customers; the online store and the offline S3 store each need a key you control.")
}
