package rules

// NotebookInstanceCMK checks the ML storage volume of notebook instances.
func NotebookInstanceCMK() Rule {
	return cmkRule("notebook-instance",
		"The notebook's ML volume holds code, data and credentials users saved. Without a customer-managed key "+
			"it is encrypted with a system-managed key you cannot rotate, audit, restrict or crypto-shred, and the "+
			"key cannot be added later.")
}
