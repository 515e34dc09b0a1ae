package remediate

import (
	"fmt"
	"slices"
	"strings"

	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/iampolicy"
	"github.com/sagekey/sagekey/internal/inventory"
)

// accessFix is what one policy gets: a key policy (role fixes that are not
// delegated) or one inline policy of a role (delegated fixes).
type accessFix struct {
	keyARN string
	role   string // "" for a key-policy fix
	roles  []string
	stmts  []iampolicy.Statement
}

// keyAccessItem fixes a <kind>.key-access finding: for each failing (role,
// key) pair, the smallest statements that let the role do what it is
// missing, in the key policy, or in the role's own policy when the key
// policy delegates to IAM (then a key-policy statement would widen the key
// policy for something IAM already decides). What no Allow can fix (an
// explicit Deny, a permissions boundary, a role that does not exist) is a
// warning: those need a person's judgement, not an automatic edit.
func (b *builder) keyAccessItem(it *Item, f finding.Finding) {
	it.Strategy = "key-access-grant"
	var fixes []*accessFix
	fixFor := func(keyARN, role string) *accessFix {
		for _, x := range fixes {
			if x.keyARN == keyARN && x.role == role {
				return x
			}
		}
		x := &accessFix{keyARN: keyARN, role: role}
		fixes = append(fixes, x)
		return x
	}
	for _, a := range f.Access {
		if a.Status == finding.Pass {
			continue
		}
		role := b.roleARN(a.Role)
		fix := b.accessWarnings(it, a, role)
		if len(fix) == 0 {
			continue
		}
		var x *accessFix
		var stmts []iampolicy.Statement
		if a.Delegated {
			x = fixFor(a.KeyARN, role)
			stmts = accessStatements(iamSid, role, a.KeyARN, a.ViaService, fix, true)
		} else {
			x = fixFor(a.KeyARN, "")
			stmts = accessStatements(accessSid(role), role, a.KeyARN, a.ViaService, fix, false)
			if acct := iampolicy.PrincipalAccount(role); acct != "" && acct != keyAccount(a.KeyARN) {
				it.Warnings = append(it.Warnings, fmt.Sprintf("Role %s is in account %s, not the key's: access from another "+
					"account needs its IAM policies to allow %s on %s as well, and kms-key.policy will report the key "+
					"policy's grant to account %s.", role, acct, strings.Join(fix, ", "), a.KeyARN, acct))
			}
		}
		x.stmts = append(x.stmts, stmts...)
		if !slices.Contains(x.roles, role) {
			x.roles = append(x.roles, role)
		}
	}
	it.Summary = accessSummary(fixes)
	var diffs []string
	for i, x := range fixes {
		suffix := ""
		if len(fixes) > 1 {
			suffix = fmt.Sprintf("-%d", i+1)
		}
		if x.role == "" {
			diffs = append(diffs, b.keyPolicyFix(it, x, suffix))
		} else {
			diffs = append(diffs, b.rolePolicyFix(it, f, x, suffix))
		}
	}
	it.PolicyDiff = strings.Join(diffs, "")
	it.Steps = append(it.Steps, Step{
		Title: "Verify with a re-scan",
		Why: f.CheckID + " must now PASS for the resource. IAM changes can take a few seconds to apply; " +
			"re-run the scan if the first one still fails.",
		Commands: []Command{verifyScanCommand(f.Resource.Region, f.CheckID, f.Resource.Kind, f.Resource.Name)},
	})
}

