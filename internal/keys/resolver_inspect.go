package keys

import (
	"context"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/sagekey/sagekey/internal/awserr"
)

// Why rotation is not checked, by cause. AWS documents that automatic
// rotation exists only for symmetric keys whose material KMS generated.
const (
	rotationNAAWSManaged = "AWS-managed keys are rotated by AWS"
	rotationNAImported   = "imported key material cannot rotate automatically"
	rotationNAKeyStore   = "keys in a custom key store cannot rotate automatically"
	rotationNAKeySpec    = "only symmetric encryption keys rotate automatically"
)

// inspect builds the Key for described key metadata and reads its rotation,
// policy and tags, and its grants when the resolver reads them. It runs once
// per key ARN. fallbackRegion is used only if the ARN cannot be parsed.
func (r *Resolver) inspect(ctx context.Context, md *types.KeyMetadata, fallbackRegion string) *Key {
	arn := aws.ToString(md.Arn)
	parsed := ParseRef(arn, "", fallbackRegion)
	k := &Key{
		Ref:         arn,
		ARN:         arn,
		Account:     aws.ToString(md.AWSAccountId),
		Region:      parsed.Region,
		Manager:     Manager(md.KeyManager),
		State:       string(md.KeyState),
		Origin:      string(md.Origin),
		MultiRegion: aws.ToBool(md.MultiRegion),
		KeySpec:     string(md.KeySpec),
		KeyUsage:    string(md.KeyUsage),
	}
	if k.Account == "" {
		k.Account = parsed.Account
	}
	if mr := md.MultiRegionConfiguration; mr != nil {
		k.MultiRegionType = string(mr.MultiRegionKeyType)
		k.CopyRegions = copyRegions(mr)
	}
	if md.CreationDate != nil {
		k.CreatedAt = *md.CreationDate
	}
	if md.DeletionDate != nil {
		k.DeletionDate = *md.DeletionDate
	}
	if k.Manager == ManagerAWS {
		// AWS owns the policy and the rotation schedule of its keys; there
		// is nothing for the customer to configure, so nothing to read.
		k.Rotation.NotApplicable = rotationNAAWSManaged
		return k
	}

	client := r.client(k.Region)
	if client == nil {
		noClient := fmt.Sprintf("not read: no KMS client for region %q", k.Region)
		k.Rotation.Error, k.PolicyError, k.TagsError = noClient, noClient, noClient
		if r.grants {
			k.GrantsError = noClient
		}
		return k
	}
	k.Rotation = rotationOf(ctx, client, md)

	if r.account != "" && k.Account != r.account {
		// GetKeyPolicy and ListResourceTags do not work cross-account; say
		// so rather than making calls that can only be denied.
		k.PolicyError = fmt.Sprintf("key is in account %s: its policy can only be read from that account", k.Account)
		k.TagsError = fmt.Sprintf("key is in account %s: its tags can only be read from that account", k.Account)
		if r.grants {
			// KMS would serve ListGrants cross-account if the key policy
			// allowed it, but a key-access verdict needs the key policy
			// too, which only the owner can read: the grants alone decide
			// nothing, so the call (usually denied) is not made.
			k.GrantsError = fmt.Sprintf("key is in account %s: its grants are read only with that account's credentials", k.Account)
		}
		return k
	}
	k.Policy, k.PolicyError = policyOf(ctx, client, arn)
	k.Tags, k.TagsError = tagsOf(ctx, client, arn)
	if r.grants {
		k.Grants, k.GrantsError = grantsOf(ctx, client, arn)
		k.GrantsRead = k.GrantsError == ""
	}
	return k
}

// rotationOf reads the automatic-rotation status of a customer key, or says
// why it does not apply. The key ARN is used because GetKeyRotationStatus
// rejects aliases and needs the ARN cross-account.
func rotationOf(ctx context.Context, client KMSAPI, md *types.KeyMetadata) Rotation {
	switch {
	case md.Origin == types.OriginTypeExternal:
		return Rotation{NotApplicable: rotationNAImported}
	case md.Origin == types.OriginTypeAwsCloudhsm || md.Origin == types.OriginTypeExternalKeyStore:
		return Rotation{NotApplicable: rotationNAKeyStore}
	case md.KeySpec != "" && md.KeySpec != types.KeySpecSymmetricDefault:
		return Rotation{NotApplicable: rotationNAKeySpec}
	}
	out, err := client.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: md.Arn})
	if err != nil {
		return Rotation{Error: awserr.Reason("kms:GetKeyRotationStatus", err)}
	}
	return Rotation{Enabled: out.KeyRotationEnabled, PeriodDays: aws.ToInt32(out.RotationPeriodInDays)}
}

