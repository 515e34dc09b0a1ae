package keypolicy

import (
	"slices"
	"strings"
	"testing"

	"github.com/sagekey/sagekey/internal/catalog"
	"github.com/sagekey/sagekey/internal/iampolicy"
	"github.com/sagekey/sagekey/internal/inventory"
	"github.com/sagekey/sagekey/internal/keyaccess"
)

const testKey = "arn:aws:kms:us-east-1:" + account + ":key/k"

// allowed evaluates one request of role against the built policy, the way
// the key-access checks do. The role has no IAM policies of its own and the
// key no grants, so only the key policy can allow.
func allowed(t *testing.T, doc iampolicy.Document, role, action, via string) keyaccess.Result {
	t.Helper()
	b, err := iampolicy.Minify(doc)
	if err != nil {
		t.Fatal(err)
	}
	return keyaccess.Evaluate(keyaccess.Request{Role: role, Action: action, KeyARN: testKey, ViaService: via},
		keyaccess.Facts{KeyPolicy: string(b), Role: &inventory.Role{ARN: role, Name: role[strings.LastIndex(role, "/")+1:]}})
}

// TestUsersGetExactlyWhatTheCatalogNeeds: every action a slot needs is
// allowed through the service the catalog names, and the users' statements
// allow no action the catalog does not list.
func TestUsersGetExactlyWhatTheCatalogNeeds(t *testing.T) {
	t.Parallel()
	p := params()
	doc := Build(p)
	user := p.Users[0]
	need := map[string]bool{}
	for _, k := range catalog.Kinds() {
		if k.RoleField == "" {
			continue
		}
		for _, s := range k.Slots {
			via := s.Access.ViaService + ".us-east-1.amazonaws.com"
			for _, a := range s.Access.Actions {
				need[a] = true
				if r := allowed(t, doc, user, a, via); r.Decision != keyaccess.Allowed {
					t.Errorf("%s %s: %s via %s is %s: %s", k.ID, s.ID, a, via, r.Decision, r.Reason)
				}
			}
		}
	}
	var granted []string
	for _, st := range doc.Statement {
		if st.Sid == SidRoot || st.Sid == SidAdmins {
			continue
		}
		for _, a := range st.Action {
			granted = append(granted, a)
			if !need[a] {
				t.Errorf("%s grants %s, which no slot needs", st.Sid, a)
			}
		}
	}
	for a := range need {
		if !slices.Contains(granted, a) {
			t.Errorf("no users statement grants %s", a)
		}
	}
}

// TestGrantOperationsOnlyThroughServices: a user calling KMS directly may
// not create, list, retire or revoke grants; the China partition's
// endpoints are covered as well.
func TestGrantOperationsOnlyThroughServices(t *testing.T) {
	t.Parallel()
	p := params()
	doc := Build(p)
	user := p.Users[0]
	for _, a := range []string{"kms:CreateGrant", "kms:ListGrants", "kms:RetireGrant", "kms:RevokeGrant"} {
		if r := allowed(t, doc, user, a, ""); r.Decision != keyaccess.Denied {
			t.Errorf("direct %s = %s (%s), want denied", a, r.Decision, r.Reason)
		}
		if r := allowed(t, doc, user, a, "sagemaker.cn-north-1.amazonaws.com.cn"); r.Decision != keyaccess.Allowed {
			t.Errorf("%s through SageMaker in China = %s (%s), want allowed", a, r.Decision, r.Reason)
		}
	}
	admin := p.Admins[0]
	for _, a := range []string{"kms:Decrypt", "kms:GenerateDataKey", "kms:Encrypt"} {
		if r := allowed(t, doc, admin, a, "s3.us-east-1.amazonaws.com"); r.Decision == keyaccess.Allowed {
			t.Errorf("administrator may %s: %s", a, r.Reason)
		}
	}
}

func TestUserNeeds(t *testing.T) {
	t.Parallel()
	n := UserNeeds()
	if !slices.Equal(n.CreateGrant, []string{"kms:CreateGrant"}) {
		t.Errorf("CreateGrant = %v", n.CreateGrant)
	}
	if !slices.Equal(n.Manage, grantManagement) || !slices.Equal(n.ManageVia, []string{"sagemaker"}) {
		t.Errorf("Manage = %v via %v, want %v via sagemaker (the online store)", n.Manage, n.ManageVia, grantManagement)
	}
	for _, a := range n.Use {
		if a == "kms:CreateGrant" || slices.Contains(grantManagement, a) {
			t.Errorf("Use holds the grant operation %s", a)
		}
	}
	if !slices.IsSorted(n.Use) || !slices.Contains(n.Use, "kms:Decrypt") || !slices.Contains(n.Use, "kms:GenerateDataKey") {
		t.Errorf("Use = %v", n.Use)
	}
}
