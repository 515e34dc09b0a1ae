package rules

// ClusterCMK checks the root and secondary EBS volumes of every HyperPod
// instance group.
func ClusterCMK() Rule {
	return cmkRule("cluster",
		"HyperPod nodes keep checkpoints and datasets on EBS. Unless an instance group names a customer-managed "+
			"key for its root volume (RootVolume=true) and for each secondary volume, the volumes keep the default "+
			"AWS-owned key, and a group's key cannot be changed after creation.")
}
