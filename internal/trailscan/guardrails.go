package trailscan

import (
	"context"
	"fmt"
	"net/url"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/sagekey/sagekey/internal/awserr"
	"github.com/sagekey/sagekey/internal/guardrails"
	"github.com/sagekey/sagekey/internal/iampolicy"
)

// OrgPoliciesAPI reads an organization's service control policies;
// *organizations.Client satisfies it.
type OrgPoliciesAPI interface {
	ListPolicies(ctx context.Context, in *organizations.ListPoliciesInput, optFns ...func(*organizations.Options)) (*organizations.ListPoliciesOutput, error)
	DescribePolicy(ctx context.Context, in *organizations.DescribePolicyInput, optFns ...func(*organizations.Options)) (*organizations.DescribePolicyOutput, error)
}

// IAMPoliciesAPI reads an account's customer-managed policies;
// *iam.Client satisfies it.
type IAMPoliciesAPI interface {
	ListPolicies(ctx context.Context, in *iam.ListPoliciesInput, optFns ...func(*iam.Options)) (*iam.ListPoliciesOutput, error)
	GetPolicyVersion(ctx context.Context, in *iam.GetPolicyVersionInput, optFns ...func(*iam.Options)) (*iam.GetPolicyVersionOutput, error)
}

// DiscoverGuardrails finds the deployed policies that are sagekey's
// guardrails, by the statement IDs sagekey writes (guardrails.IsGuardrail):
// the organization's SCPs and the caller's customer-managed IAM policies
// that are attached to something. It returns their ARNs and IDs, which
// attribute a blocked request whose message names the policy. A source that
// cannot be read (not the management account, access denied) is a note,
// not a failure: those blocks stay unattributed.
func DiscoverGuardrails(ctx context.Context, org OrgPoliciesAPI, iamAPI IAMPoliciesAPI) (ids []string, notes []string) {
	if org != nil {
		found, err := scpGuardrails(ctx, org)
		ids = append(ids, found...)
		if err != nil {
			notes = append(notes, "service control policies not read, their blocks stay unattributed: "+awserr.Reason("organizations:ListPolicies", err))
		}
	}
	if iamAPI != nil {
		found, err := iamGuardrails(ctx, iamAPI)
		ids = append(ids, found...)
		if err != nil {
			notes = append(notes, "IAM policies not read, their blocks stay unattributed: "+awserr.Reason("iam:ListPolicies", err))
		}
	}
	slices.Sort(ids)
	return slices.Compact(ids), notes
}

func scpGuardrails(ctx context.Context, api OrgPoliciesAPI) ([]string, error) {
	var out []string
	p := organizations.NewListPoliciesPaginator(api, &organizations.ListPoliciesInput{Filter: orgtypes.PolicyTypeServiceControlPolicy})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return out, err
		}
		for _, s := range page.Policies {
			d, err := api.DescribePolicy(ctx, &organizations.DescribePolicyInput{PolicyId: s.Id})
			if err != nil {
				return out, err
			}
			if d.Policy == nil || !carriesGuardrail(aws.ToString(d.Policy.Content)) {
				continue
			}
			out = append(out, aws.ToString(s.Arn), aws.ToString(s.Id))
		}
	}
	return out, nil
}

func iamGuardrails(ctx context.Context, api IAMPoliciesAPI) ([]string, error) {
	var out []string
	p := iam.NewListPoliciesPaginator(api, &iam.ListPoliciesInput{Scope: iamtypes.PolicyScopeTypeLocal, OnlyAttached: true})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return out, err
		}
		for _, pol := range page.Policies {
			v, err := api.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: pol.Arn, VersionId: pol.DefaultVersionId})
			if err != nil {
				return out, fmt.Errorf("%s: %w", aws.ToString(pol.Arn), err)
			}
			if v.PolicyVersion == nil {
				continue
			}
			// IAM returns the document URL-encoded (RFC 3986).
			doc, err := url.PathUnescape(aws.ToString(v.PolicyVersion.Document))
			if err == nil && carriesGuardrail(doc) {
				out = append(out, aws.ToString(pol.Arn), aws.ToString(pol.PolicyId))
			}
		}
	}
	return out, nil
}

func carriesGuardrail(doc string) bool {
	d, err := iampolicy.Parse([]byte(doc))
	return err == nil && guardrails.IsGuardrail(d)
}
