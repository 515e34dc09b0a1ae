// Package iam reads what the key-access checks need to know about IAM: the
// execution roles that scanned resources run as, with their inline and
// attached policies, permissions boundaries and tags.
//
// It makes one paginated GetAccountAuthorizationDetails read per account
// rather than a GetRole, ListRolePolicies, GetRolePolicy,
// ListAttachedRolePolicies, GetPolicy and GetPolicyVersion per role: an
// estate of a few hundred roles would otherwise cost thousands of calls
// against IAM's tight, account-wide quotas. IAM is global, so the read is
// made once per account, not per region.
//
// Like every source it only records facts: a policy it could not find, or an
// account it could not read, is written down with the reason, and the rules
// decide what that means (ERROR, never PASS).
package iam

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/sagekey/sagekey/internal/awserr"
	"github.com/sagekey/sagekey/internal/inventory"
)

// API is the read-only slice of IAM that Read uses; keeping it this narrow
// documents the one permission it needs (iam:GetAccountAuthorizationDetails)
// and lets tests substitute fakes. *iam.Client satisfies it; ClientAPI adapts one.
type API interface {
	GetAccountAuthorizationDetails(ctx context.Context, params *awsiam.GetAccountAuthorizationDetailsInput, optFns ...func(*awsiam.Options)) (*awsiam.GetAccountAuthorizationDetailsOutput, error)
}

// operation names the call in reasons and gaps.
const operation = "iam:GetAccountAuthorizationDetails"

// pageSize is the largest page IAM serves: the read is one account-wide
// listing, and fewer, larger pages spend less of IAM's request quota.
const pageSize = 1000

// filter asks for roles and managed policies only: users and groups are not
// execution roles, and leaving them out keeps the pages small.
//
// With AWSManagedPolicy, AWS does not document whether every AWS-managed
// policy is listed or only those in use in the account (in practice only
// attached ones are; moto 5.2.1 lists every one it has loaded). Either way
// Read keeps only the documents the requested roles use, and an attached
// policy whose document is missing is recorded as unknown, never dropped.
var filter = []types.EntityType{types.EntityTypeRole, types.EntityTypeLocalManagedPolicy, types.EntityTypeAWSManagedPolicy}

// Read returns the IAM facts of account for the roles named by roleARNs:
// each one that exists, with its inline policies, attached managed policies
// (the default version's document), permissions boundary and tags. A role
// named but absent from the result does not exist. ARNs of other accounts
// are ignored: only account's own credentials can read its roles.
//
// A role matches a requested ARN exactly, or by account and role name
// ignoring the path: role names are unique within an account whatever their
// path, so the name alone identifies the role, and an ARN built or copied
// without the path ("role/X" for "role/service-role/X", as IaC templates,
// pipeline definitions and assumed-role ARNs spell it) still finds the role
// it names. The evaluator looks roles up the same way.
//
// Read never fails: when the account cannot be read (access denied,
// throttled after retries) the result has Unknown set and no roles.
func Read(ctx context.Context, api API, account string, roleARNs []string) inventory.AccountIAM {
	out := inventory.AccountIAM{Account: account}
	wanted := map[string]bool{} // role names of account that are asked for
	exact := map[string]bool{}
	for _, arn := range roleARNs {
		acct, name, ok := roleOf(arn)
		if !ok || acct != account {
			continue
		}
		wanted[name], exact[arn] = true, true
	}
	if len(wanted) == 0 {
		return out // nothing to look for: no call
	}

	var roles []types.RoleDetail
	documents := map[string]managedDocument{} // policy ARN → default version
	p := awsiam.NewGetAccountAuthorizationDetailsPaginator(api,
		&awsiam.GetAccountAuthorizationDetailsInput{Filter: filter, MaxItems: aws.Int32(pageSize)},
		// A repeated marker would otherwise loop forever.
		func(o *awsiam.GetAccountAuthorizationDetailsPaginatorOptions) { o.StopOnDuplicateToken = true })
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			out.Unknown = awserr.Reason(operation, err)
			slog.WarnContext(ctx, "IAM roles not read", "account", account, "reason", out.Unknown)
			return out
		}
		for _, r := range page.RoleDetailList {
			arn := aws.ToString(r.Arn)
			_, name, ok := roleOf(arn)
			if exact[arn] || (ok && wanted[name]) {
				roles = append(roles, r)
			}
		}
		// Policies and the roles using them may come on different pages,
		// so every default document is kept until the last page; only the
		// default version's text is kept, not the version history.
		for _, pol := range page.Policies {
			documents[aws.ToString(pol.Arn)] = defaultDocument(pol)
		}
	}

	for _, r := range roles {
		out.Roles = append(out.Roles, roleFrom(r, documents))
	}
	slices.SortFunc(out.Roles, func(a, b inventory.Role) int { return cmp.Compare(a.ARN, b.ARN) })
	out.Roles = slices.CompactFunc(out.Roles, func(a, b inventory.Role) bool { return a.ARN == b.ARN })
	return out
}

