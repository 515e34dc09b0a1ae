package finding

// Access is the verdict of a key-access check on one (execution role, key)
// pair of a resource: what the role needs for the slots that use the key,
// and what it may not do. Remediation plans write their statements from it.
type Access struct {
	Role   string `json:"role"`
	KeyARN string `json:"key_arn"`
	// Slots are the labels of the slots that use the key.
	Slots []string `json:"slots"`
	// ViaService is the service endpoint that calls KMS for the role.
	ViaService string `json:"via_service,omitempty"`
	Status     Status `json:"status"`
	// Actions are every KMS action the slots need; Missing are those the
	// role may not perform (FAIL), Unverified those that could not be
	// decided (ERROR).
	Actions    []string `json:"actions"`
	Missing    []string `json:"missing,omitempty"`
	Unverified []string `json:"unverified,omitempty"`
	Reason     string   `json:"reason,omitempty"`
	// Delegated: the key policy lets IAM grant these actions, so the fix
	// may go into the role's policy instead of the key policy.
	Delegated bool `json:"delegated,omitempty"`
	// Denials is how many KMS access denials CloudTrail recorded for this
	// role on this key in the trail window (sagekey trail), when known.
	Denials int `json:"denials,omitempty"`
}

// KeyPrincipal is a principal that may use a key although no resource the
// key protects runs as it (kms-key.least-privilege).
type KeyPrincipal struct {
	Principal string   `json:"principal"`
	Actions   []string `json:"actions"`
	// Sources are the key-policy statements and grants that allow it.
	Sources []string `json:"sources"`
}
