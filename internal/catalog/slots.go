package catalog

// Constructors for the slot shapes most kinds share, so each kind's entry
// states only what differs (field path, IaC names, instance table).

func volumeSlot(apiField, terraform, cfn string, table Table, access KeyAccess) SlotSpec {
	return SlotSpec{
		ID: "volume", Title: "ML storage volume of the job's instances",
		APIField: apiField, Terraform: terraform, CloudFormation: cfn,
		ConditionKeys: volumeConditionKeys, LocalStorage: table, EmptyMeans: emptyVolume, Access: access,
	}
}

func outputSlot(apiField, terraform, cfn string, conditionKeys []string, access KeyAccess) SlotSpec {
	return SlotSpec{
		ID: "output", Title: "output written to S3",
		APIField: apiField, Terraform: terraform, CloudFormation: cfn,
		ConditionKeys: conditionKeys, S3Output: true, EmptyMeans: emptyS3, Access: access,
	}
}

// s3Slot is an S3-bound slot with its own id.
func s3Slot(id, title, apiField, terraform, cfn string, conditionKeys []string, access KeyAccess) SlotSpec {
	s := outputSlot(apiField, terraform, cfn, conditionKeys, access)
	s.ID, s.Title = id, title
	return s
}

// immutableJob is the remediation of every job record that cannot change.
func immutableJob(what, fields string) string {
	return what + " records are immutable. Run the job again with " + fields +
		" set to customer-managed keys, then re-encrypt or delete the old outputs."
}

// What each slot's key asks of the workload's execution role
// (SlotSpec.Access), per AWS documentation. Every profile is written once
// here and the kinds pick one, so a corrected fact reaches every slot it
// governs. Each profile names the page its actions come from. Where AWS
// documents the actions only for another principal (the caller of a Create
// API) or only for a related kind, Unconfirmed says so, so findings can
// present the row as sagekey's reading rather than AWS's word.
//
// The profiles list what the role needs while the workload runs, not what
// its creator needs: the KMS actions a Create call checks on the caller
// belong to whoever calls it, which no Describe output records.

// The services that call KMS with the execution role's credentials; their
// requests carry kms:ViaService = <service>.<region>.amazonaws.com.
const (
	// viaSageMaker: SageMaker creates, with the role's credentials, the grant
	// that lets its infrastructure use the key for the volumes it attaches
	// (the HyperPod key policy AWS documents conditions the role's
	// kms:CreateGrant and kms:DescribeKey on this service).
	viaSageMaker = "sagemaker"
	// viaS3: an SSE-KMS object is written and read through S3, which calls
	// KMS for the principal that puts or gets it.
	viaS3 = "s3"
)

// AWS documentation pages the profiles cite.
const (
	docRoles         = "https://docs.aws.amazon.com/sagemaker/latest/dg/sagemaker-roles.html"
	docRolesTraining = docRoles + "#sagemaker-roles-createtrainingjob-perms"
	docRolesProcess  = docRoles + "#sagemaker-roles-createprocessingjob-perms"
	docRolesTuning   = docRoles + "#sagemaker-roles-createhyperparametertiningjob-perms" // AWS's spelling
	docRolesAutoML   = docRoles + "#sagemaker-roles-autopilot-perms"
	docRolesDomain   = docRoles + "#sagemaker-roles-createdomain-perms"
	// The API permissions table lists kms:CreateGrant for the callers of
	// CreateEndpoint, CreateTransformJob ("only if ... the associated role
	// does not have a policy that permits this action") and
	// CreateNotebookInstance (with kms:DescribeKey).
	docAPIPermissions = "https://docs.aws.amazon.com/sagemaker/latest/dg/api-permissions-reference.html"
	docGroundTruth    = "https://docs.aws.amazon.com/sagemaker/latest/dg/sms-security-kms-permissions.html"
	docHyperPod       = "https://docs.aws.amazon.com/sagemaker/latest/dg/smcluster-cmk.html"
	docRecommenderIn  = "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_RecommendationJobInputConfig.html"
	docRecommenderOut = "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_RecommendationJobOutputConfig.html"
	docOnlineStore    = "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_OnlineStoreSecurityConfig.html"
	docOfflineStore   = "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_S3StorageConfig.html"
	docPartnerApp     = "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreatePartnerApp.html"
	// Writing an SSE-KMS object, multipart uploads included (SageMaker
	// uploads model artifacts and other large outputs in parts), needs
	// kms:GenerateDataKey and kms:Decrypt; reading one needs kms:Decrypt.
	docS3Multipart = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/mpuoverview.html#mpuAndPermissions"
)