// accessWarnings states why the actions of a that no Allow can fix are
// denied, and what could not be verified; it returns the actions an Allow
// fixes.
func (b *builder) accessWarnings(it *Item, a finding.Access, role string) []string {
	reasons := actionReasons(a)
	var fix []string
	blocked := map[string][]string{} // reason → actions
	var order []string
	for _, act := range a.Missing {
		r := reasons[act]
		if blocker(r) == "" {
			fix = append(fix, act)
			continue
		}
		if _, seen := blocked[r]; !seen {
			order = append(order, r)
		}
		blocked[r] = append(blocked[r], act)
	}
	on := func(acts string) string { return "Role " + role + " may not " + acts + " on key " + a.KeyARN }
	for _, r := range order {
		acts := strings.Join(blocked[r], ", ")
		switch blocker(r) {
		case "deny":
			it.Warnings = append(it.Warnings, on(acts)+": "+r+". No Allow overrides an explicit Deny: "+
				"remove that statement or narrow it (a condition or principal that leaves this role out) once you know "+
				"why it was added. sagekey does not change it.")
		case "boundary":
			it.Warnings = append(it.Warnings, on(acts)+": "+r+". The boundary caps every policy of the "+
				"role: allow these actions on the key in it, or no statement can take effect.")
		default:
			it.Warnings = append(it.Warnings, "Role "+role+" does not exist: point the resource at an existing role or "+
				"recreate it. KMS rejects a key policy that names a role that does not exist, so no statement is proposed for it.")
		}
	}
	if len(a.Unverified) > 0 {
		it.Warnings = append(it.Warnings, fmt.Sprintf("For role %s on key %s, sagekey could not decide %s (%s): "+
			"the re-scan will tell whether they still need a fix.", role, a.KeyARN, strings.Join(a.Unverified, ", "),
			unverifiedReasons(a, reasons)))
	}
	return fix
}

