package keys

import (
	"context"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/service/kms"
)

// KMSAPI is the read-only slice of the KMS API the resolver uses. Keeping it
// this narrow documents the auditor's least-privilege permissions
// (kms:DescribeKey, kms:GetKeyRotationStatus, kms:GetKeyPolicy,
// kms:ListResourceTags, and kms:ListGrants for the key-access checks) and
// lets tests substitute fakes. *kms.Client satisfies it; KMSClientAPI
// adapts one.
type KMSAPI interface {
	DescribeKey(ctx context.Context, params *kms.DescribeKeyInput, optFns ...func(*kms.Options)) (*kms.DescribeKeyOutput, error)
	GetKeyRotationStatus(ctx context.Context, params *kms.GetKeyRotationStatusInput, optFns ...func(*kms.Options)) (*kms.GetKeyRotationStatusOutput, error)
	GetKeyPolicy(ctx context.Context, params *kms.GetKeyPolicyInput, optFns ...func(*kms.Options)) (*kms.GetKeyPolicyOutput, error)
	ListResourceTags(ctx context.Context, params *kms.ListResourceTagsInput, optFns ...func(*kms.Options)) (*kms.ListResourceTagsOutput, error)
	ListGrants(ctx context.Context, params *kms.ListGrantsInput, optFns ...func(*kms.Options)) (*kms.ListGrantsOutput, error)
}

// Operation names used as keys of Resolver.Calls.
const (
	OpDescribeKey          = "DescribeKey"
	OpGetKeyRotationStatus = "GetKeyRotationStatus"
	OpGetKeyPolicy         = "GetKeyPolicy"
	OpListResourceTags     = "ListResourceTags"
	OpListGrants           = "ListGrants"
)

// callCounts counts KMS requests per operation. Counting at the client
// boundary (rather than at each call site) also covers every page fetched by
// the ListResourceTags and ListGrants paginators.
type callCounts struct {
	describe, rotation, policy, tags, grants atomic.Int64
}

func (c *callCounts) snapshot() map[string]int {
	return map[string]int{
		OpDescribeKey:          int(c.describe.Load()),
		OpGetKeyRotationStatus: int(c.rotation.Load()),
		OpGetKeyPolicy:         int(c.policy.Load()),
		OpListResourceTags:     int(c.tags.Load()),
		OpListGrants:           int(c.grants.Load()),
	}
}

// countingKMS wraps a KMSAPI and counts each request before forwarding it.
type countingKMS struct {
	api KMSAPI
	n   *callCounts
}

func (c countingKMS) DescribeKey(ctx context.Context, in *kms.DescribeKeyInput, optFns ...func(*kms.Options)) (*kms.DescribeKeyOutput, error) {
	c.n.describe.Add(1)
	return c.api.DescribeKey(ctx, in, optFns...)
}

func (c countingKMS) GetKeyRotationStatus(ctx context.Context, in *kms.GetKeyRotationStatusInput, optFns ...func(*kms.Options)) (*kms.GetKeyRotationStatusOutput, error) {
	c.n.rotation.Add(1)
	return c.api.GetKeyRotationStatus(ctx, in, optFns...)
}

func (c countingKMS) GetKeyPolicy(ctx context.Context, in *kms.GetKeyPolicyInput, optFns ...func(*kms.Options)) (*kms.GetKeyPolicyOutput, error) {
	c.n.policy.Add(1)
	return c.api.GetKeyPolicy(ctx, in, optFns...)
}

func (c countingKMS) ListResourceTags(ctx context.Context, in *kms.ListResourceTagsInput, optFns ...func(*kms.Options)) (*kms.ListResourceTagsOutput, error) {
	c.n.tags.Add(1)
	return c.api.ListResourceTags(ctx, in, optFns...)
}

func (c countingKMS) ListGrants(ctx context.Context, in *kms.ListGrantsInput, optFns ...func(*kms.Options)) (*kms.ListGrantsOutput, error) {
	c.n.grants.Add(1)
	return c.api.ListGrants(ctx, in, optFns...)
}
