package keys

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
)

const (
	grantRole    = "arn:aws:iam::111122223333:role/service-role/ml-exec"
	grantService = "sagemaker.amazonaws.com"
)

// twoGrantPages serves the grants of testKeyARN over two pages: an
// unconstrained grant to a role, one to a service principal constrained by
// encryption context, and one constrained only by SourceArn.
func twoGrantPages(in *kms.ListGrantsInput) (*kms.ListGrantsOutput, error) {
	if aws.ToString(in.KeyId) != testKeyARN {
		return nil, fmt.Errorf("ListGrants KeyId %q, want the key ARN", aws.ToString(in.KeyId))
	}
	if aws.ToInt32(in.Limit) != 100 { // the API maximum: half the pages of the default 50
		return nil, fmt.Errorf("ListGrants Limit %d, want 100", aws.ToInt32(in.Limit))
	}
	if in.Marker == nil {
		return &kms.ListGrantsOutput{
			Grants: []types.GrantListEntry{{
				GrantId: aws.String("g1"), GranteePrincipal: aws.String(grantRole), IssuingAccount: aws.String(testAccount),
				Operations: []types.GrantOperation{types.GrantOperationGenerateDataKey, types.GrantOperationDecrypt},
			}},
			NextMarker: aws.String("p2"), Truncated: true,
		}, nil
	}
	return &kms.ListGrantsOutput{Grants: []types.GrantListEntry{
		{
			GrantId: aws.String("g2"), GranteePrincipal: aws.String("arn:aws:iam::111122223333:root"),
			GranteeServicePrincipal: aws.String(grantService),
			Operations:              []types.GrantOperation{types.GrantOperationDecrypt},
			Constraints:             &types.GrantConstraints{EncryptionContextSubset: map[string]string{"aws:sagemaker:arn": "x"}},
		},
		{
			GrantId: aws.String("g3"), GranteePrincipal: aws.String(grantRole),
			Operations:  []types.GrantOperation{types.GrantOperationCreateGrant},
			Constraints: &types.GrantConstraints{SourceArn: aws.String("arn:aws:sagemaker:us-east-1:111122223333:endpoint/ep")},
		},
		{
			GrantId: aws.String("g4"), GranteePrincipal: aws.String(grantRole),
			Operations:  []types.GrantOperation{types.GrantOperationEncrypt},
			Constraints: &types.GrantConstraints{EncryptionContextEquals: map[string]string{}}, // empty: no constraint
		},
	}}, nil
}

