package inventory

// AccountIAM is what a source learned about the IAM roles of one account:
// the roles that resources of the inventory run as, with every identity
// policy and permissions boundary that applies to them. Key-access checks
// read it to decide whether a workload's role may use its key when the key
// policy delegates to IAM.
type AccountIAM struct {
	Account string `json:"account"`
	// Roles are the execution roles of scanned resources that exist in the
	// account, by ARN order. A role named by a resource but missing here,
	// while Unknown is empty, does not exist.
	Roles []Role `json:"roles,omitempty"`
	// Unknown is why the account's roles and policies could not be read
	// (access denied); every key-access verdict that depends on them is
	// ERROR with this reason, never PASS.
	Unknown string `json:"unknown,omitempty"`
}

// Role is one IAM role with the policies that decide what it may do.
type Role struct {
	ARN  string            `json:"arn"`
	Name string            `json:"name"`
	Tags map[string]string `json:"tags,omitempty"`
	// Policies are the role's identity policies: inline ones and the
	// attached managed ones (customer- or AWS-managed).
	Policies []PolicyDocument `json:"policies,omitempty"`
	// Boundary is the permissions boundary, when the role has one.
	Boundary *PolicyDocument `json:"boundary,omitempty"`
}

// PolicyDocument is one IAM policy as JSON, with where it came from.
type PolicyDocument struct {
	// Name is the inline policy name or the managed policy's name.
	Name string `json:"name"`
	// ARN is set for managed policies.
	ARN string `json:"arn,omitempty"`
	// Document is the policy JSON, URL-decoded. Empty with Unknown set when
	// the document of an attached policy could not be found.
	Document string `json:"document,omitempty"`
	Unknown  string `json:"unknown,omitempty"`
}

// IAMFor returns the IAM facts of account, if a source recorded them.
func (inv Inventory) IAMFor(account string) (AccountIAM, bool) {
	for _, a := range inv.IAM {
		if a.Account == account {
			return a, true
		}
	}
	return AccountIAM{}, false
}

// Role returns the role with the given ARN.
func (a AccountIAM) Role(arn string) (Role, bool) {
	for _, r := range a.Roles {
		if r.ARN == arn {
			return r, true
		}
	}
	return Role{}, false
}
