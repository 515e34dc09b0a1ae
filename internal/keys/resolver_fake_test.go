package keys

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go"
)

const (
	testAccount  = "111122223333"
	otherAccount = "444455556666"
	testRegion   = "us-east-1"
	testKeyID    = "1234abcd-12ab-34cd-56ef-1234567890ab"
	testKeyARN   = "arn:aws:kms:us-east-1:111122223333:key/" + testKeyID
)

// fakeKMS is a KMSAPI whose behaviour is set per test. A call to an
// operation whose func is unset fails the test: it proves the resolver made
// a call it must not make. It reports with t.Errorf rather than t.Fatal
// because the resolver calls it from other goroutines, where FailNow is not
// allowed.
type fakeKMS struct {
	t        testing.TB
	describe func(*kms.DescribeKeyInput) (*kms.DescribeKeyOutput, error)
	rotation func(*kms.GetKeyRotationStatusInput) (*kms.GetKeyRotationStatusOutput, error)
	policy   func(*kms.GetKeyPolicyInput) (*kms.GetKeyPolicyOutput, error)
	tags     func(*kms.ListResourceTagsInput) (*kms.ListResourceTagsOutput, error)
	grants   func(*kms.ListGrantsInput) (*kms.ListGrantsOutput, error)
}

var errUnexpected = errors.New("unexpected KMS call")

func (f *fakeKMS) DescribeKey(_ context.Context, in *kms.DescribeKeyInput, _ ...func(*kms.Options)) (*kms.DescribeKeyOutput, error) {
	if f.describe == nil {
		f.t.Errorf("unexpected DescribeKey(%s)", aws.ToString(in.KeyId))
		return nil, errUnexpected
	}
	return f.describe(in)
}

func (f *fakeKMS) GetKeyRotationStatus(_ context.Context, in *kms.GetKeyRotationStatusInput, _ ...func(*kms.Options)) (*kms.GetKeyRotationStatusOutput, error) {
	if f.rotation == nil {
		f.t.Errorf("unexpected GetKeyRotationStatus(%s)", aws.ToString(in.KeyId))
		return nil, errUnexpected
	}
	return f.rotation(in)
}

func (f *fakeKMS) GetKeyPolicy(_ context.Context, in *kms.GetKeyPolicyInput, _ ...func(*kms.Options)) (*kms.GetKeyPolicyOutput, error) {
	if f.policy == nil {
		f.t.Errorf("unexpected GetKeyPolicy(%s)", aws.ToString(in.KeyId))
		return nil, errUnexpected
	}
	return f.policy(in)
}

func (f *fakeKMS) ListResourceTags(_ context.Context, in *kms.ListResourceTagsInput, _ ...func(*kms.Options)) (*kms.ListResourceTagsOutput, error) {
	if f.tags == nil {
		f.t.Errorf("unexpected ListResourceTags(%s)", aws.ToString(in.KeyId))
		return nil, errUnexpected
	}
	return f.tags(in)
}

func (f *fakeKMS) ListGrants(_ context.Context, in *kms.ListGrantsInput, _ ...func(*kms.Options)) (*kms.ListGrantsOutput, error) {
	if f.grants == nil {
		f.t.Errorf("unexpected ListGrants(%s)", aws.ToString(in.KeyId))
		return nil, errUnexpected
	}
	return f.grants(in)
}

// newTestResolver returns a resolver for testAccount whose every region is
// served by f.
func newTestResolver(f *fakeKMS, opts ...Option) *Resolver {
	return NewResolver(testAccount, func(string) KMSAPI { return f }, opts...)
}

// keyMeta is the metadata of a healthy customer key, adjusted by opts.
func keyMeta(arn string, opts ...func(*types.KeyMetadata)) *types.KeyMetadata {
	p := ParseRef(arn, "", "")
	md := &types.KeyMetadata{
		Arn:          aws.String(arn),
		AWSAccountId: aws.String(p.Account),
		KeyId:        aws.String(p.Resource[len("key/"):]),
		KeyManager:   types.KeyManagerTypeCustomer,
		KeyState:     types.KeyStateEnabled,
		Origin:       types.OriginTypeAwsKms,
		KeySpec:      types.KeySpecSymmetricDefault,
		KeyUsage:     types.KeyUsageTypeEncryptDecrypt,
		MultiRegion:  aws.Bool(false),
		Enabled:      true,
	}
	for _, o := range opts {
		o(md)
	}
	return md
}

func describeAs(md *types.KeyMetadata) func(*kms.DescribeKeyInput) (*kms.DescribeKeyOutput, error) {
	return func(*kms.DescribeKeyInput) (*kms.DescribeKeyOutput, error) {
		return &kms.DescribeKeyOutput{KeyMetadata: md}, nil
	}
}

func describeErr(err error) func(*kms.DescribeKeyInput) (*kms.DescribeKeyOutput, error) {
	return func(*kms.DescribeKeyInput) (*kms.DescribeKeyOutput, error) { return nil, err }
}

func rotationIs(enabled bool, days int32) func(*kms.GetKeyRotationStatusInput) (*kms.GetKeyRotationStatusOutput, error) {
	return func(*kms.GetKeyRotationStatusInput) (*kms.GetKeyRotationStatusOutput, error) {
		return &kms.GetKeyRotationStatusOutput{KeyRotationEnabled: enabled, RotationPeriodInDays: aws.Int32(days)}, nil
	}
}

func policyIs(p string) func(*kms.GetKeyPolicyInput) (*kms.GetKeyPolicyOutput, error) {
	return func(*kms.GetKeyPolicyInput) (*kms.GetKeyPolicyOutput, error) {
		return &kms.GetKeyPolicyOutput{Policy: aws.String(p), PolicyName: aws.String("default")}, nil
	}
}

func noTags(*kms.ListResourceTagsInput) (*kms.ListResourceTagsOutput, error) {
	return &kms.ListResourceTagsOutput{}, nil
}

func apiErr(code string) error {
	return &smithy.GenericAPIError{Code: code, Message: code + " from fake"}
}

var deletionDate = time.Date(2026, 9, 30, 0, 0, 0, 0, time.UTC)
