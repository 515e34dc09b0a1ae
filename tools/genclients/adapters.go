package main

// module is sagekey's module path; a package under it is read from the
// repository, any other from the module cache (go list).
const module = "github.com/sagekey/sagekey"

// sdk prefixes the AWS SDK's service packages.
const sdk = "github.com/aws/aws-sdk-go-v2/service/"

// adapter is one narrow interface that sagekey fills with an SDK client.
type adapter struct {
	// dir is the package, relative to the repository root, that gets the
	// adapter in its generated file (outFile).
	dir string
	// iface is the interface: a name declared in dir, or "importpath.Name"
	// for one declared elsewhere (the SDK's own stscreds interface).
	iface string
	// client is the import path of the SDK service whose *Client fills it.
	client string
	// ctor names the generated constructor.
	ctor string
}

// adapters is every place sagekey hands an SDK client to an interface.
// Adding a client to an interface anywhere else keeps the whole client in
// the binary; TestBinaryKeepsOnlyNamedClientMethods fails until it is
// listed here and built with its constructor.
var adapters = []adapter{
	// scan and check: every SageMaker read of the collectors.
	{dir: "internal/collect/sagemaker", iface: "FullAPI", client: sdk + "sagemaker", ctor: "ClientAPI"},
	// scan: tags read in pages of 100.
	{dir: "internal/collect/sagemaker", iface: "TaggingAPI", client: sdk + "resourcegroupstaggingapi", ctor: "TaggingClientAPI"},
	// scan: execution roles and their policies (key-access checks).
	{dir: "internal/collect/iam", iface: "API", client: sdk + "iam", ctor: "ClientAPI"},
	// scan and iac --live: the keys the resources name.
	{dir: "internal/keys", iface: "KMSAPI", client: sdk + "kms", ctor: "KMSClientAPI"},
	// The caller's identity, enabled regions, the organization's accounts,
	// and the roles --org and --accounts assume.
	{dir: "internal/awsclient", iface: "STSAPI", client: sdk + "sts", ctor: "STSClientAPI"},
	{dir: "internal/awsclient", iface: "EC2RegionsAPI", client: sdk + "ec2", ctor: "EC2RegionsClientAPI"},
	{dir: "internal/awsclient", iface: "OrganizationsAPI", client: sdk + "organizations", ctor: "OrganizationsClientAPI"},
	{dir: "internal/awsclient", iface: "github.com/aws/aws-sdk-go-v2/credentials/stscreds.AssumeRoleAPIClient", client: sdk + "sts", ctor: "AssumeRoleClientAPI"},
	// remediate --apply: the endpoint cut-over.
	{dir: "internal/cutover", iface: "API", client: sdk + "sagemaker", ctor: "ClientAPI"},
	// --format asff --import.
	{dir: "internal/securityhub", iface: "API", client: sdk + "securityhub", ctor: "ClientAPI"},
	// serve --queue.
	{dir: "internal/events/consumer", iface: "SQSAPI", client: sdk + "sqs", ctor: "SQSClientAPI"},
	// The SNS alert sink.
	{dir: "internal/alert", iface: "SNSAPI", client: sdk + "sns", ctor: "SNSClientAPI"},
	// trail: log files in S3, the trail's bucket, LookupEvents, Athena,
	// and guardrail discovery.
	{dir: "internal/trail/s3log", iface: "API", client: sdk + "s3", ctor: "ClientAPI"},
	{dir: "internal/trail/s3log", iface: "TrailsAPI", client: sdk + "cloudtrail", ctor: "TrailsClientAPI"},
	{dir: "internal/trail/lookup", iface: "API", client: sdk + "cloudtrail", ctor: "ClientAPI"},
	{dir: "internal/trail/athena", iface: "API", client: sdk + "athena", ctor: "ClientAPI"},
	{dir: "internal/trailscan", iface: "OrgPoliciesAPI", client: sdk + "organizations", ctor: "OrgPoliciesClientAPI"},
	{dir: "internal/trailscan", iface: "IAMPoliciesAPI", client: sdk + "iam", ctor: "IAMPoliciesClientAPI"},
}

// outFile is the generated file's name in each adapter's dir.
const outFile = "client_funcs.go"
