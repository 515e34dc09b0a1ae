package rules

// DomainCMK checks every key slot of domain resources.
func DomainCMK() Rule {
	return cmkRule("domain",
		"The domain key encrypts every user's EFS home directory and every space's EBS volume in Studio, where notebooks, data extracts and credentials live; notebook sharing and Canvas write to S3 with their own keys.")
}
