package sagemaker

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sm "github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"

	"github.com/sagekey/sagekey/internal/awserr"
	"github.com/sagekey/sagekey/internal/inventory"
)

const kindCustomizationJob = "model-customization-job"

// customizationJobSpec reads CreateJob jobs one by one: the fallback of
// their Search (search_kinds.go) and the read of event checks. ListJobs needs
// a JobCategory, so every category the SDK knows is listed; DescribeJob
// needs it too, so it is remembered per job ARN from the listing. Build a
// fresh spec for every run: the categories live as long as it.
func customizationJobSpec(api JobsAPI) kindSpec {
	categories := map[string]types.JobCategory{} // written by list, read by describe after it
	return kindSpec{
		kind:       kindCustomizationJob,
		listOp:     "sagemaker:ListJobs",
		describeOp: "sagemaker:DescribeJob",
		source:     "sagemaker:DescribeJob",
		list: func(ctx context.Context, since time.Time) ([]listed, error) {
			var all []listed
			for _, cat := range types.JobCategory("").Values() {
				p := sm.NewListJobsPaginator(api, &sm.ListJobsInput{JobCategory: cat, CreationTimeAfter: createdAfter(since)})
				items, err := listPages(ctx, p, func(o *sm.ListJobsOutput) []listed {
					items := make([]listed, 0, len(o.JobSummaries))
					for _, j := range o.JobSummaries {
						categories[aws.ToString(j.JobArn)] = cat
						items = append(items, listed{name: aws.ToString(j.JobName), arn: aws.ToString(j.JobArn),
							createdAt: aws.ToTime(j.CreationTime)})
					}
					return items
				})
				all = append(all, items...)
				if err != nil {
					return all, err
				}
			}
			return all, nil
		},
		describe: func(ctx context.Context, item listed) (inventory.Resource, error) {
			out, err := describeCustomizationJob(ctx, api, item, categories)
			if err != nil {
				return inventory.Resource{}, err
			}
			tags := map[string]string{} // DescribeJob returns tags: no ListTags call
			for _, t := range out.Tags {
				tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
			}
			res := customizationResource("DescribeJob", aws.ToString(out.JobArn), aws.ToString(out.JobName),
				aws.ToTime(out.CreationTime), aws.ToString(out.RoleArn),
				aws.ToString(out.JobConfigDocument), aws.ToString(out.JobConfigSchemaVersion))
			res.Tags = tags
			return res, nil
		},
	}
}

// customizationResource builds a job's resource from DescribeJob or a
// Search record (the same fields); op names the call, for a slot that
// cannot be verified.
func customizationResource(op, arn, name string, created time.Time, role, document, schemaVersion string) inventory.Resource {
	return inventory.Resource{
		ARN: arn, Name: name, CreatedAt: created,
		Slots:          customizationSlotsFrom(op, document, schemaVersion),
		ExecutionRoles: executionRoles(role),
	}
}

// describeCustomizationJob describes a job in its category: the one its
// listing recorded, else the one the event named (item.parent). A tag event
// names no category, so then each is tried until one knows the job; the
// job is gone (NotFound) only when none does.
func describeCustomizationJob(ctx context.Context, api JobsAPI, item listed, categories map[string]types.JobCategory) (*sm.DescribeJobOutput, error) {
	var try []types.JobCategory
	if cat, ok := categories[item.arn]; ok && item.arn != "" {
		try = []types.JobCategory{cat}
	} else if item.parent != "" {
		try = []types.JobCategory{types.JobCategory(item.parent)}
	} else {
		try = types.JobCategory("").Values()
	}
	var err error
	for _, cat := range try {
		var out *sm.DescribeJobOutput
		out, err = api.DescribeJob(ctx, &sm.DescribeJobInput{JobName: aws.String(item.name), JobCategory: cat})
		if err == nil || awserr.Classify(err) != awserr.NotFound {
			return out, err
		}
	}
	return nil, err
}

// customizationSlots finds the KMS key fields of a job configuration
// document. Its schema is not published, so every string field whose name
// contains "kms" counts; finding none is unknown (ERROR), not a FAIL or a
// PASS, because the key may live under a name the tool does not know.
func customizationSlots(document, schemaVersion string) []inventory.Slot {
	return customizationSlotsFrom("DescribeJob", document, schemaVersion)
}

// customizationSlotsFrom is customizationSlots for a document op returned.
func customizationSlotsFrom(op, document, schemaVersion string) []inventory.Slot {
	unknown := func(why string) []inventory.Slot {
		return []inventory.Slot{{Type: "output", Name: "output", Label: "job output", Unknown: why}}
	}
	if document == "" {
		return unknown(op + " returned no JobConfigDocument; the output key cannot be verified")
	}
	var doc any
	if err := json.Unmarshal([]byte(document), &doc); err != nil {
		return unknown("JobConfigDocument could not be parsed: " + err.Error())
	}
	found := map[string]string{}
	findKMSFields(doc, "", found)
	if len(found) == 0 {
		return unknown(fmt.Sprintf("JobConfigDocument (schema %q) names no KMS key field; its schema is not "+
			"published, so the output key cannot be verified", schemaVersion))
	}
	paths := make([]string, 0, len(found))
	for p := range found {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	slots := make([]inventory.Slot, 0, len(paths))
	for _, p := range paths {
		slots = append(slots, inventory.Slot{Type: "output", Name: "output:" + p, Label: "job configuration " + p, KeyRef: found[p]})
	}
	return slots
}

func findKMSFields(v any, path string, found map[string]string) {
	switch x := v.(type) {
	case map[string]any:
		for k, child := range x {
			p := k
			if path != "" {
				p = path + "." + k
			}
			if s, ok := child.(string); ok && strings.Contains(strings.ToLower(k), "kms") {
				found[p] = s
				continue
			}
			findKMSFields(child, p, found)
		}
	case []any:
		for i, child := range x {
			findKMSFields(child, fmt.Sprintf("%s[%d]", path, i), found)
		}
	}
}
