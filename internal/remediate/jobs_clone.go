package remediate

import (
	"fmt"
	"regexp"
	"strings"
)

// boto3CloneTemplate is the boto3 equivalent of describe + reshape +
// create, for people who would rather run Python than the CLI. The %s are
// Python literals made by py().
const boto3CloneTemplate = `import os, boto3, botocore.session
from botocore import xform_name

region, old_name, new_name, arn = %s, %s, %s, %s
key = os.environ[%s]
keys = %s  # slot -> alternative paths of its key
sm = boto3.client("sagemaker", region_name=region)
job = getattr(sm, xform_name(%s))(**{%s: old_name})

` + pyPut + `
for slot, paths in keys.items():
    if not sum(put(job, p.split("."), key) for p in paths.split("|")):
        raise SystemExit("%%s: no field for the key; set it by hand" %% slot)
job[%s] = new_name
tags = [t for page in sm.get_paginator("list_tags").paginate(ResourceArn=arn)
        for t in page["Tags"] if not t["Key"].startswith("aws:")]
if tags:
    job["Tags"] = tags

` + pyKeep + `
op = %s
shape = botocore.session.get_session().get_service_model("sagemaker").operation_model(op).input_shape
print(getattr(sm, xform_name(op))(**keep(job, shape)))`

func (b *builder) jobItem(it *Item, r res) {
	spec, ok := jobSpecs[r.kind.ID]
	if !ok {
		b.genericJobItem(it, r)
		return
	}
	it.Strategy, it.Summary = "job-clone", r.kind.Remediation
	region, name := r.f.Resource.Region, r.f.Resource.Name
	rg := q(region)
	ref := b.targetPreconditions(it, r)
	ks := jobKeys(it, r, spec)
	it.Preconditions = append(it.Preconditions, "python3 with botocore (boto3) installed: the clone snippet reads "+
		"the "+spec.createOp+" input shape from botocore's model to drop read-only fields.",
		"The job's inputs (data, images, models) still exist: the clone runs the job again and costs what the original did.")
	it.Warnings = append(it.Warnings, "SageMaker cannot delete a job record: the old job keeps failing "+r.f.CheckID+
		" after its outputs are re-encrypted or deleted. Record a suppression for it (reason: superseded by "+
		replacementName(name, spec.limit)+") or limit scans with --since.")
	var queries []string
	pyKeys := make([]string, 0, len(ks))
	for _, k := range ks {
		for _, p := range strings.Split(k.paths, "|") {
			queries = append(queries, strings.ReplaceAll(p, "+", ""))
		}
		pyKeys = append(pyKeys, py(k.slot)+": "+py(k.paths))
	}
	boto3 := fmt.Sprintf(boto3CloneTemplate, py(region), py(name), py(replacementName(name, spec.limit)),
		py(r.f.Resource.ARN), py(strings.TrimPrefix(ref, "$")), "{"+strings.Join(pyKeys, ", ")+"}",
		py(spec.describeOp), py(spec.nameField), py(spec.nameField), py(spec.createOp))
	it.Steps = append(it.Steps, checkKeyStep(region, ref), Step{
		Title: "Save the old job's description and tags",
		Why:   "The clone is built from them, and they record what the old job was.",
		Commands: []Command{sh(fmt.Sprintf(`old_job=%s
new_job=%s
aws sagemaker %s --region %s %s "$old_job" > old-job.json
aws sagemaker list-tags --region %s --resource-arn %s > old-job-tags.json`,
			q(name), newName("old_job", spec.limit), spec.describe, rg, spec.nameFlag, rg, q(r.f.Resource.ARN)))},
	}, Step{
		Title: "Run a clone with customer-managed keys",
		Why: "Job records are immutable, so the fix is a new run with the key on " + slotList(ks) +
			". The snippet keeps everything else (algorithm, role, data, resources, VPC, stopping condition, tags).",
		Commands: []Command{
			sh(reshapeCommand("old-job.json", "new-job.json", spec.createOp, ref, "old-job-tags.json",
				[][2]string{{spec.nameField, `"$new_job"`}}, ks)),
			sh(fmt.Sprintf("aws sagemaker %s --region %s --cli-input-json file://new-job.json", spec.create, rg)),
			{Lang: LangPython, Text: boto3},
		},
	}, Step{
		Title: "Check the keys on the new job",
		Why:   "Every field printed must be the target key (null only where the job has no such section).",
		Commands: []Command{sh(fmt.Sprintf(`aws sagemaker %s --region %s %s "$new_job" --query %s --output json`,
			spec.describe, rg, spec.nameFlag, q("["+strings.Join(queries, ", ")+"]")))},
	})
	if uris := r.outputURIs(spec.artifacts); len(uris) > 0 || r.has("output") {
		it.Steps = append(it.Steps, reencryptStep(region, ref, uris, "outputs"))
	}
}

func slotList(ks []keyArg) string {
	names := make([]string, len(ks))
	for i, k := range ks {
		names[i] = k.slot
	}
	if len(names) == 0 {
		return "no slot (see warnings)"
	}
	return strings.Join(names, " and ")
}

var plainPath = regexp.MustCompile(`^[A-Za-z]+(\[\])?(\.[A-Za-z]+(\[\])?)*$`)

// genericJobItem is the clone of a job kind without a spec: the steps name
// the key fields from the catalog, and the request is assembled by hand.
func (b *builder) genericJobItem(it *Item, r res) {
	it.Strategy, it.Summary = "job-clone", r.kind.Remediation
	ref := b.targetPreconditions(it, r)
	var fields []string
	for _, t := range r.slotTypes() {
		if s, ok := r.kind.Slot(t); ok {
			fields = append(fields, s.APIField)
		}
	}
	text := fmt.Sprintf("# Describe %s, then create a new job from the description with these fields set to \"%s\":\n#   %s",
		r.f.Resource.Name, ref, strings.Join(fields, "\n#   "))
	it.Steps = append(it.Steps, checkKeyStep(r.f.Resource.Region, ref), Step{
		Title:    "Run the job again with customer-managed keys",
		Why:      r.kind.Remediation,
		Commands: []Command{{Lang: LangShell, Manual: true, Text: text}},
	})
	if len(fields) > 0 && !plainPath.MatchString(fields[0]) {
		it.Warnings = append(it.Warnings, "The key field is not a plain API member ("+fields[0]+"); check the "+
			"service documentation for where it goes.")
	}
}
