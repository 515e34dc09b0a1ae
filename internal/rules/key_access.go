package rules

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/sagekey/sagekey/internal/catalog"
	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/inventory"
	"github.com/sagekey/sagekey/internal/keyaccess"
	"github.com/sagekey/sagekey/internal/keys"
)

// The <kind>.key-access rules: one per kind that runs as an execution role
// (catalog Kind.RoleField). They are one family with one judgement, so they
// are built from the catalog here rather than written out per kind: what
// differs between kinds (the role field, each slot's KMS actions and the
// service that calls KMS) is catalog data.
//
// A resource PASSes when every (role, key) pair may perform every action its
// slots need; it FAILs when any action is denied, naming the role, the key,
// the missing actions and why; it is ERROR when an answer depends on a fact
// sagekey could not read or a condition it cannot know; NOT_APPLICABLE when
// it has no role or no customer-managed key.

func keyAccessRules() []Rule {
	var out []Rule
	for _, k := range catalog.Kinds() {
		if k.RoleField != "" {
			out = append(out, keyAccessRule(k))
		}
	}
	return out
}

func keyAccessRule(kind catalog.Kind) Rule {
	rule := Rule{
		ID: kind.ID + ".key-access", Kind: kind.ID,
		Title:    kind.Title + ": the execution role may use its customer-managed keys",
		Severity: finding.High,
		Rationale: "A resource can name a healthy customer-managed key and still be broken: when the role it runs as (" +
			kind.RoleField + ") may not use the key, the next start, job, scale-out or node replacement fails with " +
			"an access denial. Key policies that forget the workload's role are the most common CMK mistake. The KMS " +
			"actions each slot needs, with their AWS sources, are listed in docs/key-access.md.",
		Remediation: "Allow the execution role the missing KMS actions: add a statement to the key policy naming the role " +
			"(with kms:ViaService for the calling service), or, when the key policy delegates to IAM, add the actions " +
			"on the key ARN to the role's policy; remove any explicit Deny that matches. `sagekey remediate` prints " +
			"the statement as a diff.",
		Examples: keyAccessExamples(kind),
	}
	meta := rule
	rule.CheckResource = func(c *Context, r inventory.Resource) finding.Finding {
		return judgeKeyAccess(c, meta, kind, r)
	}
	return rule
}

// keyNeed is what the slots using one key through one service need from
// one role.
type keyNeed struct {
	role    string
	key     *keys.Key
	via     string
	actions []string
	slots   []string
}

func judgeKeyAccess(c *Context, rule Rule, kind catalog.Kind, r inventory.Resource) finding.Finding {
	f := rule.newFinding(resourceOf(r))
	needs, unverified, cmkSlots := keyNeeds(c, kind, r)
	switch {
	case cmkSlots == 0 && len(unverified) == 0:
		// Whatever the role, there is no key of the customer's to use.
		f.Status, f.Message = finding.NotApplicable, "no slot uses a customer-managed key"
		return f
	case r.RolesUnknown != "":
		f.Status, f.Message = finding.Error, "execution role could not be read: "+r.RolesUnknown
		return f
	case len(needs) == 0 && len(unverified) == 0:
		f.Status, f.Message = finding.NotApplicable, "the resource runs as no execution role"
		return f
	}
	for _, n := range needs {
		f.Access = append(f.Access, judgePair(c, n.role, n, r.Region))
	}
	f.Status, f.Message = combineAccess(f.Access, unverified, c.DenialWindow)
	return f
}

