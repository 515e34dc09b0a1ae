package rules

import (
	"fmt"
	"slices"
	"strings"

	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/iampolicy"
	"github.com/sagekey/sagekey/internal/keys"
)

// KeyPolicy flags key policies broader than a SageMaker CMK needs.
func KeyPolicy() Rule {
	rule := Rule{
		ID: "kms-key.policy", Kind: KeyKind,
		Title:    "KMS key policy does not grant broad or foreign access",
		Severity: finding.High,
		Rationale: "A key only protects data if its policy restricts who can use it: a \"*\" principal without a " +
			"restricting condition, principals in other accounts, or kms:* for anyone but the account root let " +
			"others decrypt or administer the key.",
		Remediation: "Replace the policy with a least-privilege one: key administrators separate from key users " +
			"(the SageMaker execution roles), kms:CreateGrant only with kms:GrantIsForAWSResource, no \"*\" " +
			"principal, and kms:* only for the account root.",
		Examples: []Example{
			keyExample("only the account root has kms:*", finding.Pass, keys.Key{State: keys.StateEnabled,
				Policy: `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}]}`}),
			keyExample("any principal may decrypt", finding.Fail, keys.Key{State: keys.StateEnabled,
				Policy: `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*"}]}`}),
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
		problems, err := policyProblems(u.Key)
		switch {
		case err != nil:
			f.Status, f.Message = finding.Error, "key policy could not be parsed: "+err.Error()
		case len(problems) > 0:
			f.Status, f.Message = finding.Fail, strings.Join(problems, "; ")
		default:
			f.Status, f.Message = finding.Pass, "no broad or foreign grants in the key policy"
		}
		return f
	}
	return rule
}

// policyProblems lists what is too broad in the key's policy.
func policyProblems(k *keys.Key) ([]string, error) {
	if k.Policy == "" {
		return nil, fmt.Errorf("empty policy")
	}
	doc, err := iampolicy.Parse([]byte(k.Policy))
	if err != nil {
		return nil, err
	}
	root := fmt.Sprintf("arn:%s:iam::%s:root", keys.PartitionOf(k.Region), k.Account)
	var problems []string
	for i, st := range doc.Statement {
		if !strings.EqualFold(st.Effect, "Allow") {
			continue
		}
		name := st.Sid
		if name == "" {
			name = fmt.Sprintf("#%d", i+1)
		}
		wildcardAction := slices.Contains(st.Action, "kms:*") || slices.Contains(st.Action, "*")
		for _, p := range st.Principal.AWSValues() {
			switch {
			case p == "*" && !restricts(st.Condition):
				problems = append(problems, fmt.Sprintf("statement %s allows any principal (\"*\") without a restricting condition", name))
			case p != "*" && iampolicy.PrincipalAccount(p) != "" && iampolicy.PrincipalAccount(p) != k.Account:
				problems = append(problems, fmt.Sprintf("statement %s grants access to account %s", name, iampolicy.PrincipalAccount(p)))
			}
			if wildcardAction && p != root && p != k.Account && p != "*" {
				problems = append(problems, fmt.Sprintf("statement %s grants kms:* to %s (only the account root should have it)", name, p))
			}
		}
	}
	return problems, nil
}

// Condition keys that narrow who the principal can be. Conditions such as
// aws:SecureTransport constrain how, not who, so they do not restrict "*".
var restrictingConditionKeys = []string{
	"aws:principalaccount", "aws:principalorgid", "aws:principalorgpaths", "aws:principalarn",
	"aws:sourceaccount", "aws:sourcearn", "aws:sourcevpc", "aws:sourcevpce", "aws:userid", "aws:username",
	"kms:calleraccount", "kms:viaservice", "kms:grantisforawsresource",
}

func restricts(cond iampolicy.Conditions) bool {
	for _, kv := range cond {
		for k := range kv {
			for _, r := range restrictingConditionKeys {
				if strings.EqualFold(k, r) {
					return true
				}
			}
		}
	}
	return false
}
