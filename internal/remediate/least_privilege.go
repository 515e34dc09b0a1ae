package remediate

import (
	"fmt"
	"slices"
	"strings"

	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/iampolicy"
	"github.com/sagekey/sagekey/internal/keys"
)

// narrowing is what kms-key.least-privilege asks to take away: principals
// per key-policy statement, grants to revoke, and what sagekey will not
// edit by itself (a "*" or NotPrincipal statement, one that also
// administers the key).
type narrowing struct {
	remove map[int][]string // statement index → principals to take off it
	grants []string         // "<id> (<grantee>)" in finding order
	ids    []string
	manual []string // warnings
}

// leastPrivilegeItem fixes kms-key.least-privilege: the principals no
// protected resource runs as come off the usage statements that name them
// (a statement left without principals is dropped), and their grants are
// revoked. The root statement and administrators are never touched: the
// rule does not list them, and a statement that administers the key is left
// for a person.
func (b *builder) leastPrivilegeItem(it *Item, f finding.Finding, k keys.Key) {
	it.Strategy = "key-least-privilege"
	rg, key := q(k.Region), q(k.ARN)
	doc, err := iampolicy.Parse([]byte(k.Policy))
	readable := err == nil && k.Policy != ""
	n := b.narrow(doc, f, k)
	it.Warnings = append(it.Warnings, n.manual...)
	it.Warnings = append(it.Warnings, "A principal taken off the key policy may still use the key through its IAM "+
		"policies while the root statement delegates to IAM: remove kms actions on this key from its policies too.")
	// "*" is not a principal anyone asks; its statement is a warning.
	var names []string
	for _, p := range f.Principals {
		if p.Principal != "*" {
			names = append(names, p.Principal)
		}
	}
	if len(names) > 0 {
		it.Preconditions = append(it.Preconditions, "None of these principals still needs the key: "+strings.Join(names, ", ")+
			". Something sagekey did not scan (a Lambda function, an analytics job, another account's pipeline) may use it.")
	}
	it.Steps = append(it.Steps, Step{
		Title: "Check who still uses the key",
		Why: "CloudTrail keeps 90 days of KMS requests in the key's region: keep any principal above that a workload " +
			"still needs, and take it out of the proposal.",
		Commands: []Command{trailLookup(k, "Decrypt", "GenerateDataKey", "Encrypt", "ReEncrypt", "CreateGrant")},
	})
	var changes []string
	proposed := doc
	if readable {
		proposed, changes = narrowPolicy(doc, n.remove)
	} else {
		it.Warnings = append(it.Warnings, "The key policy was not read by the scan: narrow the statements named in "+
			"the finding by hand.")
	}
	summary := []string{}
	if len(changes) > 0 {
		summary = append(summary, "narrow "+plural(len(changes), "key policy statement"))
		proposedJSON := sortedJSON(proposed)
		it.PolicyDiff = unifiedDiff("current key policy", "proposed key policy", normalizedPolicy(k.Policy), proposedJSON)
		it.Preconditions = append(it.Preconditions, "You may change the key policy (kms:PutKeyPolicy; the key's administrators can).")
		it.Steps = append(it.Steps, Step{
			Title: "Save the current policy",
			Why:   "It is the rollback if a principal turns out to be needed.",
			Commands: []Command{sh(fmt.Sprintf("aws kms get-key-policy --region %s --key-id %s --policy-name default "+
				"--query Policy --output text > current-key-policy.json", rg, key))},
		}, Step{
			Title: "Apply the narrowed policy",
			Why: strings.Join(changes, "; ") + ". The proposal is the policy the scan read with these principals " +
				"removed: if current-key-policy.json differs from the diff's left side, rebuild it from the live policy.",
			Commands: []Command{{Lang: LangShell, Confirm: true, Prompt: "Narrow the key policy of " + k.ARN + "?",
				Text: fmt.Sprintf("cat > proposed-key-policy.json <<'JSON'\n%sJSON\naws kms put-key-policy --region %s "+
					"--key-id %s --policy-name default --policy file://proposed-key-policy.json", proposedJSON, rg, key)}},
		})
	}
	if len(n.ids) > 0 {
		summary = append(summary, "revoke "+plural(len(n.ids), "grant"))
		st := Step{
			Title: "Revoke the grants",
			Why: "Grants are not part of the key policy; revoking one takes its permissions away at once (allow a few " +
				"minutes to reach every KMS host). Grants: " + strings.Join(n.grants, ", ") + ".",
		}
		for i, id := range n.ids {
			st.Commands = append(st.Commands, Command{Lang: LangShell, Confirm: true,
				Prompt: "Revoke grant " + n.grants[i] + " on key " + k.ARN + "?",
				Text:   fmt.Sprintf("aws kms revoke-grant --region %s --key-id %s --grant-id %s", rg, key, q(id))})
		}
		it.Steps = append(it.Steps, st)
	}
	if len(summary) == 0 {
		summary = append(summary, "change nothing automatically (see the warnings)")
	}
	it.Summary = "Only the execution roles of the resources this key protects should use it: " + strings.Join(summary, " and ") + "."
	it.Steps = append(it.Steps, Step{
		Title:    "Verify with a re-scan",
		Why:      f.CheckID + " must now PASS for the key; the key-access checks of the resources it protects should not change.",
		Commands: []Command{verifyScanCommand(k.Region, f.CheckID, f.Resource.Kind, f.Resource.Name)},
	})
}