// keyNeeds groups the resource's slots by the role that uses them, the
// customer-managed key they use and the service that calls KMS for them: a
// slot is used by its own Role when it names one (a HyperPod instance group,
// a pipeline step), else by every execution role of the resource. Slots
// whose key is unknown are returned as reasons: they make the verdict ERROR
// at best.
func keyNeeds(c *Context, kind catalog.Kind, r inventory.Resource) (needs []*keyNeed, unverified []string, cmkSlots int) {
	for _, s := range r.Slots {
		label := s.Label
		if label == "" {
			label = s.Name
		}
		if s.Unknown != "" {
			unverified = append(unverified, label+": "+s.Unknown)
			continue
		}
		if s.KeyRef == "" {
			continue
		}
		ref := keys.ParseRef(s.KeyRef, r.Account, r.Region)
		if ref.AWSManagedAlias() {
			continue
		}
		k, ok := c.Keys.Get(ref.Canonical())
		switch {
		case !ok:
			unverified = append(unverified, fmt.Sprintf("%s: key %s was not resolved", label, s.KeyRef))
			continue
		case k.NotFound || k.Manager == keys.ManagerAWS:
			continue // the cmk rule fails these; no policy of the customer's to judge
		case k.Error != "" || k.Manager == keys.ManagerUnknown:
			unverified = append(unverified, fmt.Sprintf("%s: key %s could not be described: %s", label, s.KeyRef, k.Error))
			continue
		}
		cmkSlots++
		spec, _ := kind.Slot(s.Type)
		if len(spec.Access.Actions) == 0 {
			unverified = append(unverified, label+": sagekey does not know which KMS actions this slot needs")
			continue
		}
		roles := r.ExecutionRoles
		if s.Role != "" {
			roles = []string{s.Role}
		}
		for _, role := range roles {
			n := findNeed(needs, role, k.ARN, spec.Access.ViaService)
			if n == nil {
				n = &keyNeed{role: role, key: k, via: spec.Access.ViaService}
				needs = append(needs, n)
			}
			for _, a := range spec.Access.Actions {
				if !slices.Contains(n.actions, a) {
					n.actions = append(n.actions, a)
				}
			}
			n.slots = append(n.slots, label)
		}
	}
	for _, n := range needs {
		sort.Strings(n.actions)
	}
	return needs, unverified, cmkSlots
}

func findNeed(needs []*keyNeed, role, arn, via string) *keyNeed {
	for _, n := range needs {
		if n.role == role && n.key.ARN == arn && n.via == via {
			return n
		}
	}
	return nil
}

// judgePair decides one (role, key) pair for every action it needs.
func judgePair(c *Context, role string, n *keyNeed, region string) finding.Access {
	via := viaServiceEndpoint(n.via, region)
	decided := c.accessMemo.get(role+"\x00"+n.key.ARN+"\x00"+via+"\x00"+strings.Join(n.actions, ","), func() finding.Access {
		return decidePair(c, role, n, via)
	})
	a := decided
	a.Slots = n.slots
	if c.KeyDenials != nil {
		a.Denials = c.KeyDenials[DenialKey(role, n.key.ARN)]
	}
	return a
}

// decidePair evaluates one (role, key, service) for its actions. Thousands
// of jobs share a few roles and keys, so judgePair memoises the answer.
func decidePair(c *Context, role string, n *keyNeed, via string) finding.Access {
	a := finding.Access{Role: role, KeyARN: n.key.ARN, Actions: n.actions, ViaService: via}
	facts := accessFacts(c, role, n.key)
	reasons := map[string][]string{} // reason → actions
	var order []string
	req := keyaccess.Request{Role: role, KeyARN: n.key.ARN, ViaService: a.ViaService}
	for _, res := range keyaccess.EvaluateActions(req, n.actions, facts) {
		action := res.Action
		switch res.Decision {
		case keyaccess.Allowed:
			continue
		case keyaccess.Denied:
			a.Missing = append(a.Missing, action)
			a.Delegated = a.Delegated || res.Delegated
		default:
			a.Unverified = append(a.Unverified, action)
		}
		if _, seen := reasons[res.Reason]; !seen {
			order = append(order, res.Reason)
		}
		reasons[res.Reason] = append(reasons[res.Reason], action)
	}
	parts := make([]string, 0, len(order))
	for _, reason := range order {
		parts = append(parts, strings.Join(reasons[reason], ", ")+": "+reason)
	}
	a.Reason = strings.Join(parts, "; ")
	switch {
	case len(a.Missing) > 0:
		a.Status = finding.Fail
	case len(a.Unverified) > 0:
		a.Status = finding.Error
	default:
		a.Status = finding.Pass
	}
	return a
}

