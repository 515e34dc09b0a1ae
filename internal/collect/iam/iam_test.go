package iam

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/smithy-go"
)

const (
	acct    = "111122223333"
	execARN = "arn:aws:iam::111122223333:role/service-role/exec"
	custARN = "arn:aws:iam::111122223333:policy/cust"
	awsARN  = "arn:aws:iam::aws:policy/AmazonSageMakerFullAccess"
	bndARN  = "arn:aws:iam::111122223333:policy/boundary"
	docV1   = `{"Statement":[{"Sid":"v1"}]}`
	docV2   = `{"Statement":[{"Sid":"v2 + space"}]}`
)

// fakeIAM serves pages in order, keyed by the marker that asks for them
// ("" for the first), and records every request.
type fakeIAM struct {
	pages map[string]*awsiam.GetAccountAuthorizationDetailsOutput
	errAt map[string]error
	seen  []*awsiam.GetAccountAuthorizationDetailsInput
}

func (f *fakeIAM) GetAccountAuthorizationDetails(_ context.Context, in *awsiam.GetAccountAuthorizationDetailsInput, _ ...func(*awsiam.Options)) (*awsiam.GetAccountAuthorizationDetailsOutput, error) {
	f.seen = append(f.seen, in)
	marker := aws.ToString(in.Marker)
	if err := f.errAt[marker]; err != nil {
		return nil, err
	}
	if p, ok := f.pages[marker]; ok {
		return p, nil
	}
	return &awsiam.GetAccountAuthorizationDetailsOutput{}, nil
}

func enc(doc string) *string { return aws.String(url.QueryEscape(doc)) }

func version(id string, isDefault bool, doc string) types.PolicyVersion {
	return types.PolicyVersion{VersionId: aws.String(id), IsDefaultVersion: isDefault, Document: enc(doc)}
}

// twoPages lists the role on the first page and the policies it uses on
// the second, as IAM may.
func twoPages() *fakeIAM {
	return &fakeIAM{pages: map[string]*awsiam.GetAccountAuthorizationDetailsOutput{
		"": {
			RoleDetailList: []types.RoleDetail{{
				Arn: aws.String(execARN), RoleName: aws.String("exec"),
				RolePolicyList: []types.PolicyDetail{
					{PolicyName: aws.String("z-inline"), PolicyDocument: enc(docV1)},
					{PolicyName: aws.String("a-inline"), PolicyDocument: enc(docV2)},
					{PolicyName: aws.String("bad"), PolicyDocument: aws.String("%zz")},
				},
				AttachedManagedPolicies: []types.AttachedPolicy{
					{PolicyArn: aws.String(custARN), PolicyName: aws.String("cust")},
					{PolicyArn: aws.String(awsARN), PolicyName: aws.String("AmazonSageMakerFullAccess")},
				},
				PermissionsBoundary: &types.AttachedPermissionsBoundary{PermissionsBoundaryArn: aws.String(bndARN)},
				Tags:                []types.Tag{{Key: aws.String("team"), Value: aws.String("ml")}},
			}, {
				Arn: aws.String("arn:aws:iam::111122223333:role/other"), RoleName: aws.String("other"),
			}},
			IsTruncated: true, Marker: aws.String("m2"),
		},
		"m2": {
			Policies: []types.ManagedPolicyDetail{{
				Arn: aws.String(custARN), PolicyName: aws.String("cust"), DefaultVersionId: aws.String("v2"),
				PolicyVersionList: []types.PolicyVersion{version("v1", false, docV1), version("v2", true, docV2)},
			}},
			// The AWS-managed policy and the boundary are not listed.
		},
	}}
}