// policyOf reads the key policy. "default" is the only policy name KMS
// supports.
func policyOf(ctx context.Context, client KMSAPI, arn string) (policy, errText string) {
	out, err := client.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: aws.String(arn), PolicyName: aws.String("default")})
	if err != nil {
		return "", awserr.Reason("kms:GetKeyPolicy", err)
	}
	return aws.ToString(out.Policy), ""
}

// tagsOf reads all tags of the key, following pagination. A partial read is
// reported as an error rather than returned as the key's tags.
func tagsOf(ctx context.Context, client KMSAPI, arn string) (map[string]string, string) {
	tags := map[string]string{}
	p := kms.NewListResourceTagsPaginator(client, &kms.ListResourceTagsInput{KeyId: aws.String(arn)},
		// A repeated marker would otherwise loop forever.
		func(o *kms.ListResourceTagsPaginatorOptions) { o.StopOnDuplicateToken = true })
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, awserr.Reason("kms:ListResourceTags", err)
		}
		for _, t := range page.Tags {
			tags[aws.ToString(t.TagKey)] = aws.ToString(t.TagValue)
		}
	}
	return tags, ""
}

// maxGrantsPage is ListGrants' largest page.
const maxGrantsPage = 100

// grantsOf reads every grant of the key, following pagination. As with
// tags, a partial list is an error, never the key's grants: a grant missed
// could be the one that lets a role use the key.
func grantsOf(ctx context.Context, client KMSAPI, arn string) ([]Grant, string) {
	grants := []Grant{} // not nil: read, and possibly none
	// Limit 100 is the API maximum; the default is 50 grants a page.
	p := kms.NewListGrantsPaginator(client, &kms.ListGrantsInput{KeyId: aws.String(arn), Limit: aws.Int32(maxGrantsPage)},
		func(o *kms.ListGrantsPaginatorOptions) { o.StopOnDuplicateToken = true })
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, awserr.Reason("kms:ListGrants", err)
		}
		for _, g := range page.Grants {
			grants = append(grants, grantOf(g))
		}
	}
	return grants, ""
}

// grantOf maps a ListGrants entry. GranteeServicePrincipal, when set, names
// the grantee: for a grant to an AWS service, KMS documents that
// GranteePrincipal may hold a principal standing for several grantees.
func grantOf(g types.GrantListEntry) Grant {
	out := Grant{
		ID:             aws.ToString(g.GrantId),
		Grantee:        aws.ToString(g.GranteePrincipal),
		IssuingAccount: aws.ToString(g.IssuingAccount),
		Operations:     make([]string, 0, len(g.Operations)),
	}
	if sp := aws.ToString(g.GranteeServicePrincipal); sp != "" {
		out.Grantee = sp
	}
	for _, op := range g.Operations {
		out.Operations = append(out.Operations, string(op))
	}
	slices.Sort(out.Operations)
	if c := g.Constraints; c != nil {
		// A SourceArn constraint narrows the grant like an encryption
		// context does: it applies only to requests a service makes on
		// behalf of one resource, which the auditor cannot tell from the
		// role alone, so it is never read as an unconditional grant.
		out.Constrained = len(c.EncryptionContextEquals) > 0 || len(c.EncryptionContextSubset) > 0 ||
			aws.ToString(c.SourceArn) != ""
	}
	return out
}

// copyRegions lists the regions of a multi-Region key's primary and
// replicas, sorted and without repeats.
func copyRegions(mr *types.MultiRegionConfiguration) []string {
	var regions []string
	if mr.PrimaryKey != nil && mr.PrimaryKey.Region != nil {
		regions = append(regions, *mr.PrimaryKey.Region)
	}
	for _, r := range mr.ReplicaKeys {
		if r.Region != nil {
			regions = append(regions, *r.Region)
		}
	}
	slices.Sort(regions)
	return slices.Compact(regions)
}