// accessFacts gathers what keyaccess decides from: the key's policy and
// grants, and the role's policies when its account's IAM was read.
func accessFacts(c *Context, role string, k *keys.Key) keyaccess.Facts {
	f := keyaccess.Facts{KeyPolicy: k.Policy, PolicyUnknown: k.PolicyError}
	if f.KeyPolicy == "" && f.PolicyUnknown == "" {
		f.PolicyUnknown = "the key policy was not read"
	}
	switch {
	case k.GrantsRead:
		f.Grants = k.Grants
	case k.GrantsError != "":
		f.GrantsUnknown = "grants could not be read: " + k.GrantsError
	default:
		f.GrantsUnknown = "the key's grants were not read (kms:ListGrants)"
	}
	account := accountOfARN(role)
	iam, ok := c.IAM[account]
	switch {
	case !ok:
		f.RoleUnknown = fmt.Sprintf("the IAM roles of account %s were not read (account not scanned)", account)
	case iam.Unknown != "":
		f.RoleUnknown = fmt.Sprintf("the IAM roles of account %s could not be read: %s", account, iam.Unknown)
	default:
		if r, found := findRole(iam, role); found {
			f.Role = &r
		} else {
			f.RoleMissing = true
		}
	}
	return f
}

// findRole matches by ARN, then by name: SageMaker records the ARN it was
// given, which may omit the role's path.
func findRole(iam inventory.AccountIAM, arn string) (inventory.Role, bool) {
	if r, ok := iam.Role(arn); ok {
		return r, true
	}
	_, name := splitLast(arn, "/")
	for _, r := range iam.Roles {
		if r.Name == name {
			return r, true
		}
	}
	return inventory.Role{}, false
}

// accountOfARN returns the account field of an ARN.
func accountOfARN(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return ""
	}
	return parts[4]
}

// viaServiceEndpoint is the kms:ViaService value of a service's requests in
// a region (".amazonaws.com.cn" in the China partition).
func viaServiceEndpoint(service, region string) string {
	if service == "" {
		return ""
	}
	suffix := ".amazonaws.com"
	if keys.PartitionOf(region) == "aws-cn" {
		suffix += ".cn"
	}
	return service + "." + region + suffix
}

// combineAccess folds the pairs into the resource's verdict and message.
// window, when trail data is stored, is the period its denial counts cover.
func combineAccess(pairs []finding.Access, unverified []string, window string) (finding.Status, string) {
	var fails, errs []string
	for _, p := range pairs {
		what := fmt.Sprintf("role %s on key %s (%s)", p.Role, p.KeyARN, strings.Join(p.Slots, ", "))
		switch p.Status {
		case finding.Fail:
			msg := what + ": may not " + p.Reason
			if window != "" {
				msg += fmt.Sprintf(" [CloudTrail: %d KMS access denials of this role on this key in the %s]", p.Denials, window)
			}
			fails = append(fails, msg)
		case finding.Error:
			errs = append(errs, what+": "+p.Reason)
		}
	}
	errs = append(errs, unverified...)
	switch {
	case len(fails) > 0:
		return finding.Fail, fmt.Sprintf("%d of %d role/key pairs cannot use the key: %s", len(fails), len(pairs), strings.Join(fails, "; "))
	case len(errs) > 0:
		return finding.Error, "could not verify: " + strings.Join(errs, "; ")
	}
	return finding.Pass, fmt.Sprintf("every execution role may perform every KMS action its %d role/key pairs need", len(pairs))
}
