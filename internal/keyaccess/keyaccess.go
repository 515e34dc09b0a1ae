// Package keyaccess decides, from recorded facts only, whether an IAM role
// may perform KMS actions on a key: the key policy (Allow, Deny, principals
// as role ARN, account root or "*", NotPrincipal, NotAction), the key's
// grants, and, when the key policy delegates to IAM, the role's identity
// policies and permissions boundary. Conditions are evaluated when their
// value is known at the time of the request (kms:ViaService,
// kms:CallerAccount, aws:PrincipalArn, kms:GrantIsForAWSResource,
// aws:PrincipalTag/*); any other condition makes the answer Unknown with the
// condition key it depends on. It never guesses Allowed.
//
// What it does not see: service control policies, resource control
// policies and session policies are not recorded, so Allowed means "allowed
// by the key policy, the grants and the role's own policies".
//
// The package is pure: no I/O, and it calls no AWS API (it imports no SDK
// package itself; its Grant values come from internal/keys, like the rules'
// keys do). Policies are parsed and their statements and conditions
// evaluated with internal/iampolicy.
package keyaccess

import (
	"github.com/sagekey/sagekey/internal/inventory"
	"github.com/sagekey/sagekey/internal/keys"
)

// Decision is the answer for one action.
type Decision int

// Decisions. The zero value is Unknown, so a forgotten assignment can never
// read as Allowed.
const (
	Unknown Decision = iota
	Allowed
	Denied
)

func (d Decision) String() string {
	switch d {
	case Allowed:
		return "allowed"
	case Denied:
		return "denied"
	}
	return "unknown"
}

// Request is one KMS request a workload makes through a service.
type Request struct {
	// Role is the execution role's ARN; its account is the caller account.
	Role string
	// Action is the KMS action, "kms:Decrypt".
	Action string
	// KeyARN is the key's ARN; its account owns the key.
	KeyARN string
	// ViaService is the service endpoint that calls KMS for the role,
	// "sagemaker.us-east-1.amazonaws.com"; empty for a direct call.
	ViaService string
}

// Facts are what the decision is made from.
type Facts struct {
	// KeyPolicy is the key policy JSON; PolicyUnknown is why it could not
	// be read (every decision is then Unknown, never Allowed).
	KeyPolicy     string
	PolicyUnknown string
	// Grants are the key's grants; GrantsUnknown is why they could not be
	// read. Grants can only add permissions, so an unreadable list makes a
	// Denied answer Unknown, never an Allowed one.
	Grants        []keys.Grant
	GrantsUnknown string
	// Role is the role's identity policies and boundary, nil when they are
	// not known; RoleUnknown says why (IAM not readable, role in an account
	// that was not scanned). RoleMissing: IAM was read and the role does not
	// exist.
	Role        *inventory.Role
	RoleUnknown string
	RoleMissing bool
}

// Result is the decision for one action with its reason.
type Result struct {
	Action   string
	Decision Decision
	// Reason explains a Denied or Unknown answer in words a key owner acts
	// on: "not in the key policy and no IAM delegation", "the key policy
	// delegates to IAM but the role's policies do not allow it", "explicit
	// Deny in key policy statement DenyOthers", "depends on
	// kms:EncryptionContext:aws:s3:arn". For Allowed it names what allowed
	// it ("key policy statement AllowUse", "grant 1a2b", "IAM policy
	// sagemaker-kms with key policy statement EnableIAM").
	Reason string
	// DependsOn is the condition key or fact an Unknown answer hinges on:
	// a condition key as written in the policy, a policy variable
	// ("${aws:username}"), one of the DependsOn* constants, "IAM policy
	// <name>", "permissions boundary <name>" or "grant <id> encryption
	// context".
	DependsOn string
	// Delegated: the key policy lets IAM policies of the role's account
	// grant this action (a root or account principal allows it, or the role
	// is in another account, where its IAM policies must allow too), so a
	// fix may go into the role's policy instead of the key policy.
	Delegated bool
}

// What an Unknown result depends on when it is a missing fact rather than a
// condition key.
const (
	DependsOnKeyPolicy = "key policy"
	DependsOnGrants    = "grants"
	DependsOnRole      = "role IAM policies"
	// DependsOnSession: AWS matches the role's session ARN
	// (arn:aws:sts::…:assumed-role/<role>/<session>), whose session name
	// sagekey does not know.
	DependsOnSession = "assumed-role session name"
)

// KeyUser is a principal that the key policy or a grant lets use the key
// for cryptographic operations or grant creation.
type KeyUser struct {
	// Principal is an IAM ARN, an account, "*" or a service principal.
	Principal string
	// Actions are the usage actions it is allowed, sorted.
	Actions []string
	// Sources name where it comes from: "key policy statement AllowUse",
	// "grant 1a2b".
	Sources []string
	// Service: a service principal (or a grant to one), which is how AWS
	// services are meant to use a key.
	Service bool
	// Root: the account itself (delegation to IAM).
	Root bool
	// Admin: the principal also has key-administration actions in the key
	// policy (kms:Put*, kms:ScheduleKeyDeletion, ...).
	Admin bool
}

// UsageActions are the KMS actions that use a key's material or hand it
// to others: what kms-key.least-privilege counts as using the key.
func UsageActions() []string {
	return []string{
		"kms:Encrypt", "kms:Decrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo",
		"kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext",
		"kms:GenerateDataKeyPair", "kms:GenerateDataKeyPairWithoutPlaintext", "kms:CreateGrant",
	}
}
