package guardrails

import (
	"fmt"

	"github.com/sagekey/sagekey/internal/keypolicy"
)

// Tag keys of the generated key, the scan's default required tags.
const (
	TagOwner      = "owner"
	TagCostCenter = "cost-center"
)

// key builds the KMS key with its least-privilege policy, or explains in the
// notes why there is none.
func key(s Settings, account string, notes []string) (*Key, []string) {
	if len(s.KeyAdmins) == 0 && len(s.KeyUsers) == 0 {
		return nil, append(notes, "No key admins or key users were given, so no KMS key is generated; "+
			"pass --key-admin and --key-user to generate one with a least-privilege policy.")
	}
	if len(s.KeyAdmins) == 0 {
		notes = append(notes, "No key admins were given: only the account root can manage the key.")
	}
	if len(s.KeyUsers) == 0 {
		notes = append(notes, "No key users were given: add the SageMaker execution roles before SageMaker can use the key.")
	}
	k := &Key{Alias: s.Alias, EnableKeyRotation: true, Tags: map[string]string{}}
	if s.Owner != "" {
		k.Tags[TagOwner] = s.Owner
	} else {
		notes = append(notes, "No owner was given: the key lacks the owner tag the scan's kms-key tag check requires.")
	}
	if s.CostCenter != "" {
		k.Tags[TagCostCenter] = s.CostCenter
	} else {
		notes = append(notes, "No cost center was given: the key lacks the cost-center tag the scan and the KPI cost report use.")
	}
	k.Params = keypolicy.Params{
		Root:   fmt.Sprintf("arn:%s:iam::%s:root", s.Partition, account),
		Admins: s.KeyAdmins, Users: s.KeyUsers,
	}
	k.Policy = keypolicy.Build(k.Params)
	return k, notes
}

// notes are the caveats every reader of the bundle should see.
func notes(b *Bundle) []string {
	out := []string{
		"Roll out on a test OU first: whether IAM fills the …Arn condition keys when a request names a key by alias " +
			"or bare key ID, and whether it still fills the deprecated key names, is not documented (the Null " +
			"statements name both, so they hold either way).",
		"SCPs do not apply to the management account or to service-linked roles; attach the identity-based deny " +
			"policies (iam-deny-*) to roles there, or use them where SCPs are not available.",
		"A serverless-only endpoint configuration has no instance types, so it must still pass KmsKeyId (which " +
			"then encrypts the ECR image); that is intended.",
		"Kinds without an AWS Config managed rule are detected only by running sagekey scan on a schedule.",
	}
	if len(b.Settings.ApprovedKeys) == 0 {
		out = append(out, "No approved keys were given: creates must name some key, but any key (even another "+
			"account's) passes, and optional slots are not constrained at all.")
	}
	if n := len(b.SCPs); n > 4 {
		out = append(out, fmt.Sprintf("%d SCPs are needed; an account or OU can have at most 5 attached, "+
			"including FullAWSAccess.", n))
	}
	for _, r := range b.ConfigRules {
		if r.Caveat != "" {
			out = append(out, "Config rule "+r.Name+": "+r.Caveat+".")
		}
	}
	return out
}
