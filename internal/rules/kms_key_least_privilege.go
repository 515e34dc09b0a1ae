package rules

import (
	"fmt"
	"strings"

	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/keyaccess"
	"github.com/sagekey/sagekey/internal/keys"
)

// KeyLeastPrivilege flags keys that principals other than the workloads they
// protect may use.
func KeyLeastPrivilege() Rule {
	rule := Rule{
		ID: "kms-key.least-privilege", Kind: KeyKind,
		Title:    "Only the execution roles of the resources a key protects may use it",
		Severity: finding.Medium,
		Rationale: "A key that ten roles may use when one workload runs with it protects the data from no one inside " +
			"the account: each extra principal can decrypt it. The guidance is a strict key policy that grants usage " +
			"only to the execution roles of the resources the key protects, beside the account root, the key's " +
			"administrators and AWS service principals.",
		Remediation: "Remove the extra principals from the key policy's usage statements (or narrow them to the execution " +
			"roles the scan lists) and retire or revoke their grants. `sagekey remediate` lists the statements and " +
			"grants to narrow.",
		Examples: []Example{
			runAsExampleRole(keyExample("only the execution role, the root and an administrator", finding.Pass, keys.Key{State: keys.StateEnabled, GrantsRead: true,
				Policy: `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"},` +
					`{"Sid":"Admins","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/key-admin"},"Action":["kms:Describe*","kms:Put*","kms:ScheduleKeyDeletion"],"Resource":"*"},` +
					`{"Sid":"Use","Effect":"Allow","Principal":{"AWS":"` + exampleRole + `"},"Action":["kms:Decrypt","kms:GenerateDataKey*","kms:CreateGrant"],"Resource":"*"}]}`})),
			runAsExampleRole(keyExample("a role no workload runs as may decrypt", finding.Fail, keys.Key{State: keys.StateEnabled, GrantsRead: true,
				Policy: `{"Statement":[{"Sid":"Use","Effect":"Allow","Principal":{"AWS":["` + exampleRole + `","arn:aws:iam::111122223333:role/analytics"]},"Action":"kms:Decrypt","Resource":"*"}]}`})),
		},
	}
	meta := rule
	rule.CheckKey = func(_ *Context, u KeyUse) finding.Finding {
		f := meta.keyFinding(u)
		if f, done := unknownKey(f, u.Key); done {
			return f
		}
		if u.Key.PolicyError != "" {
			f.Status, f.Message = finding.Error, "key policy could not be read: "+u.Key.PolicyError
			return f
		}
		grants := u.Key.Grants
		if !u.Key.GrantsRead {
			grants = nil
		}
		users, err := keyaccess.Users(u.Key.Policy, grants, u.Key.ARN)
		if err != nil {
			f.Status, f.Message = finding.Error, "key policy could not be parsed: "+err.Error()
			return f
		}
		roles, rolesUnknown := workloadRoles(u)
		for _, user := range users {
			if user.Root || user.Admin || user.Service || roles[user.Principal] {
				continue
			}
			f.Principals = append(f.Principals, finding.KeyPrincipal{Principal: user.Principal, Actions: user.Actions, Sources: user.Sources})
		}
		switch {
		case len(f.Principals) > 0 && rolesUnknown == "":
			f.Status, f.Message = finding.Fail, excessMessage(f.Principals, len(roles))
		case len(f.Principals) > 0:
			f.Status, f.Message = finding.Error, "could not verify: "+rolesUnknown+"; it may be one of "+principalNames(f.Principals)
		case !u.Key.GrantsRead:
			reason := u.Key.GrantsError
			if reason == "" {
				reason = "they were not read (kms:ListGrants)"
			}
			f.Status, f.Message = finding.Error, "the key policy is least-privilege, but its grants could not be checked: "+reason
		default:
			f.Status, f.Message = finding.Pass, fmt.Sprintf("only the %s of the protected resources, the account root, "+
				"administrators and service principals may use the key", count(len(roles), "execution role"))
		}
		return f
	}
	return rule
}

// workloadRoles are the execution roles of the resources a key protects,
// with the reason when one of them could not be read.
func workloadRoles(u KeyUse) (map[string]bool, string) {
	roles := map[string]bool{}
	var unknown []string
	for _, r := range u.Protected {
		if r.RolesUnknown != "" {
			unknown = append(unknown, r.Name+": "+r.RolesUnknown)
		}
		for _, role := range r.ExecutionRoles {
			roles[role] = true
		}
	}
	if len(unknown) > 0 {
		return roles, "the execution roles of some protected resources could not be read (" + strings.Join(unknown, "; ") + ")"
	}
	return roles, ""
}

func excessMessage(ps []finding.KeyPrincipal, workloads int) string {
	parts := make([]string, len(ps))
	for i, p := range ps {
		parts[i] = fmt.Sprintf("%s (%s; %s)", p.Principal, strings.Join(p.Actions, ", "), strings.Join(p.Sources, ", "))
	}
	return fmt.Sprintf("%s may use the key beyond the %s of the resources it protects: %s",
		count(len(ps), "principal"), count(workloads, "execution role"), strings.Join(parts, "; "))
}

func principalNames(ps []finding.KeyPrincipal) string {
	names := make([]string, len(ps))
	for i, p := range ps {
		names[i] = p.Principal
	}
	return strings.Join(names, ", ")
}

// count writes "1 principal", "2 principals".
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
