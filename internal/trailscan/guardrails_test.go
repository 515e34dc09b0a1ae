package trailscan

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/smithy-go"

	"github.com/sagekey/sagekey/internal/guardrails"
	"github.com/sagekey/sagekey/internal/iampolicy"
	"github.com/sagekey/sagekey/internal/motoserver/mototest"
)

// Deployed guardrails are found by sagekey's statement IDs among the
// organization's SCPs and the account's attached IAM policies; other
// policies, and guardrails attached to nothing, are not.
func TestDiscoverGuardrailsAgainstMoto(t *testing.T) {
	srv := mototest.ForTest(t)
	mototest.DummyCredentials(t)
	cfg := mototest.Config(t, srv, "us-east-1")
	ctx := context.Background()
	org, iamc := organizations.NewFromConfig(cfg), iam.NewFromConfig(cfg)

	// Nothing deployed yet: nothing found.
	if found, _ := DiscoverGuardrails(ctx, org, iamc); len(found) != 0 {
		t.Errorf("found %v before any policy exists", found)
	}

	b, err := guardrails.Build(guardrails.Settings{})
	if err != nil {
		t.Fatal(err)
	}
	scp, err := iampolicy.Minify(b.SCPs[0].Document)
	if err != nil {
		t.Fatal(err)
	}
	other := `{"Version":"2012-10-17","Statement":[{"Sid":"DenyRegions","Effect":"Deny","Action":"*","Resource":"*"}]}`
	if _, err := org.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll}); err != nil {
		t.Fatal(err)
	}
	var want []string
	for name, content := range map[string]string{"sagekey": string(scp), "regions": other} {
		p, err := org.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String(name), Description: aws.String(name),
			Type: orgtypes.PolicyTypeServiceControlPolicy, Content: aws.String(content)})
		if err != nil {
			t.Fatal(err)
		}
		if name == "sagekey" {
			want = append(want, aws.ToString(p.Policy.PolicySummary.Arn), aws.ToString(p.Policy.PolicySummary.Id))
		}
	}
	ident, err := iampolicy.Minify(b.IAMPolicies[0].Document)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := iamc.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("ml"), AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[]}`)}); err != nil {
		t.Fatal(err)
	}
	for name, doc := range map[string]string{"sagekey-deny": string(ident), "unattached-sagekey": string(ident), "other": other} {
		p, err := iamc.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String(name), PolicyDocument: aws.String(doc)})
		if err != nil {
			t.Fatal(err)
		}
		if name == "unattached-sagekey" {
			continue // a policy attached to nothing refuses nothing
		}
		if _, err := iamc.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("ml"), PolicyArn: p.Policy.Arn}); err != nil {
			t.Fatal(err)
		}
		if name == "sagekey-deny" {
			want = append(want, aws.ToString(p.Policy.Arn), aws.ToString(p.Policy.PolicyId))
		}
	}
	got, notes := DiscoverGuardrails(ctx, org, iamc)
	slices.Sort(want)
	if !slices.Equal(got, want) || len(notes) != 0 {
		t.Errorf("found %v (notes %v), want %v", got, notes, want)
	}
}

// deniedOrg refuses every call, as Organizations does outside the
// management or a delegated administrator account.
type deniedOrg struct{}

func (deniedOrg) ListPolicies(context.Context, *organizations.ListPoliciesInput, ...func(*organizations.Options)) (*organizations.ListPoliciesOutput, error) {
	return nil, &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "not the management account"}
}

func (deniedOrg) DescribePolicy(context.Context, *organizations.DescribePolicyInput, ...func(*organizations.Options)) (*organizations.DescribePolicyOutput, error) {
	return nil, &smithy.GenericAPIError{Code: "AccessDeniedException"}
}

// A refused source is a note, never a failure.
func TestDiscoverGuardrailsNotesWhatItCannotRead(t *testing.T) {
	found, notes := DiscoverGuardrails(context.Background(), deniedOrg{}, nil)
	if len(found) != 0 || len(notes) != 1 || !strings.Contains(notes[0], "access denied") {
		t.Errorf("found %v, notes %v", found, notes)
	}
}