// managedDocument is the default version of one managed policy.
type managedDocument struct {
	name     string
	document string // URL-decoded
	unknown  string // why there is no document
}

func defaultDocument(pol types.ManagedPolicyDetail) managedDocument {
	d := managedDocument{name: aws.ToString(pol.PolicyName)}
	def := aws.ToString(pol.DefaultVersionId)
	for _, v := range pol.PolicyVersionList {
		if !v.IsDefaultVersion && (def == "" || aws.ToString(v.VersionId) != def) {
			continue
		}
		if v.Document == nil {
			break
		}
		d.document, d.unknown = decode(*v.Document)
		return d
	}
	d.unknown = fmt.Sprintf("%s: the default version of %s has no document", operation, aws.ToString(pol.Arn))
	return d
}

// roleFrom builds the recorded role: inline policies by name, then attached
// managed policies by ARN, so the output is the same whatever order IAM
// listed them in.
func roleFrom(r types.RoleDetail, documents map[string]managedDocument) inventory.Role {
	role := inventory.Role{ARN: aws.ToString(r.Arn), Name: aws.ToString(r.RoleName)}
	for _, t := range r.Tags {
		if role.Tags == nil {
			role.Tags = map[string]string{}
		}
		role.Tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	var inline, attached []inventory.PolicyDocument
	for _, p := range r.RolePolicyList {
		doc := inventory.PolicyDocument{Name: aws.ToString(p.PolicyName)}
		doc.Document, doc.Unknown = decode(aws.ToString(p.PolicyDocument))
		inline = append(inline, doc)
	}
	for _, p := range r.AttachedManagedPolicies {
		attached = append(attached, managed(aws.ToString(p.PolicyArn), aws.ToString(p.PolicyName), documents))
	}
	slices.SortFunc(inline, func(a, b inventory.PolicyDocument) int { return cmp.Compare(a.Name, b.Name) })
	slices.SortFunc(attached, func(a, b inventory.PolicyDocument) int { return cmp.Compare(a.ARN, b.ARN) })
	role.Policies = append(inline, attached...)
	if b := r.PermissionsBoundary; b != nil && aws.ToString(b.PermissionsBoundaryArn) != "" {
		arn := aws.ToString(b.PermissionsBoundaryArn)
		doc := managed(arn, policyNameOf(arn), documents)
		role.Boundary = &doc
	}
	return role
}

// managed is the recorded form of an attached managed policy (or a
// boundary). A policy whose document the listing did not include is
// unknown: it may allow or deny anything, so it must not read as empty.
func managed(arn, name string, documents map[string]managedDocument) inventory.PolicyDocument {
	doc := inventory.PolicyDocument{Name: name, ARN: arn}
	d, ok := documents[arn]
	switch {
	case !ok:
		doc.Unknown = fmt.Sprintf("%s did not list policy %s", operation, arn)
	default:
		if doc.Name == "" {
			doc.Name = d.name
		}
		doc.Document, doc.Unknown = d.document, d.unknown
	}
	return doc
}

// decode undoes the URL encoding (RFC 3986) IAM applies to policy documents
// in this response; the Go SDK, unlike some others, does not undo it.
// QueryUnescape decodes as java.net.URLDecoder does, the decoder AWS
// documents for it; a literal "+" in a document arrives encoded as %2B.
func decode(encoded string) (document, unknown string) {
	if encoded == "" {
		return "", operation + ": empty policy document"
	}
	doc, err := url.QueryUnescape(encoded)
	if err != nil {
		return "", fmt.Sprintf("%s: policy document is not URL-encoded text: %v", operation, err)
	}
	return doc, ""
}

// roleOf splits a role ARN (arn:partition:iam::account:role/path/name) into
// its account and role name.
func roleOf(arn string) (account, name string, ok bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "iam" || !strings.HasPrefix(parts[5], "role/") {
		return "", "", false
	}
	name = parts[5][strings.LastIndex(parts[5], "/")+1:]
	return parts[4], name, name != ""
}

// policyNameOf is the last element of a policy ARN, its name.
func policyNameOf(arn string) string { return arn[strings.LastIndex(arn, "/")+1:] }
