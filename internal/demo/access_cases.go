package demo

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
)

// primaryAccessCases seeds the key-access cases: one key each, healthy by
// every other check (enabled, rotating, tagged, one owner, no broad
// grants), whose policy or grants decide whether the resource's execution
// role may use it, and the one notebook or training job that uses it.
func (s *seeder) primaryAccessCases(ctx context.Context, region string) error {
	kc := kms.NewFromConfig(s.cfgFor(region))
	exec := s.m.RoleARN(RoleExecution)
	cases := []struct {
		key keySpec
		// notebook or training is the one resource on the key.
		notebook *notebookSpec
		training *trainingSpec
		// volume: the training job's volume uses the key too.
		volume bool
		// access builds the expected key-access verdict from the key ARN.
		access func(arn string) verdict
	}{{
		key: keySpec{name: KeyNamedRole, description: "Claims triage notebooks", owner: "claims", costCenter: "cc-1515",
			policy: s.standardKeyPolicy(RoleClaims), leastPrivilege: onlyRole(RoleClaims)},
		notebook: &notebookSpec{name: "claims-triage-nb", tags: tags("claims", "cc-1515"), role: RoleClaims},
		access: func(string) verdict {
			return verdict{StatusPass, "the key policy names " + RoleClaims + " directly; its IAM policies allow no KMS action",
				[]string{"every execution role may perform every KMS action its 1 role/key pairs need"}}
		},
	}, {
		// Hand-written: no root statement, so IAM policies cannot help;
		// the execution role's IAM policy lists the key in vain.
		key: keySpec{name: KeyNoDelegation, description: "Actuarial reserving models (hand-written key policy)", owner: "actuarial",
			costCenter: "cc-1616", policy: policyDocument{Version: "2012-10-17", Statement: []statement{s.adminStatement()}},
			executionRole: true, leastPrivilege: verdict{StatusPass, "only the key administrator may use it",
				[]string{"only the 1 execution role of the protected resources"}}},
		notebook: &notebookSpec{name: "actuarial-reserving-nb", tags: tags("actuarial", "cc-1616")},
		access: func(arn string) verdict {
			return verdict{StatusFail, "the key policy names only the key administrator and does not delegate to IAM, so the role's IAM policy does not count",
				[]string{"role " + exec + " on key " + arn, "may not kms:CreateGrant, kms:DescribeKey: not in the key policy and no IAM delegation"}}
		},
	}, {
		// The console's default policy: everything is left to IAM, and
		// nobody added the key to the execution role's policy.
		key: keySpec{name: KeyDelegatedOnly, description: "Demand forecasting (default key policy)", owner: "supply-chain",
			costCenter: "cc-1717", policy: policyDocument{Version: "2012-10-17", Statement: []statement{s.rootStatement(), s.adminStatement()}},
			leastPrivilege: verdict{StatusPass, "only the account root and the key administrator may use it",
				[]string{"only the 1 execution role of the protected resources"}}},
		notebook: &notebookSpec{name: "demand-forecast-nb", tags: tags("supply-chain", "cc-1717")},
		access: func(arn string) verdict {
			return verdict{StatusFail, "the key policy delegates to IAM (root) but " + RoleExecution + "'s IAM policy does not list the key",
				[]string{"role " + exec + " on key " + arn, "may not kms:CreateGrant, kms:DescribeKey: the key policy delegates to IAM but the role's policies do not allow it"}}
		},
	}, {
		// Meant to stop hand-made grants, the Deny forgets to except grants
		// for AWS resources, so SageMaker cannot attach the volume.
		key:      s.denyGrantsKey(),
		notebook: &notebookSpec{name: "genomics-variants-nb", tags: tags("genomics", "cc-1818")},
		access: func(arn string) verdict {
			return verdict{StatusFail, "the key policy denies kms:CreateGrant to " + RoleExecution + ", which its Allow statements and IAM policy cannot override",
				[]string{"role " + exec + " on key " + arn, "may not kms:CreateGrant: explicit Deny in key policy statement DenyGrantsToWorkloadRoles"}}
		},
	}, {
		key: keySpec{name: KeySharedRoles, description: "Recommendations training data (shared with analytics and BI)", owner: "recsys",
			costCenter: "cc-6006", policy: s.standardKeyPolicy(RoleRecsysTraining, RoleAnalytics, RoleBIExport),
			leastPrivilege: verdict{StatusFail, "the key policy names three roles but only " + RoleRecsysTraining + " runs a workload on it",
				[]string{"2 principals may use the key beyond the 1 execution role of the resources it protects",
					s.m.RoleARN(RoleAnalytics), s.m.RoleARN(RoleBIExport)}}},
		training: &trainingSpec{name: "recsys-ranker-train", resources: single(smtypes.TrainingInstanceTypeMlM5Xlarge, 1, ""),
			tags: tags("recsys", "cc-6006"), role: RoleRecsysTraining},
		volume: true,
		access: func(string) verdict {
			return verdict{StatusPass, "the key policy names " + RoleRecsysTraining + " directly",
				[]string{"every execution role may perform every KMS action its 2 role/key pairs need"}}
		},
	}, {
		// On NVMe instances the volume slot does not apply: the output's
		// pair alone decides.
		key: s.bucketBoundKey(region),
		training: &trainingSpec{name: "credit-risk-train", resources: single(smtypes.TrainingInstanceTypeMlG4dnXlarge, 1, ""),
			outputPrefix: "/credit-risk/models/", tags: tags("credit-risk", "cc-1919")},
		access: func(arn string) verdict {
			return verdict{StatusError, "the output's Allow depends on the S3 object's encryption context, which sagekey cannot know",
				[]string{"could not verify: role " + exec + " on key " + arn + " (model output in S3)",
					"kms:Decrypt, kms:GenerateDataKey: depends on kms:EncryptionContext:aws:s3:arn (key policy statement AllowUseForCreditRiskModels)"}}
		},
	}, {
		// The platform team grants instead of editing key policies.
		key: keySpec{name: KeyGrantOnly, description: "Payments graph features (access by grant)", owner: "payments", costCenter: "cc-2121",
			policy:         policyDocument{Version: "2012-10-17", Statement: []statement{s.rootStatement(), s.adminStatement()}},
			grantTo:        RoleExecution,
			grantOps:       []kmstypes.GrantOperation{kmstypes.GrantOperationCreateGrant, kmstypes.GrantOperationDescribeKey},
			leastPrivilege: onlyRole(RoleExecution)},
		notebook: &notebookSpec{name: "payments-graph-nb", tags: tags("payments", "cc-2121")},
		access: func(string) verdict {
			return verdict{StatusPass, "a grant gives " + RoleExecution + " kms:CreateGrant and kms:DescribeKey; no policy does",
				[]string{"every execution role may perform every KMS action its 1 role/key pairs need"}}
		},
	}}
	for _, c := range cases {
		c.key.rotation = true
		arn, err := s.createKey(ctx, kc, region, c.key)
		if err != nil {
			return err
		}
		v := c.access(arn)
		if c.notebook != nil {
			nb := *c.notebook
			nb.kmsKey, nb.status, nb.why, nb.access = arn, StatusPass, "KmsKeyId is the key ARN of an enabled CMK", v
			if err := s.createNotebooks(ctx, region, []notebookSpec{nb}); err != nil {
				return err
			}
			continue
		}
		// The spec was written before the key had an ARN.
		j := *c.training
		j.outputKey, j.status, j.why, j.access = arn, StatusPass, "output uses an enabled CMK; volume slot N/A on NVMe", v
		if c.volume {
			j.resources.VolumeKmsKeyId, j.why = &arn, "volume and output both use an enabled CMK"
		}
		if err := s.createTrainingJobs(ctx, region, []trainingSpec{j}); err != nil {
			return err
		}
	}
	return nil
}

