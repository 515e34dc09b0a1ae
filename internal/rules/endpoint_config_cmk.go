package rules

// EndpointConfigCMK checks every key slot of endpoint configurations: the
// hosting volume, data capture, async output and core dumps.
func EndpointConfigCMK() Rule {
	return cmkRule("endpoint-config",
		"Endpoint configurations decide how model volumes, captured inference payloads (often personal data), "+
			"async results and core dumps are encrypted for every endpoint that uses them. Peers check only the "+
			"top-level key; captured payloads and async outputs leak just as easily.")
}
