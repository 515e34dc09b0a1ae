package remediate

import (
	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/inventory"
	"github.com/sagekey/sagekey/internal/keys"
)

// The key-access and least-privilege part of the fixture: a training job
// whose role may not use either of its keys (one key policy without IAM
// delegation, one that delegates but denies writes), and a key that more
// principals may use than the workloads it protects. The findings are what
// the rules say about these facts (TestFixtureMatchesTheRules).
const (
	trainRole     = "arn:aws:iam::111122223333:role/TrainRole"    // as the job records it
	trainRoleIAM  = "arn:aws:iam::111122223333:role/ml/TrainRole" // as IAM has it
	sageMakerExec = "arn:aws:iam::111122223333:role/SageMakerExec"
	etlGrant      = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0"
)

var (
	// noDelegationKey names no root: only its statements decide.
	noDelegationKey = keys.Key{ARN: keyARN("77777777-7777-7777-7777-777777777777"), Account: acct, Region: east,
		Manager: keys.ManagerCustomer, State: keys.StateEnabled, GrantsRead: true, Policy: `{"Version":"2012-10-17","Statement":[
 {"Sid":"Admins","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/KeyAdmin"},"Action":["kms:Create*","kms:Describe*","kms:Put*","kms:ScheduleKeyDeletion"],"Resource":"*"},
 {"Sid":"Use","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/SageMakerExec"},"Action":["kms:Decrypt","kms:GenerateDataKey","kms:CreateGrant"],"Resource":"*"}]}`}
	// delegatingKey lets IAM decide, but denies writes to all but ETL roles.
	delegatingKey = keys.Key{ARN: keyARN("88888888-8888-8888-8888-888888888888"), Account: acct, Region: east,
		Manager: keys.ManagerCustomer, State: keys.StateEnabled, GrantsRead: true, Policy: `{"Version":"2012-10-17","Statement":[
 {"Sid":"Root","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"},
 {"Sid":"DenyWritesOutsideEtl","Effect":"Deny","Principal":"*","Action":"kms:GenerateDataKey*","Resource":"*","Condition":{"StringNotLike":{"aws:PrincipalArn":"arn:aws:iam::111122223333:role/etl-*"}}}]}`}
	// sharedKey protects train-ebs (run as SageMakerExec) but analytics,
	// reporting, an ETL grant and everyone in the account through S3 may
	// use it too.
	sharedKey = keys.Key{ARN: keyARN("aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa"), Account: acct, Region: east,
		Manager: keys.ManagerCustomer, State: keys.StateEnabled, GrantsRead: true, Policy: `{"Version":"2012-10-17","Statement":[
 {"Sid":"Root","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"},
 {"Sid":"Admins","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/KeyAdmin"},"Action":["kms:Create*","kms:Describe*","kms:Put*","kms:Revoke*","kms:ScheduleKeyDeletion"],"Resource":"*"},
 {"Sid":"Use","Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111122223333:role/SageMakerExec","arn:aws:iam::111122223333:role/analytics"]},"Action":["kms:Decrypt","kms:GenerateDataKey","kms:CreateGrant"],"Resource":"*"},
 {"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111122223333:role/analytics","arn:aws:iam::111122223333:role/reporting"]},"Action":"kms:Decrypt","Resource":"*"},
 {"Sid":"ViaS3InAccount","Effect":"Allow","Principal":{"AWS":"*"},"Action":["kms:Decrypt","kms:GenerateDataKey"],"Resource":"*","Condition":{"StringEquals":{"kms:CallerAccount":"111122223333","kms:ViaService":"s3.us-east-1.amazonaws.com"}}}]}`,
		Grants: []keys.Grant{
			{ID: etlGrant, Grantee: "arn:aws:iam::111122223333:role/etl", Operations: []string{"Decrypt"}},
			{ID: "5a5a", Grantee: "sagemaker.amazonaws.com", Operations: []string{"Decrypt", "GenerateDataKey"}},
		}}
)

// trainAccess is the training job whose role cannot use its keys.
func trainAccess() inventory.Resource {
	return inventory.Resource{Kind: "training-job", ARN: arn("training-job", "train-access"), Name: "train-access",
		Account: acct, Region: east, ExecutionRoles: []string{trainRole}, Slots: []inventory.Slot{
			{Type: "volume", Name: "volume", Label: "ML storage volume", KeyRef: noDelegationKey.ARN, InstanceTypes: []string{"ml.m5.xlarge"}},
			{Type: "output", Name: "output", Label: "output written to S3", KeyRef: delegatingKey.ARN, OutputURI: "s3://models-bucket/out"},
		}}
}

