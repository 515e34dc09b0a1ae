package report

import (
	"time"

	"github.com/sagekey/sagekey/internal/finding"
)

// iacDir holds the configuration iacFixture's findings point into; its
// lines are fixed, so a test can read the line a location names.
const iacDir = "testdata/iac"

// iacFixture is the fixed set of findings from infrastructure as code
// (sagekey iac) every format's IaC golden file is written from: Terraform
// findings on an attribute, on a resource block that lacks the attribute
// (with a fix: the configuration defines a key), in a module, a PASS, and
// a CloudFormation template whose path has a space. Paths are relative to
// iacDir, as the command is given them.
func iacFixture() *Report {
	start := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	res := func(kind, name, address string) finding.Resource {
		// A declared resource has no ARN yet; its address stands in.
		return finding.Resource{ARN: address, Kind: kind, Name: name, Tags: map[string]string{}}
	}
	loc := func(file string, line, col, endLine, endCol int, module, address string) *finding.Location {
		return &finding.Location{File: file, StartLine: line, StartColumn: col, EndLine: endLine, EndColumn: endCol,
			Module: module, Address: address}
	}
	return &Report{
		Started: start, Finished: start.Add(120 * time.Millisecond),
		Files: []string{"main.tf", "modules/ml/main.tf", "stacks/serving stack.yaml"},
		Findings: finding.NewList([]finding.Finding{
			{CheckID: "notebook-instance.cmk", Status: finding.Fail, Severity: finding.High,
				Resource:    res("notebook-instance", "research", "aws_sagemaker_notebook_instance.nb"),
				Message:     "1 of 1 key slots not protected by a healthy customer-managed key: ML storage volume: no key",
				Slots:       []finding.Slot{{Name: "volume", Status: finding.Fail, Reason: "no key"}},
				Remediation: "Recreate the notebook instance with KmsKeyId after backing up its volume.",
				Location:    loc("main.tf", 10, 1, 14, 2, "", "aws_sagemaker_notebook_instance.nb"),
				Fix: &finding.Fix{Description: "Add kms_key_id referring to aws_kms_key.ml, the customer-managed key this configuration defines.",
					File: "main.tf", Line: 14, Column: 1, Text: "  kms_key_id    = aws_kms_key.ml.arn\n"}},
			{CheckID: "endpoint-config.cmk", Status: finding.Fail, Severity: finding.Critical,
				Resource: res("endpoint-config", "fraud-v1", "aws_sagemaker_endpoint_configuration.fraud"),
				Message:  "1 of 1 key slots not protected by a healthy customer-managed key: ML storage volume: AWS managed key alias/aws/sagemaker",
				Slots: []finding.Slot{{Name: "volume", KeyRef: "alias/aws/sagemaker", KeyManager: "AWS", Status: finding.Fail,
					Reason: "AWS managed key alias/aws/sagemaker"}},
				Remediation: "Create a new endpoint config with a customer-managed key and cut the endpoint over (blue/green).",
				Location:    loc("main.tf", 18, 3, 18, 37, "", "aws_sagemaker_endpoint_configuration.fraud")},
			{CheckID: "kms-key.rotation", Status: finding.Fail, Severity: finding.Medium,
				Resource: res("kms-key", "ml", "aws_kms_key.ml"), Slots: []finding.Slot{},
				Message: "automatic rotation is disabled", Remediation: "Enable automatic rotation.",
				Location: loc("main.tf", 7, 3, 7, 30, "", "aws_kms_key.ml")},
			{CheckID: "domain.cmk", Status: finding.Error, Severity: finding.High,
				Resource: res("domain", "studio", "module.ml.aws_sagemaker_domain.studio"),
				Message:  "1 of 1 key slots could not be verified: EFS volume: variable var.kms_key_arn has no value",
				Slots: []finding.Slot{{Name: "volume", KeyRef: "var.kms_key_arn", Status: finding.Error,
					Reason: "variable var.kms_key_arn has no value"}},
				Remediation: "Create a new domain with KmsKeyId.",
				Location:    loc("modules/ml/main.tf", 8, 3, 8, 32, "module.ml", "module.ml.aws_sagemaker_domain.studio")},
			{CheckID: "notebook-instance.cmk", Status: finding.Fail, Severity: finding.High,
				Resource:    res("notebook-instance", "Notebook", "Notebook"),
				Message:     "1 of 1 key slots not protected by a healthy customer-managed key: ML storage volume: no key",
				Slots:       []finding.Slot{{Name: "volume", Status: finding.Fail, Reason: "no key"}},
				Remediation: "Recreate the notebook instance with KmsKeyId after backing up its volume.",
				Location:    loc("stacks/serving stack.yaml", 3, 3, 7, 32, "", "Notebook")},
			{CheckID: "feature-group.cmk", Status: finding.Pass, Severity: finding.High,
				Resource: res("feature-group", "customers", "aws_sagemaker_feature_group.customers"),
				Message:  "every applicable key slot uses a healthy customer-managed key",
				Slots: []finding.Slot{{Name: "offline-store", KeyRef: "aws_kms_key.ml.arn", KeyManager: "CUSTOMER",
					Status: finding.Pass, Reason: "customer-managed key aws_kms_key.ml"}},
				Remediation: "Recreate the feature group with a KMS key.",
				Location:    loc("main.tf", 33, 7, 33, 38, "", "aws_sagemaker_feature_group.customers")},
		}),
	}
}