func TestRead(t *testing.T) {
	t.Parallel()
	f := twoPages()
	got := Read(context.Background(), f, acct, []string{execARN, execARN})
	if len(f.seen) != 2 || aws.ToString(f.seen[1].Marker) != "m2" {
		t.Fatalf("requests %d (second marker %q), want two pages", len(f.seen), aws.ToString(f.seen[len(f.seen)-1].Marker))
	}
	wantFilter := []types.EntityType{types.EntityTypeRole, types.EntityTypeLocalManagedPolicy, types.EntityTypeAWSManagedPolicy}
	if !slices.Equal(f.seen[0].Filter, wantFilter) {
		t.Errorf("filter %v, want %v", f.seen[0].Filter, wantFilter)
	}
	if got.Account != acct || got.Unknown != "" || len(got.Roles) != 1 {
		t.Fatalf("got %+v, want the one requested role", got)
	}
	r := got.Roles[0]
	if r.ARN != execARN || r.Name != "exec" || r.Tags["team"] != "ml" {
		t.Errorf("role %+v", r)
	}
	var names []string
	for _, p := range r.Policies {
		names = append(names, p.Name)
	}
	if want := []string{"a-inline", "bad", "z-inline", "cust", "AmazonSageMakerFullAccess"}; !slices.Equal(names, want) {
		t.Fatalf("policies %v, want inline by name then attached by ARN %v", names, want)
	}
	byName := map[string]int{}
	for i, p := range r.Policies {
		byName[p.Name] = i
	}
	p := func(name string) (doc, unknown, arn string) {
		x := r.Policies[byName[name]]
		return x.Document, x.Unknown, x.ARN
	}
	if doc, unk, _ := p("a-inline"); doc != docV2 || unk != "" {
		t.Errorf("a-inline %q / %q: want the decoded document", doc, unk)
	}
	if doc, unk, _ := p("bad"); doc != "" || !strings.Contains(unk, "not URL-encoded") {
		t.Errorf("bad %q / %q", doc, unk)
	}
	if doc, unk, arn := p("cust"); doc != docV2 || unk != "" || arn != custARN {
		t.Errorf("cust %q / %q / %s: want the default version", doc, unk, arn)
	}
	if doc, unk, arn := p("AmazonSageMakerFullAccess"); doc != "" || arn != awsARN ||
		unk != "iam:GetAccountAuthorizationDetails did not list policy "+awsARN {
		t.Errorf("unlisted AWS-managed policy %q / %q / %s: want Unknown", doc, unk, arn)
	}
	if b := r.Boundary; b == nil || b.ARN != bndARN || b.Name != "boundary" || b.Document != "" || !strings.Contains(b.Unknown, "did not list") {
		t.Errorf("boundary %+v: want Unknown", b)
	}
}

func TestReadMatchesRoleNameWithoutPath(t *testing.T) {
	t.Parallel()
	for _, asked := range []string{execARN, "arn:aws:iam::111122223333:role/exec"} {
		got := Read(context.Background(), twoPages(), acct, []string{asked})
		if len(got.Roles) != 1 || got.Roles[0].ARN != execARN {
			t.Errorf("%s: roles %+v, want exec under its real ARN", asked, got.Roles)
		}
	}
	got := Read(context.Background(), twoPages(), acct, []string{"arn:aws:iam::444455556666:role/exec"})
	if len(got.Roles) != 0 {
		t.Errorf("a role of another account matched: %+v", got.Roles)
	}
}

func TestReadWithoutRolesMakesNoCall(t *testing.T) {
	t.Parallel()
	f := &fakeIAM{}
	got := Read(context.Background(), f, acct, []string{"not an ARN", "arn:aws:iam::444455556666:role/x"})
	if len(f.seen) != 0 || got.Unknown != "" || got.Roles != nil || got.Account != acct {
		t.Errorf("got %+v after %d calls", got, len(f.seen))
	}
}

func TestReadErrors(t *testing.T) {
	t.Parallel()
	denied := &smithy.GenericAPIError{Code: "AccessDenied", Message: "not authorized"}
	throttled := &smithy.GenericAPIError{Code: "Throttling", Message: "rate exceeded"}
	for name, tt := range map[string]struct {
		marker string
		err    error
		want   string
	}{
		"denied":                     {"", denied, "iam:GetAccountAuthorizationDetails: access denied (AccessDenied)"},
		"throttled on the last page": {"m2", throttled, "iam:GetAccountAuthorizationDetails: throttled after retries"},
	} {
		f := twoPages()
		f.errAt = map[string]error{tt.marker: tt.err}
		got := Read(context.Background(), f, acct, []string{execARN})
		if got.Account != acct || got.Unknown != tt.want || got.Roles != nil {
			t.Errorf("%s: got %+v, want Unknown %q and no roles (a partial read is not the account's roles)", name, got, tt.want)
		}
	}
}

func TestDefaultDocument(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		pol      types.ManagedPolicyDetail
		doc, unk string
	}{
		{"flag marks the default", types.ManagedPolicyDetail{PolicyVersionList: []types.PolicyVersion{version("v1", false, docV1), version("v2", true, docV2)}}, docV2, ""},
		{"DefaultVersionId when no flag is set", types.ManagedPolicyDetail{DefaultVersionId: aws.String("v1"),
			PolicyVersionList: []types.PolicyVersion{version("v1", false, docV1), version("v2", false, docV2)}}, docV1, ""},
		{"no default version", types.ManagedPolicyDetail{Arn: aws.String(custARN), PolicyVersionList: []types.PolicyVersion{version("v1", false, docV1)}}, "", "has no document"},
		{"default without document", types.ManagedPolicyDetail{PolicyVersionList: []types.PolicyVersion{{VersionId: aws.String("v1"), IsDefaultVersion: true}}}, "", "has no document"},
	}
	for _, tt := range tests {
		d := defaultDocument(tt.pol)
		if d.document != tt.doc || (tt.unk == "") != (d.unknown == "") || !strings.Contains(d.unknown, tt.unk) {
			t.Errorf("%s: got %q / %q, want %q / %q", tt.name, d.document, d.unknown, tt.doc, tt.unk)
		}
	}
}