// narrow reads the finding's sources into the statements and grants to
// change.
func (b *builder) narrow(doc iampolicy.Document, f finding.Finding, k keys.Key) narrowing {
	n := narrowing{remove: map[int][]string{}}
	root := fmt.Sprintf("arn:%s:iam::%s:root", keys.PartitionOf(k.Region), k.Account)
	for _, p := range f.Principals {
		for _, src := range p.Sources {
			if rest, ok := strings.CutPrefix(src, "grant "); ok {
				id, _, _ := strings.Cut(rest, " ")
				if !slices.Contains(n.ids, id) {
					n.ids = append(n.ids, id)
					n.grants = append(n.grants, id+" ("+p.Principal+")")
				}
				continue
			}
			i := statementOf(doc, src)
			if i < 0 {
				n.manual = append(n.manual, fmt.Sprintf("%s lets %s use the key, but sagekey cannot find it in the "+
					"policy the scan read: narrow it by hand.", src, p.Principal))
				continue
			}
			st := doc.Statement[i]
			manage, _ := actionKinds(st.Action)
			label := statementLabelOf(st, i)
			switch {
			case len(st.NotPrincipal) > 0 || p.Principal == "*":
				n.manual = append(n.manual, fmt.Sprintf("Statement %s lets every principal use the key%s: replace it with "+
					"one that names the execution roles of the resources the key protects (%s). sagekey does not "+
					"rewrite it.", label, conditionNote(st), b.protectedRoles(f)))
			case manage || slices.Contains(st.Principal.AWSValues(), root):
				n.manual = append(n.manual, fmt.Sprintf("Statement %s also administers the key: take %s off it by hand, "+
					"keeping the administrators.", label, p.Principal))
			case !slices.Contains(n.remove[i], p.Principal):
				n.remove[i] = append(n.remove[i], p.Principal)
			}
		}
	}
	return n
}

// narrowPolicy takes the principals off their statements, drops a statement
// left with none, and says what it did, in statement order.
func narrowPolicy(doc iampolicy.Document, remove map[int][]string) (iampolicy.Document, []string) {
	out := doc
	out.Statement = nil
	var changes []string
	for i, st := range doc.Statement {
		gone := remove[i]
		if len(gone) == 0 {
			out.Statement = append(out.Statement, st)
			continue
		}
		p := iampolicy.Principal{}
		left := 0
		for typ, vals := range st.Principal {
			keep := slices.DeleteFunc(slices.Clone(vals), func(v string) bool { return slices.Contains(gone, v) })
			if len(keep) > 0 {
				p[typ] = keep
				left += len(keep)
			}
		}
		what := "Statement " + statementLabelOf(st, i) + ": remove " + strings.Join(gone, ", ")
		if left == 0 {
			changes = append(changes, what+" (the statement is dropped: no principal is left)")
			continue
		}
		st.Principal = p
		out.Statement = append(out.Statement, st)
		changes = append(changes, what)
	}
	return out, changes
}

// statementOf finds the statement a "key policy statement <label> (…)"
// source names (keyaccess.Users writes them), -1 when none does. The longest
// label wins, so Sid "Use" does not capture "Use (old)".
func statementOf(doc iampolicy.Document, src string) int {
	rest, ok := strings.CutPrefix(src, "key policy statement ")
	if !ok {
		return -1
	}
	best, bestLen := -1, -1
	for i, st := range doc.Statement {
		label := statementLabelOf(st, i)
		if (rest == label || strings.HasPrefix(rest, label+" (")) && len(label) > bestLen {
			best, bestLen = i, len(label)
		}
	}
	return best
}

// statementLabelOf names a statement as keyaccess does: its Sid, or its
// 1-based position.
func statementLabelOf(st iampolicy.Statement, i int) string {
	if st.Sid != "" {
		return st.Sid
	}
	return fmt.Sprintf("#%d", i+1)
}

func conditionNote(st iampolicy.Statement) string {
	if k := st.ConditionKeys(); len(k) > 0 {
		return " (if " + strings.Join(k, ", ") + ")"
	}
	return ""
}

// protectedRoles are the execution roles of the resources the key protects,
// as the inventory records them.
func (b *builder) protectedRoles(f finding.Finding) string {
	var roles []string
	for _, p := range f.Protects {
		for _, r := range b.byARN[p.ARN].ExecutionRoles {
			if !slices.Contains(roles, r) {
				roles = append(roles, r)
			}
		}
	}
	if len(roles) == 0 {
		return "the scan recorded none"
	}
	slices.Sort(roles)
	return strings.Join(roles, ", ")
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}