// denyGrantsKey is the standard key with a Deny of kms:CreateGrant to the
// execution role. It names no kms:Describe* action: moto applies a key
// policy's Deny statements to DescribeKey whatever their principal.
func (s *seeder) denyGrantsKey() keySpec {
	policy := s.standardKeyPolicy(RoleExecution)
	policy.Statement = append(policy.Statement, statement{Sid: "DenyGrantsToWorkloadRoles", Effect: "Deny",
		Principal: s.principals("role/" + RoleExecution), Action: []string{"kms:CreateGrant"}, Resource: "*"})
	return keySpec{name: KeyDenyGrants, description: "Genomics variant data (no grants for workloads)", owner: "genomics",
		costCenter: "cc-1818", policy: policy, executionRole: true,
		leastPrivilege: onlyRole(RoleExecution)}
}

// bucketBoundKey lets the execution role use the key only for objects
// under one prefix of the region's bucket, by the encryption context S3
// sends: sagekey cannot know the object a request is for, so the output's
// access is unknown (ERROR), never guessed. The execution role's IAM
// policy does not list the key, so delegation does not decide it either.
func (s *seeder) bucketBoundKey(region string) keySpec {
	prefix := "arn:aws:s3:::" + strings.TrimPrefix(s.bucket(region), "s3://") + "/credit-risk/*"
	policy := policyDocument{Version: "2012-10-17", Statement: []statement{
		s.rootStatement(), s.adminStatement(),
		{Sid: "AllowUseForCreditRiskModels", Effect: "Allow", Principal: s.principals("role/" + RoleExecution),
			Action: []string{"kms:Decrypt", "kms:GenerateDataKey*"}, Resource: "*",
			Condition: map[string]map[string]any{"StringLike": {"kms:EncryptionContext:aws:s3:arn": prefix}}},
	}}
	return keySpec{name: KeyBucketBound, description: "Credit risk models (S3 use bound to one prefix)", owner: "credit-risk",
		costCenter: "cc-1919", policy: policy,
		leastPrivilege: onlyRole(RoleExecution)}
}
