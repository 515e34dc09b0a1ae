package keys

import (
	"context"
	"fmt"
	"maps"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
)

func calls(describe, rotation, policy, tags int) map[string]int {
	return callsWithGrants(describe, rotation, policy, tags, 0)
}

func callsWithGrants(describe, rotation, policy, tags, grants int) map[string]int {
	return map[string]int{
		OpDescribeKey: describe, OpGetKeyRotationStatus: rotation,
		OpGetKeyPolicy: policy, OpListResourceTags: tags, OpListGrants: grants,
	}
}

func TestResolveAWSManagedAliasMakesNoCall(t *testing.T) {
	t.Parallel()
	for _, raw := range []string{"alias/aws/sagemaker", "arn:aws:kms:eu-west-1:111122223333:alias/aws/s3"} {
		r := newTestResolver(&fakeKMS{t: t}) // every call fails the test
		ref := ParseRef(raw, testAccount, testRegion)
		k := r.Resolve(context.Background(), ref)
		if k.Manager != ManagerAWS || k.ARN != ref.Canonical() || k.State != "" || !k.Known() {
			t.Errorf("%s: got %+v", raw, k)
		}
		if k.Rotation.NotApplicable != rotationNAAWSManaged {
			t.Errorf("%s: rotation %+v", raw, k.Rotation)
		}
		if got := r.Calls(); !maps.Equal(got, calls(0, 0, 0, 0)) {
			t.Errorf("%s: calls %v, want none", raw, got)
		}
	}
}

