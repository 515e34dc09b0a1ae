package rules

// UserProfileCMK checks every key slot of user-profile resources.
func UserProfileCMK() Rule {
	return cmkRule("user-profile",
		"A user profile can override the domain's sharing and Canvas S3 locations and keys; an override without a key undoes the domain's protection.")
}
