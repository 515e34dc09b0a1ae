package rules

// DeviceFleetCMK checks every key slot of device-fleet resources.
func DeviceFleetCMK() Rule {
	return cmkRule("device-fleet",
		"Device fleets upload sampled inference data from edge devices to S3.")
}
