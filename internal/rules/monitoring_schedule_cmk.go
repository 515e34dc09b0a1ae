package rules

// MonitoringScheduleCMK checks every key slot of monitoring-schedule resources.
func MonitoringScheduleCMK() Rule {
	return cmkRule("monitoring-schedule",
		"A schedule runs its inline job definition or a referenced one on every tick; it is judged through whichever it runs, and a deleted referenced definition cannot be verified.")
}
