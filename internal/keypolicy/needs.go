package keypolicy

import (
	"slices"

	"github.com/sagekey/sagekey/internal/catalog"
)

// Needs are the KMS actions the catalog says execution roles need on a
// key (every slot of every kind that runs as a role), sorted and split by
// the statement that grants them.
type Needs struct {
	// Use: cryptographic and read actions, granted as the slots need them.
	Use []string
	// CreateGrant is kms:CreateGrant when some slot needs it: granted only
	// with kms:GrantIsForAWSResource, so a role can hand the key to the
	// AWS resources a service builds for it and to nobody else.
	CreateGrant []string
	// Manage are the other grant operations (list, retire, revoke), which
	// the feature store's online store needs. kms:GrantIsForAWSResource is
	// documented only for CreateGrant, ListGrants and RevokeGrant and never
	// set on RetireGrant, so they are constrained by the service that calls
	// them instead: ManageVia, empty when some slot needs them from a
	// direct call (then they are not constrained).
	Manage    []string
	ManageVia []string
}

// grantManagement are the grant operations other than CreateGrant.
var grantManagement = []string{"kms:ListGrants", "kms:RetireGrant", "kms:RevokeGrant"}

// UserNeeds reads the needs from the catalog, so a slot whose profile
// changes there changes the generated policy too.
func UserNeeds() Needs {
	var n Needs
	direct := false
	for _, k := range catalog.Kinds() {
		if k.RoleField == "" {
			continue
		}
		for _, s := range k.Slots {
			for _, a := range s.Access.Actions {
				switch {
				case a == "kms:CreateGrant":
					n.CreateGrant = addSorted(n.CreateGrant, a)
				case slices.Contains(grantManagement, a):
					n.Manage = addSorted(n.Manage, a)
					if s.Access.ViaService == "" {
						direct = true
					} else {
						n.ManageVia = addSorted(n.ManageVia, s.Access.ViaService)
					}
				default:
					n.Use = addSorted(n.Use, a)
				}
			}
		}
	}
	if direct {
		n.ManageVia = nil
	}
	return n
}

// viaPatterns are the kms:ViaService values of services in any region of
// the commercial, GovCloud and China partitions: the policy does not know
// its partition (IaC writers pass the root as an expression).
func viaPatterns(services []string) []string {
	var out []string
	for _, s := range services {
		out = append(out, s+".*.amazonaws.com", s+".*.amazonaws.com.cn")
	}
	return out
}

func addSorted(list []string, s string) []string {
	if i, found := slices.BinarySearch(list, s); !found {
		list = slices.Insert(list, i, s)
	}
	return list
}
