package keys_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/sagekey/sagekey/internal/keys"
	"github.com/sagekey/sagekey/internal/motoserver/mototest"
)

// motoAccount is the account moto reports for its default credentials.
const motoAccount = "123456789012"

// TestResolverAgainstMoto creates keys in a real moto_server through the SDK
// and resolves every identifier form, so request serialization, moto's key
// lookup rules and the resolver's classification are exercised together.
func TestResolverAgainstMoto(t *testing.T) {
	t.Parallel()
	srv := mototest.ForTest(t)
	ctx := context.Background()
	const home, away = "us-east-1", "us-west-2"
	clients := map[string]*kms.Client{
		home: kms.NewFromConfig(mototest.Config(t, srv, home)),
		away: kms.NewFromConfig(mototest.Config(t, srv, away)),
	}
	k := clients[home]

	create := func(in *kms.CreateKeyInput) *types.KeyMetadata {
		t.Helper()
		out, err := k.CreateKey(ctx, in)
		if err != nil {
			t.Fatalf("CreateKey: %v", err)
		}
		return out.KeyMetadata
	}
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}

	// Enabled, rotating every 90 days, tagged, and aliased.
	app := create(&kms.CreateKeyInput{Tags: []types.Tag{{TagKey: aws.String("team"), TagValue: aws.String("ml")}}})
	_, err := k.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: app.KeyId, RotationPeriodInDays: aws.Int32(90)})
	must("EnableKeyRotation", err)
	_, err = k.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/app"), TargetKeyId: app.KeyId})
	must("CreateAlias", err)

	disabled := create(&kms.CreateKeyInput{})
	_, err = k.DisableKey(ctx, &kms.DisableKeyInput{KeyId: disabled.KeyId})
	must("DisableKey", err)

	doomed := create(&kms.CreateKeyInput{})
	_, err = k.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: doomed.KeyId, PendingWindowInDays: aws.Int32(7)})
	must("ScheduleKeyDeletion", err)

	mrk := create(&kms.CreateKeyInput{MultiRegion: aws.Bool(true)})
	_, err = k.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: mrk.KeyId})
	must("EnableKeyRotation(mrk)", err)
	rep, err := k.ReplicateKey(ctx, &kms.ReplicateKeyInput{KeyId: mrk.KeyId, ReplicaRegion: aws.String(away)})
	must("ReplicateKey", err)

	imported := create(&kms.CreateKeyInput{Origin: types.OriginTypeExternal})

	r := keys.NewResolver(motoAccount, func(region string) keys.KMSAPI {
		if c, ok := clients[region]; ok {
			return c
		}
		return nil
	})
	resolve := func(raw string) *keys.Key {
		t.Helper()
		return r.Resolve(ctx, keys.ParseRef(raw, motoAccount, home))
	}

	t.Run("every form of one key", func(t *testing.T) {
		appARN := aws.ToString(app.Arn)
		forms := []string{
			aws.ToString(app.KeyId),
			appARN,
			"alias/app",
			"arn:aws:kms:us-east-1:" + motoAccount + ":alias/app",
		}
		before := r.Calls()
		for _, raw := range forms {
			got := resolve(raw)
			if !got.Known() || got.ARN != appARN || got.Account != motoAccount || got.Region != home ||
				got.Manager != keys.ManagerCustomer || got.State != keys.StateEnabled || got.Origin != "AWS_KMS" ||
				got.KeySpec != "SYMMETRIC_DEFAULT" {
				// KeyUsage is not checked: moto 5.2.1 omits it from DescribeKey.
				t.Errorf("%s: got %+v", raw, got)
			}
			// moto 5.2.1 accepts RotationPeriodInDays but does not return it
			// from GetKeyRotationStatus; real KMS does.
			if !got.Rotation.Enabled || (got.Rotation.PeriodDays != 90 && got.Rotation.PeriodDays != 0) ||
				got.Rotation.Error != "" || got.Rotation.NotApplicable != "" {
				t.Errorf("%s: rotation %+v", raw, got.Rotation)
			}
			if !strings.Contains(got.Policy, `"Version"`) || got.PolicyError != "" {
				t.Errorf("%s: policy %q / %q", raw, got.Policy, got.PolicyError)
			}
			if got.Tags["team"] != "ml" || got.TagsError != "" {
				t.Errorf("%s: tags %v / %q", raw, got.Tags, got.TagsError)
			}
		}
		after := r.Calls()
		// key ID and key ARN share one canonical ref, as do alias name and
		// alias ARN: two descriptions, then one read of each kind.
		want := map[string]int{keys.OpDescribeKey: 2, keys.OpGetKeyRotationStatus: 1, keys.OpGetKeyPolicy: 1, keys.OpListResourceTags: 1}
		for op, n := range want {
			if after[op]-before[op] != n {
				t.Errorf("%s calls = %d, want %d", op, after[op]-before[op], n)
			}
		}
	})

	t.Run("disabled", func(t *testing.T) {
		got := resolve(aws.ToString(disabled.KeyId))
		if !got.Known() || got.State != "Disabled" || got.Rotation.Enabled || got.Rotation.Error != "" {
			t.Errorf("got %+v", got)
		}
	})

	t.Run("pending deletion", func(t *testing.T) {
		got := resolve(aws.ToString(doomed.Arn))
		if !got.Known() || got.State != "PendingDeletion" || got.DeletionDate.IsZero() {
			t.Errorf("got %+v", got)
		}
		t.Logf("pending-deletion rotation as moto reports it: %+v", got.Rotation)
	})

	t.Run("multi-Region primary and replica", func(t *testing.T) {
		primary := resolve(aws.ToString(mrk.KeyId))
		if !strings.HasPrefix(aws.ToString(mrk.KeyId), "mrk-") {
			t.Fatalf("moto multi-Region key ID %q lacks the mrk- prefix", aws.ToString(mrk.KeyId))
		}
		if !primary.Known() || !primary.MultiRegion || primary.MultiRegionType != "PRIMARY" || !primary.Rotation.Enabled {
			t.Errorf("primary: got %+v", primary)
		}
		replica := resolve(aws.ToString(rep.ReplicaKeyMetadata.Arn))
		if !replica.Known() || !replica.MultiRegion || replica.MultiRegionType != "REPLICA" || replica.Region != away {
			t.Errorf("replica: got %+v", replica)
		}
		if replica.ARN == primary.ARN {
			t.Errorf("replica and primary share ARN %s", replica.ARN)
		}
		// Each copy is billed: both must know every region the key lives in.
		wantCopies := []string{home, away}
		slices.Sort(wantCopies)
		if !slices.Equal(primary.CopyRegions, wantCopies) || !slices.Equal(replica.CopyRegions, wantCopies) {
			t.Errorf("copy regions: primary %v replica %v, want %v", primary.CopyRegions, replica.CopyRegions, wantCopies)
		}
		if primary.CreatedAt.IsZero() {
			t.Error("primary: creation date not recorded")
		}
		t.Logf("replica rotation as moto reports it: %+v", replica.Rotation)
	})

	t.Run("imported key material", func(t *testing.T) {
		got := resolve(aws.ToString(imported.KeyId))
		if got.Origin != "EXTERNAL" || got.Rotation.NotApplicable == "" {
			t.Errorf("got %+v", got)
		}
	})

	t.Run("missing key and alias", func(t *testing.T) {
		for _, raw := range []string{"0000abcd-12ab-34cd-56ef-1234567890ab", "alias/nope"} {
			got := resolve(raw)
			if !got.NotFound || got.Known() {
				t.Errorf("%s: got %+v", raw, got)
			}
		}
	})

	t.Run("grants", func(t *testing.T) {
		const role = "arn:aws:iam::" + motoAccount + ":role/service-role/ml-exec"
		granted := create(&kms.CreateKeyInput{})
		_, err := k.CreateGrant(ctx, &kms.CreateGrantInput{
			KeyId: granted.KeyId, GranteePrincipal: aws.String(role), Name: aws.String("plain"),
			Operations: []types.GrantOperation{types.GrantOperationDecrypt, types.GrantOperationGenerateDataKey},
		})
		must("CreateGrant", err)
		_, err = k.CreateGrant(ctx, &kms.CreateGrantInput{
			KeyId: granted.KeyId, GranteePrincipal: aws.String(role), Name: aws.String("constrained"),
			Operations:  []types.GrantOperation{types.GrantOperationDecrypt},
			Constraints: &types.GrantConstraints{EncryptionContextSubset: map[string]string{"purpose": "ml"}},
		})
		must("CreateGrant(constrained)", err)

		// A resolver of its own: the one above does not read grants, and
		// its cached keys would hide them.
		gr := keys.NewResolver(motoAccount, func(region string) keys.KMSAPI {
			if c, ok := clients[region]; ok {
				return c
			}
			return nil
		}, keys.WithGrants())
		got := gr.Resolve(ctx, keys.ParseRef(aws.ToString(granted.KeyId), motoAccount, home))
		if !got.Known() || !got.GrantsRead || got.GrantsError != "" || len(got.Grants) != 2 {
			t.Fatalf("got %+v", got)
		}
		byConstraint := map[bool]keys.Grant{}
		for _, g := range got.Grants {
			byConstraint[g.Constrained] = g
		}
		plain, constrained := byConstraint[false], byConstraint[true]
		if plain.Grantee != role || !slices.Equal(plain.Operations, []string{"Decrypt", "GenerateDataKey"}) || plain.ID == "" {
			t.Errorf("plain grant %+v", plain)
		}
		if constrained.Grantee != role || !slices.Equal(constrained.Operations, []string{"Decrypt"}) {
			t.Errorf("constrained grant %+v", constrained)
		}
		ungranted := gr.Resolve(ctx, keys.ParseRef(aws.ToString(disabled.Arn), motoAccount, home))
		if !ungranted.GrantsRead || len(ungranted.Grants) != 0 || ungranted.GrantsError != "" {
			t.Errorf("key without grants: %+v", ungranted)
		}
		if n := gr.Calls()[keys.OpListGrants]; n != 2 {
			t.Errorf("ListGrants calls = %d, want one per key", n)
		}
		if n := r.Calls()[keys.OpListGrants]; n != 0 {
			t.Errorf("a resolver without WithGrants called ListGrants %d times", n)
		}
	})

	t.Run("AWS-managed alias is not looked up", func(t *testing.T) {
		before := r.Calls()[keys.OpDescribeKey]
		got := resolve("alias/aws/sagemaker")
		if got.Manager != keys.ManagerAWS || r.Calls()[keys.OpDescribeKey] != before {
			t.Errorf("got %+v, calls %v", got, r.Calls())
		}
	})
}
