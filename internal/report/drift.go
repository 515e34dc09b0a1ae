package report

// Drift is a difference between infrastructure as code and the deployed
// estate, found by `sagekey iac` against a stored scan.
type Drift struct {
	// Kind is DriftNotDeployed or DriftUndeclared.
	Kind string `json:"kind"`
	// ResourceKind and Name identify the resource on both sides.
	ResourceKind string `json:"resource_kind"`
	Name         string `json:"name"`
	// ARN is the deployed resource, when there is one; Address the code's.
	ARN     string `json:"arn,omitempty"`
	Address string `json:"address,omitempty"`
	Message string `json:"message"`
}

// Kinds of drift.
const (
	// DriftNotDeployed: the code has a customer-managed key where the
	// deployed resource has none (or an unhealthy one).
	DriftNotDeployed = "fixed-in-code-not-deployed"
	// DriftUndeclared: a deployed resource of a kind the code declares has
	// no definition in the code.
	DriftUndeclared = "not-in-code"
)