func TestResolve(t *testing.T) {
	t.Parallel()
	replica := "arn:aws:kms:eu-west-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab"
	crossARN := "arn:aws:kms:us-east-1:444455556666:key/" + testKeyID
	tests := []struct {
		name  string
		raw   string
		fake  fakeKMS
		calls map[string]int
		check func(t *testing.T, k *Key)
	}{
		{
			name: "healthy customer key with paginated tags",
			raw:  "alias/app",
			fake: fakeKMS{
				describe: func(in *kms.DescribeKeyInput) (*kms.DescribeKeyOutput, error) {
					if got := aws.ToString(in.KeyId); got != "alias/app" {
						return nil, fmt.Errorf("DescribeKey KeyId %q, want the alias as written", got)
					}
					return &kms.DescribeKeyOutput{KeyMetadata: keyMeta(testKeyARN)}, nil
				},
				rotation: func(in *kms.GetKeyRotationStatusInput) (*kms.GetKeyRotationStatusOutput, error) {
					if aws.ToString(in.KeyId) != testKeyARN {
						return nil, fmt.Errorf("rotation KeyId %q, want the key ARN", aws.ToString(in.KeyId))
					}
					return &kms.GetKeyRotationStatusOutput{KeyRotationEnabled: true, RotationPeriodInDays: aws.Int32(180)}, nil
				},
				policy: func(in *kms.GetKeyPolicyInput) (*kms.GetKeyPolicyOutput, error) {
					if aws.ToString(in.KeyId) != testKeyARN || aws.ToString(in.PolicyName) != "default" {
						return nil, fmt.Errorf("GetKeyPolicy(%s, %s)", aws.ToString(in.KeyId), aws.ToString(in.PolicyName))
					}
					return &kms.GetKeyPolicyOutput{Policy: aws.String(`{"Version":"2012-10-17"}`)}, nil
				},
				tags: func(in *kms.ListResourceTagsInput) (*kms.ListResourceTagsOutput, error) {
					if in.Marker == nil {
						return &kms.ListResourceTagsOutput{
							Tags:       []types.Tag{{TagKey: aws.String("team"), TagValue: aws.String("ml")}},
							NextMarker: aws.String("p2"), Truncated: true,
						}, nil
					}
					return &kms.ListResourceTagsOutput{Tags: []types.Tag{{TagKey: aws.String("env"), TagValue: aws.String("prod")}}}, nil
				},
			},
			calls: calls(1, 1, 1, 2),
			check: func(t *testing.T, k *Key) {
				if !k.Known() || k.ARN != testKeyARN || k.Account != testAccount || k.Region != testRegion ||
					k.Manager != ManagerCustomer || k.State != StateEnabled || k.Origin != "AWS_KMS" ||
					k.KeySpec != "SYMMETRIC_DEFAULT" || k.KeyUsage != "ENCRYPT_DECRYPT" || k.MultiRegion {
					t.Errorf("metadata: %+v", k)
				}
				if k.Ref != "arn:aws:kms:us-east-1:111122223333:alias/app" {
					t.Errorf("Ref = %s, want the alias's canonical ref", k.Ref)
				}
				if k.Rotation != (Rotation{Enabled: true, PeriodDays: 180}) {
					t.Errorf("rotation %+v", k.Rotation)
				}
				if k.Policy == "" || k.PolicyError != "" {
					t.Errorf("policy %q / %q", k.Policy, k.PolicyError)
				}
				if len(k.Tags) != 2 || k.Tags["team"] != "ml" || k.Tags["env"] != "prod" || k.TagsError != "" {
					t.Errorf("tags %v / %q", k.Tags, k.TagsError)
				}
			},
		},
		{
			name:  "AWS-managed key described by ID skips rotation, policy and tags",
			raw:   testKeyID,
			fake:  fakeKMS{describe: describeAs(keyMeta(testKeyARN, func(m *types.KeyMetadata) { m.KeyManager = types.KeyManagerTypeAws }))},
			calls: calls(1, 0, 0, 0),
			check: func(t *testing.T, k *Key) {
				if k.Manager != ManagerAWS || k.Rotation.NotApplicable != rotationNAAWSManaged || !k.Known() {
					t.Errorf("got %+v", k)
				}
			},
		},
		{
			name:  "not found",
			raw:   testKeyARN,
			fake:  fakeKMS{describe: describeErr(&types.NotFoundException{Message: aws.String("Key not found")})},
			calls: calls(1, 0, 0, 0),
			check: func(t *testing.T, k *Key) {
				if !k.NotFound || k.Known() || k.Error != "" || k.ARN != testKeyARN || k.Manager != ManagerUnknown {
					t.Errorf("got %+v", k)
				}
				if k.Rotation.Error == "" || k.PolicyError == "" || k.TagsError == "" {
					t.Errorf("unread fields must explain themselves: %+v", k)
				}
			},
		},
		{
			name:  "access denied",
			raw:   "arn:aws:kms:us-east-1:444455556666:alias/shared",
			fake:  fakeKMS{describe: describeErr(apiErr("AccessDeniedException"))},
			calls: calls(1, 0, 0, 0),
			check: func(t *testing.T, k *Key) {
				if k.Known() || k.NotFound || !strings.Contains(k.Error, "kms:DescribeKey: access denied") {
					t.Errorf("got %+v", k)
				}
				if k.Account != otherAccount {
					t.Errorf("Account = %s, want the ref's", k.Account)
				}
			},
		},
		{
			name:  "throttled",
			raw:   testKeyID,
			fake:  fakeKMS{describe: describeErr(apiErr("ThrottlingException"))},
			calls: calls(1, 0, 0, 0),
			check: func(t *testing.T, k *Key) {
				if k.Known() || !strings.Contains(k.Error, "throttled") {
					t.Errorf("got %+v", k)
				}
			},
		},
		{
			name:  "retries exhausted",
			raw:   testKeyID,
			fake:  fakeKMS{describe: describeErr(&retry.MaxAttemptsError{Attempt: 8, Err: apiErr("InternalFailure")})},
			calls: calls(1, 0, 0, 0),
			check: func(t *testing.T, k *Key) {
				if k.Known() || k.Error == "" {
					t.Errorf("got %+v", k)
				}
			},
		},
		{
			name: "disabled key",
			raw:  testKeyID,
			fake: fakeKMS{
				describe: describeAs(keyMeta(testKeyARN, func(m *types.KeyMetadata) {
					m.KeyState, m.Enabled = types.KeyStateDisabled, false
				})),
				rotation: rotationIs(false, 0), policy: policyIs("{}"), tags: noTags,
			},
			calls: calls(1, 1, 1, 1),
			check: func(t *testing.T, k *Key) {
				if !k.Known() || k.State != "Disabled" || k.Rotation.Enabled || !k.DeletionDate.IsZero() {
					t.Errorf("got %+v", k)
				}
			},
		},
		{
			name: "pending deletion",
			raw:  testKeyID,
			fake: fakeKMS{
				describe: describeAs(keyMeta(testKeyARN, func(m *types.KeyMetadata) {
					m.KeyState, m.Enabled, m.DeletionDate = types.KeyStatePendingDeletion, false, aws.Time(deletionDate)
				})),
				rotation: func(*kms.GetKeyRotationStatusInput) (*kms.GetKeyRotationStatusOutput, error) {
					return nil, &types.KMSInvalidStateException{Message: aws.String("pending deletion")}
				},
				policy: policyIs("{}"), tags: noTags,
			},
			calls: calls(1, 1, 1, 1),
			check: func(t *testing.T, k *Key) {
				if !k.Known() || k.State != "PendingDeletion" || !k.DeletionDate.Equal(deletionDate) {
					t.Errorf("got %+v", k)
				}
				if !strings.Contains(k.Rotation.Error, "KMSInvalidStateException") {
					t.Errorf("rotation %+v", k.Rotation)
				}
			},
		},
		{
			name: "imported key material",
			raw:  testKeyID,
			fake: fakeKMS{
				describe: describeAs(keyMeta(testKeyARN, func(m *types.KeyMetadata) { m.Origin = types.OriginTypeExternal })),
				policy:   policyIs("{}"), tags: noTags,
			},
			calls: calls(1, 0, 1, 1),
			check: func(t *testing.T, k *Key) {
				if k.Origin != "EXTERNAL" || k.Rotation != (Rotation{NotApplicable: rotationNAImported}) {
					t.Errorf("got %+v", k)
				}
			},
		},
		{
			name: "custom key store",
			raw:  testKeyID,
			fake: fakeKMS{
				describe: describeAs(keyMeta(testKeyARN, func(m *types.KeyMetadata) { m.Origin = types.OriginTypeAwsCloudhsm })),
				policy:   policyIs("{}"), tags: noTags,
			},
			calls: calls(1, 0, 1, 1),
			check: func(t *testing.T, k *Key) {
				if k.Rotation.NotApplicable != rotationNAKeyStore {
					t.Errorf("got %+v", k.Rotation)
				}
			},
		},
		{
			name: "asymmetric key",
			raw:  testKeyID,
			fake: fakeKMS{
				describe: describeAs(keyMeta(testKeyARN, func(m *types.KeyMetadata) {
					m.KeySpec, m.KeyUsage = types.KeySpecRsa2048, types.KeyUsageTypeSignVerify
				})),
				policy: policyIs("{}"), tags: noTags,
			},
			calls: calls(1, 0, 1, 1),
			check: func(t *testing.T, k *Key) {
				if k.KeySpec != "RSA_2048" || k.Rotation.NotApplicable != rotationNAKeySpec {
					t.Errorf("got %+v", k)
				}
			},
		},
		{
			name: "cross-account key: rotation read, policy and tags not",
			raw:  crossARN,
			fake: fakeKMS{
				describe: func(in *kms.DescribeKeyInput) (*kms.DescribeKeyOutput, error) {
					if aws.ToString(in.KeyId) != crossARN {
						return nil, fmt.Errorf("KeyId %q, want the ARN as written", aws.ToString(in.KeyId))
					}
					return &kms.DescribeKeyOutput{KeyMetadata: keyMeta(crossARN)}, nil
				},
				rotation: rotationIs(true, 365),
			},
			calls: calls(1, 1, 0, 0),
			check: func(t *testing.T, k *Key) {
				if !k.Known() || k.Account != otherAccount || !k.Rotation.Enabled {
					t.Errorf("got %+v", k)
				}
				if !strings.Contains(k.PolicyError, "key is in account 444455556666") || k.Policy != "" {
					t.Errorf("policy %q / %q", k.Policy, k.PolicyError)
				}
				if !strings.Contains(k.TagsError, "key is in account 444455556666") || k.Tags != nil {
					t.Errorf("tags %v / %q", k.Tags, k.TagsError)
				}
			},
		},
		{
			name: "key ID written on a resource in another account is described by ARN",
			raw:  "",
			fake: fakeKMS{
				describe: func(in *kms.DescribeKeyInput) (*kms.DescribeKeyOutput, error) {
					if aws.ToString(in.KeyId) != crossARN {
						return nil, fmt.Errorf("KeyId %q, want %s", aws.ToString(in.KeyId), crossARN)
					}
					return &kms.DescribeKeyOutput{KeyMetadata: keyMeta(crossARN)}, nil
				},
				rotation: rotationIs(true, 365),
			},
			calls: calls(1, 1, 0, 0),
			check: func(t *testing.T, k *Key) {
				if !k.Known() || k.ARN != crossARN {
					t.Errorf("got %+v", k)
				}
			},
		},
		{
			name: "rotation, policy and tags errors are recorded separately",
			raw:  testKeyID,
			fake: fakeKMS{
				describe: describeAs(keyMeta(testKeyARN)),
				rotation: func(*kms.GetKeyRotationStatusInput) (*kms.GetKeyRotationStatusOutput, error) {
					return nil, apiErr("AccessDeniedException")
				},
				policy: func(*kms.GetKeyPolicyInput) (*kms.GetKeyPolicyOutput, error) {
					return nil, apiErr("AccessDeniedException")
				},
				tags: func(*kms.ListResourceTagsInput) (*kms.ListResourceTagsOutput, error) {
					return nil, apiErr("ThrottlingException")
				},
			},
			calls: calls(1, 1, 1, 1),
			check: func(t *testing.T, k *Key) {
				if !k.Known() {
					t.Errorf("key itself was described: %+v", k)
				}
				if !strings.Contains(k.Rotation.Error, "kms:GetKeyRotationStatus: access denied") || k.Rotation.Enabled {
					t.Errorf("rotation %+v", k.Rotation)
				}
				if !strings.Contains(k.PolicyError, "kms:GetKeyPolicy: access denied") {
					t.Errorf("policy error %q", k.PolicyError)
				}
				if !strings.Contains(k.TagsError, "kms:ListResourceTags: throttled") || k.Tags != nil {
					t.Errorf("tags %v / %q", k.Tags, k.TagsError)
				}
			},
		},
		{
			name: "multi-Region replica in its own region",
			raw:  replica,
			fake: fakeKMS{
				describe: describeAs(keyMeta(replica, func(m *types.KeyMetadata) {
					m.MultiRegion = aws.Bool(true)
					m.MultiRegionConfiguration = &types.MultiRegionConfiguration{MultiRegionKeyType: types.MultiRegionKeyTypeReplica}
				})),
				rotation: rotationIs(true, 365), policy: policyIs("{}"), tags: noTags,
			},
			calls: calls(1, 1, 1, 1),
			check: func(t *testing.T, k *Key) {
				if !k.MultiRegion || k.MultiRegionType != "REPLICA" || k.Region != "eu-west-1" {
					t.Errorf("got %+v", k)
				}
			},
		},
		{
			name:  "response without metadata",
			raw:   testKeyID,
			fake:  fakeKMS{describe: describeAs(nil)},
			calls: calls(1, 0, 0, 0),
			check: func(t *testing.T, k *Key) {
				if k.Known() || !strings.Contains(k.Error, "no key ARN") {
					t.Errorf("got %+v", k)
				}
			},
		},
		{
			name: "a panicking client yields an unknown key",
			raw:  testKeyID,
			fake: fakeKMS{describe: func(*kms.DescribeKeyInput) (*kms.DescribeKeyOutput, error) {
				panic("boom")
			}},
			calls: calls(1, 0, 0, 0),
			check: func(t *testing.T, k *Key) {
				if k.Known() || !strings.Contains(k.Error, "boom") {
					t.Errorf("got %+v", k)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := tt.fake
			f.t = t
			r := newTestResolver(&f)
			ref := ParseRef(tt.raw, testAccount, testRegion)
			if tt.raw == "" { // a bare key ID on a resource in another account
				ref = ParseRef(testKeyID, otherAccount, testRegion)
			}
			k := r.Resolve(context.Background(), ref)
			if k == nil {
				t.Fatal("Resolve returned nil")
			}
			tt.check(t, k)
			if again := r.Resolve(context.Background(), ref); again != k {
				t.Errorf("second Resolve returned a different *Key")
			}
			if got := r.Calls(); !maps.Equal(got, tt.calls) {
				t.Errorf("calls = %v, want %v", got, tt.calls)
			}
		})
	}
}

func TestResolveUsesClientOfRefRegion(t *testing.T) {
	t.Parallel()
	const arn = "arn:aws:kms:ap-southeast-2:111122223333:key/" + testKeyID
	var mu sync.Mutex
	asked := map[string]int{}
	f := &fakeKMS{t: t, describe: describeAs(keyMeta(arn)), rotation: rotationIs(true, 365), policy: policyIs("{}"), tags: noTags}
	r := NewResolver(testAccount, func(region string) KMSAPI {
		mu.Lock()
		defer mu.Unlock()
		asked[region]++
		return f
	})
	k := r.Resolve(context.Background(), ParseRef(arn, testAccount, testRegion))
	if !k.Known() || k.Region != "ap-southeast-2" {
		t.Fatalf("got %+v", k)
	}
	if len(asked) != 1 || asked["ap-southeast-2"] != 1 {
		t.Errorf("clientFor called with %v, want once for ap-southeast-2", asked)
	}
}

func TestResolveWithoutClient(t *testing.T) {
	t.Parallel()
	r := NewResolver(testAccount, func(string) KMSAPI { return nil })
	k := r.Resolve(context.Background(), ParseRef(testKeyID, testAccount, "me-central-1"))
	if k.Known() || !strings.Contains(k.Error, "no KMS client") {
		t.Errorf("got %+v", k)
	}
}

func TestResolveConcurrentSameRefDescribesOnce(t *testing.T) {
	t.Parallel()
	var inFlight atomic.Int32
	f := &fakeKMS{
		t: t,
		describe: func(*kms.DescribeKeyInput) (*kms.DescribeKeyOutput, error) {
			inFlight.Add(1)
			time.Sleep(20 * time.Millisecond) // let the other goroutines pile up
			return &kms.DescribeKeyOutput{KeyMetadata: keyMeta(testKeyARN)}, nil
		},
		rotation: rotationIs(true, 365), policy: policyIs("{}"), tags: noTags,
	}
	r := newTestResolver(f)
	ref := ParseRef("alias/app", testAccount, testRegion)

	const n = 50
	got := make([]*Key, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			got[i] = r.Resolve(context.Background(), ref)
		})
	}
	close(start)
	wg.Wait()
	for i, k := range got {
		if k != got[0] {
			t.Fatalf("goroutine %d got a different *Key", i)
		}
	}
	if !got[0].Known() {
		t.Errorf("got %+v", got[0])
	}
	if c := r.Calls(); !maps.Equal(c, calls(1, 1, 1, 1)) {
		t.Errorf("calls = %v, want exactly one of each", c)
	}
}