func fixtureIAM() inventory.AccountIAM {
	return inventory.AccountIAM{Account: acct, Roles: []inventory.Role{{ARN: trainRoleIAM, Name: "TrainRole"}}}
}

// keyAccessFinding is training-job.key-access on trainAccess: the volume's
// key names no root, so the key policy must name the role; the output's key
// delegates to IAM but denies writes to all but ETL roles.
func keyAccessFinding() finding.Finding {
	r := trainAccess()
	return finding.Finding{CheckID: "training-job.key-access", Status: finding.Fail, Severity: finding.High,
		Message: "2 of 2 role/key pairs cannot use the key: role " + trainRole + " on key " + noDelegationKey.ARN +
			" (ML storage volume): may not kms:CreateGrant, kms:DescribeKey, kms:GenerateDataKeyWithoutPlaintext: not in the key policy and no IAM delegation; role " + trainRole +
			" on key " + delegatingKey.ARN + " (output written to S3): may not kms:Decrypt: the key policy delegates to IAM " +
			"but the role's policies do not allow it; kms:GenerateDataKey: explicit Deny in key policy statement DenyWritesOutsideEtl",
		Resource: finding.Resource{ARN: r.ARN, Kind: r.Kind, Name: r.Name, Account: acct, Region: east},
		Access: []finding.Access{
			{Role: trainRole, KeyARN: noDelegationKey.ARN, Slots: []string{"ML storage volume"},
				ViaService: "sagemaker.us-east-1.amazonaws.com", Status: finding.Fail,
				Actions: []string{"kms:CreateGrant", "kms:DescribeKey", "kms:GenerateDataKeyWithoutPlaintext"},
				Missing: []string{"kms:CreateGrant", "kms:DescribeKey", "kms:GenerateDataKeyWithoutPlaintext"},
				Reason:  "kms:CreateGrant, kms:DescribeKey, kms:GenerateDataKeyWithoutPlaintext: not in the key policy and no IAM delegation"},
			{Role: trainRole, KeyARN: delegatingKey.ARN, Slots: []string{"output written to S3"},
				ViaService: "s3.us-east-1.amazonaws.com", Status: finding.Fail,
				Actions: []string{"kms:Decrypt", "kms:GenerateDataKey"}, Missing: []string{"kms:Decrypt", "kms:GenerateDataKey"},
				Reason: "kms:Decrypt: the key policy delegates to IAM but the role's policies do not allow it; " +
					"kms:GenerateDataKey: explicit Deny in key policy statement DenyWritesOutsideEtl",
				Delegated: true},
		}}
}

// leastPrivilegeFinding is kms-key.least-privilege on sharedKey.
func leastPrivilegeFinding(protects finding.Resource) finding.Finding {
	f := keyFinding("kms-key.least-privilege", finding.Medium, sharedKey, "4 principals may use the key beyond the 1 "+
		"execution role of the resources it protects: * (kms:Decrypt, kms:GenerateDataKey; key policy statement "+
		"ViaS3InAccount (if kms:CallerAccount, kms:ViaService)); arn:aws:iam::111122223333:role/analytics (kms:CreateGrant, "+
		"kms:Decrypt, kms:GenerateDataKey; key policy statement #4, key policy statement Use); arn:aws:iam::111122223333:role/etl "+
		"(kms:Decrypt; grant "+etlGrant+"); arn:aws:iam::111122223333:role/reporting (kms:Decrypt; key policy statement #4)", protects)
	f.Principals = []finding.KeyPrincipal{
		{Principal: "*", Actions: []string{"kms:Decrypt", "kms:GenerateDataKey"},
			Sources: []string{"key policy statement ViaS3InAccount (if kms:CallerAccount, kms:ViaService)"}},
		{Principal: "arn:aws:iam::111122223333:role/analytics", Actions: []string{"kms:CreateGrant", "kms:Decrypt", "kms:GenerateDataKey"},
			Sources: []string{"key policy statement #4", "key policy statement Use"}},
		{Principal: "arn:aws:iam::111122223333:role/etl", Actions: []string{"kms:Decrypt"}, Sources: []string{"grant " + etlGrant}},
		{Principal: "arn:aws:iam::111122223333:role/reporting", Actions: []string{"kms:Decrypt"}, Sources: []string{"key policy statement #4"}},
	}
	return f
}
