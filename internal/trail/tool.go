package trail

import "strings"

// Tools a create or key event can be made with, read from its user agent.
const (
	ToolConsole        = "console"
	ToolTerraform      = "terraform"
	ToolCloudFormation = "cloudformation"
	ToolCDK            = "cdk"
	ToolSageMakerSDK   = "sagemaker-python-sdk"
	ToolBoto3          = "boto3"
	ToolCLI            = "aws-cli"
	ToolSDK            = "aws-sdk"
	ToolAWSService     = "aws-service"
	ToolOther          = "other"
)

// toolMarkers are checked in order: the more specific marker first, since
// the SageMaker Python SDK runs on boto3, CDK deploys through
// CloudFormation and Terraform through the Go SDK. The SageMaker Python SDK
// writes "AWS-SageMaker-Python-SDK/<version>" (older releases) or
// "lib/AWS-SageMaker-Python-SDK#<version>" (user agent 2.0) into the boto3
// user agent. It is a function so that no caller can change the table.
func toolMarkers() []struct{ marker, tool string } {
	return []struct{ marker, tool string }{
		{"aws-cdk", ToolCDK},
		{"terraform", ToolTerraform},
		{"hashicorp", ToolTerraform},
		{"sagemaker-python-sdk", ToolSageMakerSDK},
		{"cloudformation.amazonaws.com", ToolCloudFormation},
		{"console.amazonaws.com", ToolConsole},
		{"console.aws.amazon.com", ToolConsole},
		{"aws internal", ToolConsole},
		{"signin.amazonaws.com", ToolConsole},
		{"aws-cli/", ToolCLI},
		{"boto3/", ToolBoto3},
		{"aws-sdk-", ToolSDK},
		{"botocore/", ToolSDK},
		{".amazonaws.com", ToolAWSService},
	}
}

// ToolOf names the tool behind a user agent.
func ToolOf(userAgent string) string {
	ua := strings.ToLower(userAgent)
	for _, m := range toolMarkers() {
		if strings.Contains(ua, m.marker) {
			return m.tool
		}
	}
	return ToolOther
}

// Who names a caller in a sentence: the principal, and the session it used
// when that says more (an assumed role's session name is often a person).
func Who(principal, identity string) string {
	if identity == "" || identity == principal {
		return principal
	}
	return principal + " (as " + identity + ")"
}

// ToolText is a tool as a sentence says it: "with terraform", not "with
// other".
func ToolText(tool string) string {
	switch tool {
	case "":
		return "an unknown tool"
	case ToolOther:
		return "an unrecognised tool"
	}
	return tool
}