func TestResolveGrants(t *testing.T) {
	t.Parallel()
	crossARN := "arn:aws:kms:us-east-1:444455556666:key/" + testKeyID
	healthy := fakeKMS{describe: describeAs(keyMeta(testKeyARN)), rotation: rotationIs(true, 365), policy: policyIs("{}"), tags: noTags}
	with := func(f fakeKMS, grants func(*kms.ListGrantsInput) (*kms.ListGrantsOutput, error)) fakeKMS {
		f.grants = grants
		return f
	}
	tests := []struct {
		name   string
		raw    string
		grants bool // WithGrants
		fake   fakeKMS
		calls  map[string]int
		check  func(t *testing.T, k *Key)
	}{
		{
			name:  "not asked for: no ListGrants, nothing recorded",
			raw:   testKeyID,
			fake:  healthy, // a ListGrants call fails the test
			calls: callsWithGrants(1, 1, 1, 1, 0),
			check: func(t *testing.T, k *Key) {
				if k.GrantsRead || k.GrantsError != "" || k.Grants != nil {
					t.Errorf("grants %v read=%v error=%q, want untouched", k.Grants, k.GrantsRead, k.GrantsError)
				}
			},
		},
		{
			name:   "paginated grants are mapped",
			raw:    testKeyID,
			grants: true,
			fake:   with(healthy, twoGrantPages),
			calls:  callsWithGrants(1, 1, 1, 1, 2),
			check: func(t *testing.T, k *Key) {
				want := []Grant{
					{ID: "g1", Grantee: grantRole, Operations: []string{"Decrypt", "GenerateDataKey"}, IssuingAccount: testAccount},
					{ID: "g2", Grantee: grantService, Operations: []string{"Decrypt"}, Constrained: true},
					{ID: "g3", Grantee: grantRole, Operations: []string{"CreateGrant"}, Constrained: true},
					{ID: "g4", Grantee: grantRole, Operations: []string{"Encrypt"}},
				}
				if !k.GrantsRead || k.GrantsError != "" {
					t.Fatalf("read=%v error=%q", k.GrantsRead, k.GrantsError)
				}
				if !slices.EqualFunc(k.Grants, want, func(a, b Grant) bool {
					return a.ID == b.ID && a.Grantee == b.Grantee && slices.Equal(a.Operations, b.Operations) &&
						a.Constrained == b.Constrained && a.IssuingAccount == b.IssuingAccount
				}) {
					t.Errorf("grants\n got %+v\nwant %+v", k.Grants, want)
				}
			},
		},
		{
			name:   "no grants is a fact, not an unknown",
			raw:    testKeyID,
			grants: true,
			fake: with(healthy, func(*kms.ListGrantsInput) (*kms.ListGrantsOutput, error) {
				return &kms.ListGrantsOutput{}, nil
			}),
			calls: callsWithGrants(1, 1, 1, 1, 1),
			check: func(t *testing.T, k *Key) {
				if !k.GrantsRead || k.GrantsError != "" || k.Grants == nil || len(k.Grants) != 0 {
					t.Errorf("grants %v read=%v error=%q", k.Grants, k.GrantsRead, k.GrantsError)
				}
			},
		},
		{
			name:   "denied",
			raw:    testKeyID,
			grants: true,
			fake: with(healthy, func(*kms.ListGrantsInput) (*kms.ListGrantsOutput, error) {
				return nil, apiErr("AccessDeniedException")
			}),
			calls: callsWithGrants(1, 1, 1, 1, 1),
			check: func(t *testing.T, k *Key) {
				if k.GrantsRead || k.Grants != nil || k.GrantsError != "kms:ListGrants: access denied (AccessDeniedException)" {
					t.Errorf("grants %v read=%v error=%q", k.Grants, k.GrantsRead, k.GrantsError)
				}
				if !k.Known() || k.Policy == "" {
					t.Errorf("the rest of the key must still be read: %+v", k)
				}
			},
		},
		{
			name:   "a failed second page discards the first",
			raw:    testKeyID,
			grants: true,
			fake: with(healthy, func(in *kms.ListGrantsInput) (*kms.ListGrantsOutput, error) {
				if in.Marker != nil {
					return nil, apiErr("ThrottlingException")
				}
				return twoGrantPages(in)
			}),
			calls: callsWithGrants(1, 1, 1, 1, 2),
			check: func(t *testing.T, k *Key) {
				if k.GrantsRead || k.Grants != nil || !strings.Contains(k.GrantsError, "kms:ListGrants: throttled") {
					t.Errorf("grants %v read=%v error=%q", k.Grants, k.GrantsRead, k.GrantsError)
				}
			},
		},
		{
			name:   "cross-account key: not read, and why",
			raw:    crossARN,
			grants: true,
			fake:   fakeKMS{describe: describeAs(keyMeta(crossARN)), rotation: rotationIs(true, 365)},
			calls:  callsWithGrants(1, 1, 0, 0, 0),
			check: func(t *testing.T, k *Key) {
				if k.GrantsRead || !strings.Contains(k.GrantsError, "key is in account 444455556666") {
					t.Errorf("read=%v error=%q", k.GrantsRead, k.GrantsError)
				}
			},
		},
		{
			name:   "AWS-managed key: not read",
			raw:    testKeyID,
			grants: true,
			fake:   fakeKMS{describe: describeAs(keyMeta(testKeyARN, func(m *types.KeyMetadata) { m.KeyManager = types.KeyManagerTypeAws }))},
			calls:  callsWithGrants(1, 0, 0, 0, 0),
			check: func(t *testing.T, k *Key) {
				if k.GrantsRead || k.GrantsError != "" {
					t.Errorf("read=%v error=%q", k.GrantsRead, k.GrantsError)
				}
			},
		},
		{
			name:   "missing key: grants explain themselves",
			raw:    testKeyID,
			grants: true,
			fake:   fakeKMS{describe: describeErr(&types.NotFoundException{Message: aws.String("gone")})},
			calls:  callsWithGrants(1, 0, 0, 0, 0),
			check: func(t *testing.T, k *Key) {
				if k.GrantsRead || k.GrantsError != "not read: key not found" {
					t.Errorf("read=%v error=%q", k.GrantsRead, k.GrantsError)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := tt.fake
			f.t = t
			var opts []Option
			if tt.grants {
				opts = append(opts, WithGrants())
			}
			r := newTestResolver(&f, opts...)
			k := r.Resolve(context.Background(), ParseRef(tt.raw, testAccount, testRegion))
			tt.check(t, k)
			if got := r.Calls(); !maps.Equal(got, tt.calls) {
				t.Errorf("calls = %v, want %v", got, tt.calls)
			}
		})
	}
}

// TestResolveGrantsOncePerKey: the alias and the key ID of one key share
// one grants read, like the other per-key reads.
func TestResolveGrantsOncePerKey(t *testing.T) {
	t.Parallel()
	f := &fakeKMS{t: t, describe: describeAs(keyMeta(testKeyARN)), rotation: rotationIs(true, 365), policy: policyIs("{}"),
		tags: noTags, grants: twoGrantPages}
	r := newTestResolver(f, WithGrants())
	var refs []Ref
	for _, raw := range []string{"alias/app", testKeyID, testKeyARN} {
		refs = append(refs, ParseRef(raw, testAccount, testRegion))
	}
	set := r.ResolveAll(context.Background(), refs, 3)
	for _, ref := range refs {
		if k, ok := set.Get(ref.Canonical()); !ok || !k.GrantsRead || len(k.Grants) != 4 {
			t.Errorf("%s: %+v", ref.Raw, k)
		}
	}
	if got, want := r.Calls(), callsWithGrants(2, 1, 1, 1, 2); !maps.Equal(got, want) {
		t.Errorf("calls = %v, want %v (one two-page read)", got, want)
	}
}
