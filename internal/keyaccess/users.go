package keyaccess

import (
	"sort"
	"strings"

	"github.com/sagekey/sagekey/internal/iampolicy"
	"github.com/sagekey/sagekey/internal/keys"
)

// adminActions are the key-administration actions that make a principal an
// administrator: any of them (directly or through a wildcard such as
// kms:Put* or kms:*) lets it change who may use the key or destroy it.
var adminActions = []string{
	"kms:PutKeyPolicy", "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion",
	"kms:UpdateKeyDescription", "kms:UpdateAlias", "kms:UpdatePrimaryRegion",
	"kms:DisableKey", "kms:DisableKeyRotation", "kms:DeleteAlias", "kms:DeleteImportedKeyMaterial",
}

// Users lists every principal that an Allow statement of the key policy or
// a grant lets perform any of UsageActions on the key, merged per principal
// as written (an account ID and its root ARN stay two entries), sorted by
// principal. It reads principals only: conditions (kms:ViaService,
// kms:CallerAccount, ...) narrow a statement but do not take the principal
// off the list, and the source names them. Deny statements are not
// subtracted. keyARN decides Root (the key's own account) and statements
// whose Resource cannot be the key; it may be empty.
func Users(keyPolicy string, grants []keys.Grant, keyARN string) ([]KeyUser, error) {
	doc, err := iampolicy.Parse([]byte(keyPolicy))
	if err != nil {
		return nil, err
	}
	keyAccount := accountOf(keyARN)
	byPrincipal := map[string]*KeyUser{}
	get := func(p string) *KeyUser {
		u := byPrincipal[p]
		if u == nil {
			u = &KeyUser{Principal: p, Root: isRootOf(p, keyAccount), Service: isService(p)}
			byPrincipal[p] = u
		}
		return u
	}
	admins := map[string]bool{}
	for _, st := range doc.Statement {
		if st.Effect == iampolicy.Allow && coversKey(st, keyARN) && anyAction(st, adminActions) {
			for _, p := range statementPrincipals(st) {
				admins[p.name] = true
			}
		}
	}
	for i, st := range doc.Statement {
		if st.Effect != iampolicy.Allow || !coversKey(st, keyARN) {
			continue
		}
		actions := usage(func(a string) bool { return st.AppliesToAction(a) })
		if len(actions) == 0 {
			continue
		}
		source := "key policy statement " + statementLabel(st, i)
		if len(st.NotPrincipal) > 0 {
			source += " (NotPrincipal)"
		}
		if condKeys := st.ConditionKeys(); len(condKeys) > 0 {
			source += " (if " + strings.Join(condKeys, ", ") + ")"
		}
		for _, p := range statementPrincipals(st) {
			u := get(p.name)
			u.Service = u.Service || p.service
			u.add(actions, source)
		}
	}
	for _, g := range grants {
		actions := usage(func(a string) bool { return containsFold(g.Operations, strings.TrimPrefix(a, "kms:")) })
		if len(actions) == 0 || g.Grantee == "" {
			continue
		}
		source := "grant " + g.ID
		if g.Constrained {
			source += " (encryption-context constraint)"
		}
		get(g.Grantee).add(actions, source)
	}
	out := make([]KeyUser, 0, len(byPrincipal))
	for _, u := range byPrincipal {
		u.Admin = admins[u.Principal]
		sort.Strings(u.Actions)
		sort.Strings(u.Sources)
		out = append(out, *u)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Principal < out[j].Principal })
	return out, nil
}

func (u *KeyUser) add(actions []string, source string) {
	for _, a := range actions {
		if !containsFold(u.Actions, a) {
			u.Actions = append(u.Actions, a)
		}
	}
	if !containsFold(u.Sources, source) {
		u.Sources = append(u.Sources, source)
	}
}

// usage returns the usage actions ok accepts.
func usage(ok func(action string) bool) []string {
	var out []string
	for _, a := range UsageActions() {
		if ok(a) {
			out = append(out, a)
		}
	}
	return out
}

func anyAction(st iampolicy.Statement, actions []string) bool {
	for _, a := range actions {
		if st.AppliesToAction(a) {
			return true
		}
	}
	return false
}

// coversKey leaves out only statements whose Resource certainly is not the
// key; a policy variable in it counts as covering.
func coversKey(st iampolicy.Statement, keyARN string) bool {
	return keyARN == "" || st.AppliesToResource(keyARN, nil).Truth != iampolicy.False
}

type principal struct {
	name    string
	service bool
}

// statementPrincipals are the principals an Allow statement reaches: its
// AWS and service principals, or "*" for a NotPrincipal (everyone but the
// listed ones) and for the wildcard principal.
func statementPrincipals(st iampolicy.Statement) []principal {
	if len(st.NotPrincipal) > 0 {
		return []principal{{name: "*"}}
	}
	var out []principal
	for _, p := range st.Principal.AWSValues() {
		out = append(out, principal{name: p})
	}
	for _, p := range st.Principal["Service"] {
		out = append(out, principal{name: p, service: true})
	}
	return out
}

// isService: a service principal ("sagemaker.amazonaws.com"), or a
// service-linked role, through which AWS services use a key on a
// customer's behalf.
func isService(p string) bool {
	if !strings.HasPrefix(p, "arn:") {
		return strings.Contains(p, ".")
	}
	return strings.Contains(p, ":role/aws-service-role/")
}

// isRootOf: the account itself, as an ID or its root ARN.
func isRootOf(p, account string) bool {
	if account == "" {
		return false
	}
	if p == account {
		return true
	}
	parts := strings.SplitN(p, ":", 6)
	return len(parts) == 6 && parts[0] == "arn" && parts[2] == "iam" && parts[4] == account && parts[5] == "root"
}
