package report

import "fmt"

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

// drift lists where the code and the deployed estate disagree.
func (p *tablePrinter) drift() {
	if len(p.r.Drift) == 0 {
		return
	}
	p.para("", "  ", fmt.Sprintf("CODE VS DEPLOYMENT: %s between this code and the stored scan:", plural(len(p.r.Drift), "difference")))
	for _, d := range p.r.Drift {
		subject := d.ResourceKind + "/" + d.Name
		if d.Address != "" {
			subject += " (" + d.Address + ")"
		}
		p.para("  - ", "    ", OneLine(subject)+": "+OneLine(d.Message))
	}
}
