// Package keypolicy builds a least-privilege KMS key policy for a SageMaker
// customer-managed key: the account root keeps kms:* (so the key can never
// become unmanageable), key administrators manage but cannot use the key,
// and key users (SageMaker execution roles) may do exactly what the catalog
// says their workloads need: create grants only for AWS resources, manage
// grants only through the service that needs to. It is the policy the
// kms-key.policy, <kind>.key-access and kms-key.least-privilege checks
// accept, and both guardrails (new keys) and remediation (existing keys)
// propose it.
package keypolicy

import (
	"sort"

	"github.com/sagekey/sagekey/internal/iampolicy"
)

// Params are the principals of the policy.
type Params struct {
	// Root is the account root principal, e.g. arn:aws:iam::111122223333:root.
	// It is a plain string so Terraform or CloudFormation can pass an
	// expression that resolves to it.
	Root string
	// Admins manage the key; Users (SageMaker execution roles) use it.
	// Either may be empty; duplicates are dropped and the lists sorted.
	Admins, Users []string
}

// Statement ids, stable so callers and tests can find statements.
const (
	SidRoot         = "EnableRootAccountPermissions"
	SidAdmins       = "AllowKeyAdministration"
	SidUsers        = "AllowUseOfTheKey"
	SidGrants       = "AllowGrantsForAWSResources"
	SidManageGrants = "AllowGrantManagementThroughAWSServices"
)

// adminActions manage the key but never use it: no Encrypt, Decrypt or
// GenerateDataKey, so an administrator cannot read SageMaker data. kms:Create*
// (which includes CreateGrant) matches AWS's default administrator statement.
var adminActions = []string{
	"kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*", "kms:Update*", "kms:Revoke*",
	"kms:Disable*", "kms:Get*", "kms:Delete*", "kms:TagResource", "kms:UntagResource",
	"kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion", "kms:RotateKeyOnDemand",
}

// Build returns the key policy. There is no "*" principal and no
// kms:EncryptionContext condition: HyperPod does not support encryption
// context, so requiring one would break HyperPod volumes on the same key.
//
// What users may do is exactly what the catalog says execution roles need
// (see UserNeeds), split by how it is constrained: kms:CreateGrant only for
// AWS resources, the other grant operations only through the services that
// call them, everything else as the slots need it.
func Build(p Params) iampolicy.Document {
	doc := iampolicy.Document{Version: iampolicy.Version, Statement: []iampolicy.Statement{{
		Sid: SidRoot, Effect: iampolicy.Allow, Principal: aws(p.Root),
		Action: iampolicy.Strings{"kms:*"}, Resource: iampolicy.Strings{"*"},
	}}}
	if admins := uniq(p.Admins); len(admins) > 0 {
		doc.Statement = append(doc.Statement, iampolicy.Statement{
			Sid: SidAdmins, Effect: iampolicy.Allow, Principal: aws(admins...),
			Action: append(iampolicy.Strings(nil), adminActions...), Resource: iampolicy.Strings{"*"},
		})
	}
	users := uniq(p.Users)
	if len(users) == 0 {
		return doc
	}
	n := UserNeeds()
	add := func(sid string, actions []string, cond iampolicy.Conditions) {
		if len(actions) > 0 {
			doc.Statement = append(doc.Statement, iampolicy.Statement{
				Sid: sid, Effect: iampolicy.Allow, Principal: aws(users...),
				Action: append(iampolicy.Strings(nil), actions...), Resource: iampolicy.Strings{"*"}, Condition: cond,
			})
		}
	}
	add(SidUsers, n.Use, nil)
	grant := iampolicy.Conditions{}
	grant.Add("Bool", "kms:GrantIsForAWSResource", "true")
	add(SidGrants, n.CreateGrant, grant)
	var manage iampolicy.Conditions
	if len(n.ManageVia) > 0 {
		manage = iampolicy.Conditions{}
		manage.Add("StringLike", "kms:ViaService", viaPatterns(n.ManageVia)...)
	}
	add(SidManageGrants, n.Manage, manage)
	return doc
}

func aws(arns ...string) iampolicy.Principal {
	return iampolicy.Principal{"AWS": append(iampolicy.Strings(nil), arns...)}
}

func uniq(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range in {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}
