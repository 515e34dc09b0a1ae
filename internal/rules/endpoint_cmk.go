package rules

// EndpointCMK judges endpoints through the configuration they run, including
// a pending configuration during an update.
func EndpointCMK() Rule {
	return cmkRule("endpoint",
		"DescribeEndpoint does not return the volume key; the keys live in the endpoint configuration the "+
			"endpoint runs. An endpoint whose configuration was deleted cannot be verified at all, which is "+
			"reported as ERROR rather than guessed.")
}