func TestResolveAliasAndKeyIDShareKeyCalls(t *testing.T) {
	t.Parallel()
	f := &fakeKMS{
		t:        t,
		describe: describeAs(keyMeta(testKeyARN)),
		rotation: rotationIs(true, 365), policy: policyIs(`{"k":"v"}`),
		tags: func(*kms.ListResourceTagsInput) (*kms.ListResourceTagsOutput, error) {
			return &kms.ListResourceTagsOutput{Tags: []types.Tag{{TagKey: aws.String("a"), TagValue: aws.String("b")}}}, nil
		},
	}
	r := newTestResolver(f)
	raws := []string{
		"alias/app", testKeyID, testKeyARN, "arn:aws:kms:us-east-1:111122223333:alias/app",
		"alias/app", testKeyID, // duplicates are resolved once
	}
	var refs []Ref
	for _, raw := range raws {
		refs = append(refs, ParseRef(raw, testAccount, testRegion))
	}
	set := r.ResolveAll(context.Background(), refs, 3)

	for _, ref := range refs {
		k, ok := set.Get(ref.Canonical())
		if !ok {
			t.Fatalf("%s missing from set", ref.Canonical())
		}
		if k.ARN != testKeyARN || k.Ref != ref.Canonical() || k.Policy != `{"k":"v"}` || k.Tags["a"] != "b" {
			t.Errorf("%s: got %+v", ref.Raw, k)
		}
	}
	// Lookup by the raw forms a caller holds works too.
	if k, ok := set.Lookup("alias/app", testAccount, testRegion); !ok || k.ARN != testKeyARN {
		t.Errorf("Lookup(alias/app) = %+v, %v", k, ok)
	}
	// Two canonical references (alias, key) → two DescribeKey calls; one
	// key ARN → one call each for rotation, policy and tags.
	if c := r.Calls(); !maps.Equal(c, calls(2, 1, 1, 1)) {
		t.Errorf("calls = %v, want %v", c, calls(2, 1, 1, 1))
	}
}

func TestResolveAllDefaultLimitAndEmpty(t *testing.T) {
	t.Parallel()
	r := newTestResolver(&fakeKMS{t: t})
	set := r.ResolveAll(context.Background(), nil, 0)
	if _, ok := set.Get("anything"); ok {
		t.Error("empty input produced keys")
	}
	ref := ParseRef("alias/aws/sagemaker", testAccount, testRegion)
	set = r.ResolveAll(context.Background(), []Ref{ref}, 0)
	if k, ok := set.Get(ref.Canonical()); !ok || k.Manager != ManagerAWS {
		t.Errorf("got %+v, %v", k, ok)
	}
}

func TestResolveCanceledContext(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	f := &fakeKMS{t: t, describe: func(*kms.DescribeKeyInput) (*kms.DescribeKeyOutput, error) {
		return nil, ctx.Err()
	}}
	k := newTestResolver(f).Resolve(ctx, ParseRef(testKeyID, testAccount, testRegion))
	if k.Known() || !strings.Contains(k.Error, "canceled") {
		t.Errorf("got %+v", k)
	}
}
