package remediate

import (
	"fmt"
	"strings"
)

// notebookPy describes the old notebook and creates its replacement with
// the same settings plus KmsKeyId. Names and the key arrive as arguments.
const notebookPy = `import sys, boto3
region, old, new, key = sys.argv[1:5]
sm = boto3.client("sagemaker", region_name=region)
d = sm.describe_notebook_instance(NotebookInstanceName=old)
req = {"NotebookInstanceName": new, "KmsKeyId": key, "InstanceType": d["InstanceType"], "RoleArn": d["RoleArn"]}
for field, src in [("SubnetId", "SubnetId"), ("SecurityGroupIds", "SecurityGroups"),
                   ("LifecycleConfigName", "NotebookInstanceLifecycleConfigName"),
                   ("DirectInternetAccess", "DirectInternetAccess"), ("VolumeSizeInGB", "VolumeSizeInGB"),
                   ("AcceleratorTypes", "AcceleratorTypes"), ("DefaultCodeRepository", "DefaultCodeRepository"),
                   ("AdditionalCodeRepositories", "AdditionalCodeRepositories"), ("RootAccess", "RootAccess"),
                   ("PlatformIdentifier", "PlatformIdentifier"), ("IpAddressType", "IpAddressType"),
                   ("InstanceMetadataServiceConfiguration", "InstanceMetadataServiceConfiguration")]:
    if d.get(src):
        req[field] = d[src]
tags = [t for page in sm.get_paginator("list_tags").paginate(ResourceArn=d["NotebookInstanceArn"])
        for t in page["Tags"] if not t["Key"].startswith("aws:")]
if tags:
    req["Tags"] = tags
print(sm.create_notebook_instance(**req)["NotebookInstanceArn"])`

func (b *builder) notebookItem(it *Item, r res) {
	it.Strategy = "notebook-replace"
	it.Summary = "The key of a notebook instance cannot be changed: back up /home/ec2-user/SageMaker, create a " +
		"replacement with the same settings and the key, restore, verify, then retire the old notebook."
	region, name := r.f.Resource.Region, r.f.Resource.Name
	rg, nm := q(region), q(name)
	ref := b.targetPreconditions(it, r)
	backup := b.backupLocation()
	it.Preconditions = append(it.Preconditions,
		"A backup location in "+backupVar+" whose bucket uses SSE-KMS with a customer-managed key "+
			"(check: aws s3api get-bucket-encryption --bucket <bucket>), writable by the notebook's role.",
		"The notebook's users know it will be replaced and have saved their work; only /home/ec2-user/SageMaker "+
			"survives (packages installed elsewhere must be reinstalled, e.g. by the lifecycle config).")
	repl := replacementName(name, 63)
	it.Warnings = append(it.Warnings, "The replacement has a new name ("+repl+") and URL; update bookmarks, "+
		"IAM policies and automation that name the old one.",
		"Nothing is deleted without an explicit yes: stop and delete the old notebook only after the users confirm "+
			"their data is on the new one.")
	dest := fmt.Sprintf(`"%s/"%s"/"`, backup, nm)
	it.Steps = append(it.Steps, checkKeyStep(region, ref), Step{
		Title: "Record the old notebook's settings",
		Why:   "A copy of the description is the rollback reference and the evidence of what the replacement must match.",
		Commands: []Command{sh(fmt.Sprintf(`old_notebook=%s
new_notebook=%s
aws sagemaker describe-notebook-instance --region %s --notebook-instance-name "$old_notebook" > old-notebook.json`,
			nm, newName("old_notebook", 63), rg))},
	}, Step{
		Title: "Back up /home/ec2-user/SageMaker to S3 (in the old notebook's terminal)",
		Why: "Only the ML volume holds user data. Run this in a terminal of the running notebook (Jupyter: File > " +
			"New > Terminal); for a stopped notebook, add the same sync to its on-start lifecycle config and start it. " +
			"The copy is written with SSE-KMS under the target key; set " + backupVar + " and " +
			strings.TrimPrefix(ref, "$") + " in that terminal first.",
		Commands: []Command{{Lang: LangShell, Manual: true, Prompt: "Has the backup of notebook " + name + " to S3 finished?",
			Text: fmt.Sprintf(`aws s3 sync /home/ec2-user/SageMaker %s --sse aws:kms --sse-kms-key-id "%s" --exclude '*/.ipynb_checkpoints/*'`, dest, ref)}},
	}, Step{
		Title: "Create the replacement with the same settings and the key",
		Why: "Instance type, role, subnet, security groups, lifecycle config, volume size, root access, direct " +
			"internet access, code repositories, IMDS settings and tags are copied; only KmsKeyId is new.",
		Commands: []Command{sh(fmt.Sprintf(`python3 - %s "$old_notebook" "$new_notebook" "%s" <<'PY'
%s
PY
aws sagemaker wait notebook-instance-in-service --region %s --notebook-instance-name "$new_notebook"`, rg, ref, notebookPy, rg))},
	}, Step{
		Title: "Restore the data (in the new notebook's terminal)",
		Why:   "Copies the backup onto the new, key-encrypted ML volume.",
		Commands: []Command{{Lang: LangShell, Manual: true, Prompt: "Has the data been restored on " + repl + "?",
			Text: fmt.Sprintf("aws s3 sync %s /home/ec2-user/SageMaker", dest)}},
	}, Step{
		Title:    "Verify with a re-scan",
		Why:      "Look for notebook-instance " + repl + " with status PASS; the old notebook still FAILs until it is deleted.",
		Commands: []Command{verifyScanCommand(region, "notebook-instance.cmk", "notebook-instance", repl)},
	}, Step{
		Title: "Decommission the old notebook (after explicit confirmation)",
		Why:   "Stop first (it must be Stopped to be deleted), then delete; its unencrypted-by-CMK volume goes with it.",
		Commands: []Command{
			{Lang: LangShell, Confirm: true, Prompt: "Stop the old notebook " + name + "?", Text: fmt.Sprintf(
				`aws sagemaker stop-notebook-instance --region %s --notebook-instance-name "$old_notebook"
aws sagemaker wait notebook-instance-stopped --region %s --notebook-instance-name "$old_notebook"`, rg, rg)},
			{Lang: LangShell, Confirm: true, Prompt: "Delete the old notebook " + name + " for good (its users confirmed their data is on " + repl + ")?",
				Text: fmt.Sprintf(`aws sagemaker delete-notebook-instance --region %s --notebook-instance-name "$old_notebook"`, rg)},
		},
	})
}
