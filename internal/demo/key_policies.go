package demo

// The key policies of the demo keys, shaped like the one the KMS console
// writes for a key with administrators and users, so the key-access checks
// judge the statements real estates have. Each case in access_cases.go
// departs from it in one way.

// standardKeyPolicy delegates to IAM (the account root), lets the key
// administrator manage the key and lets users use it.
func (s *seeder) standardKeyPolicy(users ...string) policyDocument {
	return policyDocument{Version: "2012-10-17", Statement: []statement{
		s.rootStatement(), s.adminStatement(), s.usageStatement(users...), s.attachmentStatement(users...),
	}}
}

// rootStatement delegates to IAM: the account's IAM policies may then allow
// any principal of the account.
func (s *seeder) rootStatement() statement {
	return statement{Sid: "EnableIAMUserPermissions", Effect: "Allow", Principal: s.principals("root"),
		Action: []string{"kms:*"}, Resource: "*"}
}

// adminStatement has no cryptographic action but kms:Create* (which
// includes kms:CreateGrant), as the console writes it.
func (s *seeder) adminStatement() statement {
	return statement{Sid: "AllowKeyAdministration", Effect: "Allow", Principal: s.principals("role/" + RoleKeyAdmin),
		Action: []string{"kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*", "kms:Update*",
			"kms:Revoke*", "kms:Disable*", "kms:Get*", "kms:Delete*", "kms:TagResource", "kms:UntagResource",
			"kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion", "kms:RotateKeyOnDemand"},
		Resource: "*"}
}

func (s *seeder) usageStatement(users ...string) statement {
	return statement{Sid: "AllowUseOfTheKey", Effect: "Allow", Principal: s.principals(roles(users)...),
		Action:   []string{"kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"},
		Resource: "*"}
}

// attachmentStatement lets users have AWS services create grants for the
// resources they manage, such as the EBS volume of a notebook.
func (s *seeder) attachmentStatement(users ...string) statement {
	return statement{Sid: "AllowAttachmentOfPersistentResources", Effect: "Allow", Principal: s.principals(roles(users)...),
		Action: []string{"kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"}, Resource: "*",
		Condition: map[string]map[string]any{"Bool": {"kms:GrantIsForAWSResource": "true"}}}
}

// principals is an AWS principal of the seeder's account: one ARN as a
// string, several as a list, as policies are usually written.
func (s *seeder) principals(resources ...string) map[string]any {
	arns := make([]string, len(resources))
	for i, r := range resources {
		arns[i] = "arn:aws:iam::" + s.m.Account + ":" + r
	}
	if len(arns) == 1 {
		return map[string]any{"AWS": arns[0]}
	}
	return map[string]any{"AWS": arns}
}

func roles(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = "role/" + n
	}
	return out
}