// volumeGrant is an ML storage volume of a SageMaker job or endpoint.
// SageMaker's page asks the role for kms:CreateGrant, with which SageMaker
// hands the key to the infrastructure that attaches the volume
// (sagemaker-roles.html: "If you specify a volume KMS key in the resource
// configuration of your training job, add ... kms:CreateGrant"). Creating
// an encrypted EBS volume also makes EBS describe the key and generate the
// volume's data key for the principal that creates it (docEBSKMS: "Amazon
// EBS sends a GenerateDataKeyWithoutPlaintext request"), so sagekey also
// requires kms:DescribeKey and kms:GenerateDataKeyWithoutPlaintext: a role
// without them would be a PASS AWS might not honour, and granting them costs
// nothing. That part is marked unconfirmed on every row.
func volumeGrant(source, unconfirmed string) KeyAccess {
	note := unconfirmedEBSCalls
	if unconfirmed != "" {
		note = unconfirmed + " " + note
	}
	return KeyAccess{Actions: []string{"kms:CreateGrant", "kms:DescribeKey", "kms:GenerateDataKeyWithoutPlaintext"},
		ViaService: viaSageMaker, Source: source, Unconfirmed: note}
}

// unconfirmedEBSCalls says which volume actions SageMaker's pages do not
// list for the role.
const unconfirmedEBSCalls = "kms:DescribeKey and kms:GenerateDataKeyWithoutPlaintext are what EBS calls when it " +
	"creates an encrypted volume (" + docEBSKMS + "); SageMaker's page lists only kms:CreateGrant for the role."

// docEBSKMS is how EBS uses KMS when it creates an encrypted volume.
const docEBSKMS = "https://docs.aws.amazon.com/ebs/latest/userguide/ebs-encryption.html#how-ebs-uses-kms"

// managedVolume is storage SageMaker keeps for a long-lived resource
// (Studio apps and spaces, HyperPod nodes), for which AWS lists
// kms:DescribeKey beside kms:CreateGrant.
func managedVolume(source, unconfirmed string) KeyAccess {
	return KeyAccess{Actions: []string{"kms:CreateGrant", "kms:DescribeKey"}, ViaService: viaSageMaker,
		Source: source, Unconfirmed: unconfirmed}
}

// s3Write is an S3 output the role writes with SSE-KMS.
//
// SageMaker's API reference asks the execution role for kms:Encrypt on
// output keys; S3 never calls Encrypt for SSE-KMS. It asks KMS for a data
// key (kms:GenerateDataKey) and, to complete a multipart upload, to decrypt
// it again (kms:Decrypt), which is what a role without them is denied.
func s3Write(unconfirmed string) KeyAccess {
	return KeyAccess{Actions: []string{"kms:Decrypt", "kms:GenerateDataKey"}, ViaService: viaS3,
		Source: docS3Multipart, Unconfirmed: unconfirmed}
}

// s3Read is an S3 object another principal wrote that the role only reads.
func s3Read(unconfirmed string) KeyAccess {
	return KeyAccess{Actions: []string{"kms:Decrypt"}, ViaService: viaS3, Source: docS3Multipart, Unconfirmed: unconfirmed}
}

// dataKeyOnly is an S3 output for which AWS documents kms:GenerateDataKey
// alone (small objects written in one request).
func dataKeyOnly(source string) KeyAccess {
	return KeyAccess{Actions: []string{"kms:GenerateDataKey"}, ViaService: viaS3, Source: source}
}

// Why rows are sagekey's reading. One sentence each; findings quote them.
const (
	unconfirmedModelRole = "AWS does not say which role writes it; sagekey assumes the models' execution roles, " +
		"which run the containers."
	unconfirmedHostingVolume = "AWS lists kms:CreateGrant for the caller of CreateEndpoint; that the models' " +
		"execution roles need it is sagekey's reading."
	unconfirmedMonitor = "AWS documents this for processing jobs; Model Monitor runs its jobs as processing jobs " +
		"with this role."
	unconfirmedJobOutput = "AWS does not document this job's KMS permissions; sagekey expects its role to write the " +
		"output as other SageMaker jobs do."
	unconfirmedStudioOutput = "AWS does not document these KMS permissions; sagekey assumes the user's execution " +
		"role writes the objects."
	unconfirmedValidationTransform = "AWS says ValidationRole runs the validation training jobs; sagekey assumes it " +
		"runs the transform jobs too."
)
