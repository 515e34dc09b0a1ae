package remediate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/iampolicy"
	"github.com/sagekey/sagekey/internal/keypolicy"
	"github.com/sagekey/sagekey/internal/keys"
)

// keyPolicyItem proposes the least-privilege policy of internal/keypolicy
// for the key, as a diff against its current policy, with principals taken
// from the current policy unless Options name them.
func (b *builder) keyPolicyItem(it *Item, f finding.Finding, k keys.Key) {
	it.Strategy = "key-policy-least-privilege"
	it.Summary = "Replace the key policy with a least-privilege one: the account root keeps kms:*, administrators " +
		"manage but cannot use the key, users (execution roles) use it and grant it only to AWS resources."
	root := fmt.Sprintf("arn:%s:iam::%s:root", keys.PartitionOf(k.Region), k.Account)
	current, parseErr := iampolicy.Parse([]byte(k.Policy))
	admins, users, dropped := classifyPrincipals(current, k.Account, root)
	if parseErr != nil || k.Policy == "" {
		it.Warnings = append(it.Warnings, "The current policy could not be read; the proposal is built from the options alone.")
	}
	if len(b.o.KeyAdmins) > 0 {
		admins = b.o.KeyAdmins
	}
	if len(b.o.KeyUsers) > 0 {
		users = b.o.KeyUsers
	}
	if len(users) == 0 {
		it.Warnings = append(it.Warnings, "No key users were found or given (--key-user): only IAM policies, "+
			"through the root statement, would grant SageMaker roles the key. Name the execution roles before applying.")
	}
	for _, p := range intersect(admins, users) {
		it.Warnings = append(it.Warnings, p+" both manages and uses the key (it had kms:* or both kinds of "+
			"action); keep it in one role only if you can.")
	}
	if len(dropped) > 0 {
		it.Warnings = append(it.Warnings, "Not carried over: "+strings.Join(dropped, "; ")+". Add back any that "+
			"are still needed, restricted by conditions.")
	}
	proposed := keypolicy.Build(keypolicy.Params{Root: root, Admins: admins, Users: users})
	proposedJSON := sortedJSON(proposed)
	it.PolicyDiff = unifiedDiff("current key policy", "proposed key policy", normalizedPolicy(k.Policy), proposedJSON)
	rg, key := q(k.Region), q(k.ARN)
	it.Preconditions = append(it.Preconditions, "The administrators and users in the proposal are the right ones: "+
		"whoever is left out loses access to the key (the account root keeps it, so IAM policies still work).")
	it.Steps = append(it.Steps, Step{
		Title: "Save the current policy",
		Why:   "It is the rollback if something loses access.",
		Commands: []Command{sh(fmt.Sprintf("aws kms get-key-policy --region %s --key-id %s --policy-name default "+
			"--query Policy --output text > current-key-policy.json", rg, key))},
	}, Step{
		Title: "Apply the proposed policy",
		Why: "Review the diff first. KMS refuses a policy that would lock the caller out unless the lockout " +
			"safety check is bypassed; never bypass it.",
		Commands: []Command{{Lang: LangShell, Confirm: true, Prompt: "Replace the key policy of " + k.ARN + "?",
			Text: fmt.Sprintf("cat > proposed-key-policy.json <<'JSON'\n%sJSON\naws kms put-key-policy --region %s "+
				"--key-id %s --policy-name default --policy file://proposed-key-policy.json", proposedJSON, rg, key)}},
	}, Step{
		Title:    "Verify with a re-scan",
		Why:      "kms-key.policy must now PASS for the key; the <kind>.cmk checks of the resources it protects should not change.",
		Commands: []Command{verifyScanCommand(k.Region, f.CheckID, f.Resource.Kind, f.Resource.Name)},
	})
}

// classifyPrincipals sorts the same-account, non-root AWS principals of
// Allow statements into administrators (key-management actions) and users
// (cryptographic actions), and lists what the proposal leaves out.
func classifyPrincipals(d iampolicy.Document, account, root string) (admins, users, dropped []string) {
	for i, st := range d.Statement {
		name := st.Sid
		if name == "" {
			name = fmt.Sprintf("#%d", i+1)
		}
		if st.Effect != iampolicy.Allow {
			dropped = append(dropped, "statement "+name+" ("+st.Effect+")")
			continue
		}
		manage, use := actionKinds(st.Action)
		for typ, vals := range st.Principal {
			for _, p := range vals {
				switch {
				case typ == "*" || p == "*":
					dropped = append(dropped, fmt.Sprintf("statement %s: any principal (\"*\")", name))
				case typ != "AWS":
					dropped = append(dropped, fmt.Sprintf("statement %s: %s principal %s", name, typ, p))
				case p == root || p == account:
				case iampolicy.PrincipalAccount(p) != account:
					dropped = append(dropped, fmt.Sprintf("statement %s: principal %s outside account %s", name, p, account))
				default:
					if manage && !slices.Contains(admins, p) {
						admins = append(admins, p)
					}
					if use && !slices.Contains(users, p) {
						users = append(users, p)
					}
				}
			}
		}
	}
	slices.Sort(admins)
	slices.Sort(users)
	slices.Sort(dropped)
	return admins, users, slices.Compact(dropped)
}

// actionKinds says whether actions include key management and
// cryptographic use. kms:* and * are both.
func actionKinds(actions iampolicy.Strings) (manage, use bool) {
	for _, a := range actions {
		a = strings.ToLower(a)
		op := strings.TrimPrefix(a, "kms:")
		switch {
		case a == "*" || a == "kms:*":
			return true, true
		// Users manage the grants of their own workloads (the feature
		// store lists, retires and revokes them), so exact grant
		// operations are use; kms:Revoke* stays administration.
		case hasAnyPrefix(op, "encrypt", "decrypt", "reencrypt", "generatedatakey", "creategrant") ||
			op == "listgrants" || op == "retiregrant" || op == "revokegrant":
			use = true
		case hasAnyPrefix(op, "create", "put", "enable", "disable", "delete", "schedule", "cancel", "update",
			"tag", "untag", "import", "rotate", "revoke"):
			manage = true
		}
	}
	return manage, use
}

func hasAnyPrefix(s string, prefixes ...string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

func intersect(a, b []string) []string {
	var out []string
	for _, s := range a {
		if slices.Contains(b, s) {
			out = append(out, s)
		}
	}
	return out
}

// normalizedPolicy pretty-prints a policy the way sortedJSON prints the
// proposal (read through iampolicy when it parses, raw JSON otherwise), so
// the diff shows changes, not formatting.
func normalizedPolicy(text string) string {
	if d, err := iampolicy.Parse([]byte(text)); err == nil && text != "" {
		return sortedJSON(d)
	}
	var v any
	if err := json.Unmarshal([]byte(text), &v); err != nil {
		return text
	}
	return indentSorted(v)
}

// sortedJSON writes v indented with object keys sorted.
func sortedJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	var generic any
	if err := json.Unmarshal(b, &generic); err != nil {
		return ""
	}
	return indentSorted(generic)
}

func indentSorted(v any) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return ""
	}
	return buf.String()
}