func unverifiedReasons(a finding.Access, reasons map[string]string) string {
	var out []string
	for _, act := range a.Unverified {
		if r := reasons[act]; r != "" && !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	if len(out) == 0 {
		return "no reason recorded"
	}
	return strings.Join(out, "; ")
}

func accessSummary(fixes []*accessFix) string {
	if len(fixes) == 0 {
		return "Nothing an added Allow can fix: an explicit Deny, a permissions boundary or a missing role blocks the " +
			"access (see the warnings)."
	}
	var parts []string
	for _, x := range fixes {
		if x.role == "" {
			parts = append(parts, fmt.Sprintf("add %d statement(s) for %s to the policy of key %s", len(x.stmts),
				strings.Join(x.roles, ", "), x.keyARN))
		} else {
			parts = append(parts, fmt.Sprintf("add %d statement(s) on key %s to an inline policy of role %s (the key "+
				"policy delegates to IAM)", len(x.stmts), x.keyARN, x.role))
		}
	}
	return "Let the execution roles perform the KMS actions they are missing, each only through the service that " +
		"calls KMS for them: " + strings.Join(parts, "; ") + "."
}

// keyPolicyFix adds the steps that merge x's statements into the key
// policy, and returns the diff of the stored policy.
func (b *builder) keyPolicyFix(it *Item, x *accessFix, suffix string) string {
	region := keyRegion(x.keyARN)
	rg, key := q(region), q(x.keyARN)
	cur, add, out := "current-key-policy"+suffix+".json", "key-access-statements"+suffix+".json", "proposed-key-policy"+suffix+".json"
	it.Preconditions = append(it.Preconditions, "You may change the policy of key "+x.keyARN+
		" (kms:GetKeyPolicy and kms:PutKeyPolicy; its administrators can).")
	it.Steps = append(it.Steps, Step{
		Title: "Save the current policy of key " + x.keyARN,
		Why:   "It is the rollback, and the statements are merged into it as it is now, not as the scan saw it.",
		Commands: []Command{sh(fmt.Sprintf("aws kms get-key-policy --region %s --key-id %s --policy-name default "+
			"--query Policy --output text > %s", rg, key, cur))},
	}, Step{
		Title: "Add the statements to the key policy",
		Why: "Only the statements below are added (a statement an earlier plan added for the same role and service is " +
			"widened instead). Review the diff first; KMS refuses a policy that would lock the caller out.",
		Commands: []Command{{Lang: LangShell, Confirm: true, Prompt: "Add statements for " + strings.Join(x.roles, ", ") +
			" to the key policy of " + x.keyARN + "?",
			Text: mergeCommand(x.stmts, cur, add, out) + fmt.Sprintf("aws kms put-key-policy --region %s --key-id %s "+
				"--policy-name default --policy file://%s", rg, key, out)}},
	})
	k, known := b.keys[x.keyARN]
	doc, err := iampolicy.Parse([]byte(k.Policy))
	if !known || k.Policy == "" || err != nil {
		it.Warnings = append(it.Warnings, "The policy of key "+x.keyARN+" was not read by the scan, so no diff is shown: "+
			"the command merges the statements into the live policy.")
		return ""
	}
	return unifiedDiff("current key policy of "+x.keyARN, "proposed key policy of "+x.keyARN,
		normalizedPolicy(k.Policy), sortedJSON(mergeStatements(doc, x.stmts)))
}

// rolePolicyFix adds the steps that merge x's statements into the role's
// sagekey inline policy for the key, and returns the diff.
func (b *builder) rolePolicyFix(it *Item, f finding.Finding, x *accessFix, suffix string) string {
	name, policy := roleName(x.role), "sagekey-key-access-"+roleName(x.keyARN)
	cur, add, out := "current-role-policy"+suffix+".json", "role-statements"+suffix+".json", "proposed-role-policy"+suffix+".json"
	it.Preconditions = append(it.Preconditions, "You may change role "+x.role+" (iam:GetRolePolicy and iam:PutRolePolicy).")
	if acct := iampolicy.PrincipalAccount(x.role); acct != "" && acct != f.Resource.Account {
		it.Preconditions = append(it.Preconditions, "Credentials for account "+acct+", the role's, for its IAM steps.")
	}
	it.Steps = append(it.Steps, Step{
		Title: "Save the inline policy " + policy + " of role " + name + ", if it has one",
		Why: "put-role-policy replaces an inline policy of the same name, so the statements are merged into it; it is " +
			"also the rollback (delete-role-policy when there was none). NoSuchEntity here means there was none.",
		Commands: []Command{sh(fmt.Sprintf("if ! aws iam get-role-policy --role-name %s --policy-name %s --query PolicyDocument "+
			"--output json > %s; then\n  echo '{}' > %s\nfi", q(name), q(policy), cur, cur))},
	}, Step{
		Title: "Add the statements to role " + name,
		Why: "The key policy lets IAM policies of the role's account grant these actions, so the fix belongs to the " +
			"role, limited to this key and to the service that calls KMS for it.",
		Commands: []Command{{Lang: LangShell, Confirm: true, Prompt: "Allow role " + x.role + " to use key " + x.keyARN + "?",
			Text: mergeCommand(x.stmts, cur, add, out) + fmt.Sprintf("aws iam put-role-policy --role-name %s --policy-name %s "+
				"--policy-document file://%s", q(name), q(policy), out)}},
	})
	before, doc := "", iampolicy.Document{Version: iampolicy.Version}
	if text, ok := b.inlinePolicy(x.role, policy); ok {
		if d, err := iampolicy.Parse([]byte(text)); err == nil {
			before, doc = normalizedPolicy(text), d
		}
	}
	from := "/dev/null"
	if before != "" {
		from = "current inline policy " + policy + " of role " + x.role
	}
	return unifiedDiff(from, "inline policy "+policy+" of role "+x.role, before, sortedJSON(mergeStatements(doc, x.stmts)))
}

// mergeCommand writes the statements to add and merges them into cur.
func mergeCommand(stmts []iampolicy.Statement, cur, add, out string) string {
	return fmt.Sprintf("cat > %s <<'JSON'\n%sJSON\npython3 - %s %s %s <<'PY'\n%sPY\n", add, sortedJSON(stmts), cur, add, out, mergePy)
}

// roleARN is the role's ARN as IAM has it (with its path) when the scan
// read the role, so the statements name the principal KMS will match.
func (b *builder) roleARN(role string) string {
	if r, ok := b.role(role); ok {
		return r.ARN
	}
	return role
}

// inlinePolicy is the document of the role's inline policy name, when the
// scan read it.
func (b *builder) inlinePolicy(role, name string) (string, bool) {
	r, ok := b.role(role)
	if !ok {
		return "", false
	}
	for _, p := range r.Policies {
		if p.Name == name && p.ARN == "" && p.Document != "" {
			return p.Document, true
		}
	}
	return "", false
}

func (b *builder) role(arn string) (inventory.Role, bool) {
	iam, ok := b.in.Inventory.IAMFor(iampolicy.PrincipalAccount(arn))
	if !ok {
		return inventory.Role{}, false
	}
	if r, ok := iam.Role(arn); ok {
		return r, true
	}
	for _, r := range iam.Roles {
		if r.Name == roleName(arn) {
			return r, true
		}
	}
	return inventory.Role{}, false
}

func keyAccount(keyARN string) string { return partAt(keyARN, 4) }
func keyRegion(keyARN string) string  { return partAt(keyARN, 3) }

func partAt(arn string, i int) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return ""
	}
	return parts[i]
}
