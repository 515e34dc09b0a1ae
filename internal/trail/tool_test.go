package trail

import "testing"

// TestToolOf reads real user agents as CloudTrail records them.
func TestToolOf(t *testing.T) {
	cases := []struct{ name, ua, want string }{
		{"console, internal call", "AWS Internal", ToolConsole},
		{"console", "console.amazonaws.com", ToolConsole},
		{"console sign-in", "signin.amazonaws.com", ToolConsole},
		{"terraform", "APN/1.0 HashiCorp/1.0 Terraform/1.9.8 (+https://www.terraform.io) terraform-provider-aws/5.80.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.32.5 os/linux lang/go#1.23.3 md/GOOS#linux md/GOARCH#amd64 api/sagemaker#1.168.1", ToolTerraform},
		{"terraform, AWS SDK for Go v1", "aws-sdk-go/1.44.122 (go1.19.3; linux; amd64) APN/1.0 HashiCorp/1.0 Terraform/1.3.6 (+https://www.terraform.io) terraform-provider-aws/4.50.0 (+https://registry.terraform.io/providers/hashicorp/aws)", ToolTerraform},
		{"cloudformation", "cloudformation.amazonaws.com", ToolCloudFormation},
		{"cdk cli", "aws-sdk-js/3.637.0 ua/2.1 os/linux#6.5.0 lang/js md/nodejs#20.17.0 api/cloudformation#3.637.0 aws-cdk/2.160.0", ToolCDK},
		{"boto3", "Boto3/1.35.0 md/Botocore#1.35.0 ua/2.0 os/linux#5.10.219-208.866.amzn2.x86_64 md/arch#x86_64 lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.35.0", ToolBoto3},
		{"sagemaker python sdk, user agent 2.0 (lib/...#version)", "Boto3/1.35.0 md/Botocore#1.35.0 ua/2.0 os/linux#5.10 md/arch#x86_64 lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.35.0 lib/AWS-SageMaker-Python-SDK#2.232.1", ToolSageMakerSDK},
		{"sagemaker python sdk on a notebook instance", "Boto3/1.34.131 md/Botocore#1.34.131 ua/2.0 os/linux#5.10 md/arch#x86_64 lang/python#3.10.14 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.131 lib/AWS-SageMaker-Python-SDK#2.224.1 md/AWS-SageMaker-Notebook-Instance#ml.t3.medium", ToolSageMakerSDK},
		{"sagemaker python sdk, older prefix", "AWS-SageMaker-Python-SDK/2.120.0 Python/3.8.10 Linux/5.4.0 Boto3/1.26.16 Botocore/1.29.16", ToolSageMakerSDK},
		{"aws cli v2", "aws-cli/2.15.0 Python/3.11.6 Linux/5.10.205-195.807.amzn2.x86_64 exe/x86_64.amzn.2 prompt/off command/sagemaker.create-notebook-instance", ToolCLI},
		{"aws cli v1 on botocore", "aws-cli/1.32.0 Python/3.9.16 Linux/5.10 botocore/1.34.0", ToolCLI},
		{"aws sdk for java", "aws-sdk-java/2.25.11 Linux/5.10 OpenJDK_64-Bit_Server_VM/17.0.10+7-LTS Java/17.0.10 vendor/Amazon.com_Inc. io/sync http/Apache cfg/retry-mode/legacy", ToolSDK},
		{"botocore alone", "Botocore/1.34.0 ua/2.0 os/linux lang/python#3.12", ToolSDK},
		{"sagemaker itself", "sagemaker.amazonaws.com", ToolAWSService},
		{"unknown", "curl/8.5.0", ToolOther},
		{"empty", "", ToolOther},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := ToolOf(tc.ua); got != tc.want {
				t.Errorf("ToolOf(%q) = %q, want %q", tc.ua, got, tc.want)
			}
		})
	}
}
