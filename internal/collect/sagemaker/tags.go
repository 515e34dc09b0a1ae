package sagemaker

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	sm "github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"

	"github.com/sagekey/sagekey/internal/awserr"
	"github.com/sagekey/sagekey/internal/collect"
	"github.com/sagekey/sagekey/internal/inventory"
)

const listTagsOp = "sagemaker:ListTags"

// resourceTags returns res's tags from the target's tag source when it vouches
// for them (tag:GetResources pages), else with ListTags.
func resourceTags(ctx context.Context, api TagsAPI, t collect.Target, res inventory.Resource) (map[string]string, string) {
	if t.Tags != nil {
		if tags, ok := t.Tags.Tags(ctx, res.ARN, res.CreatedAt); ok {
			return tags, ""
		}
	}
	return readTags(ctx, api, res.ARN)
}

// readTags returns the tags of arn, or why they could not be read. A tag
// failure never drops the resource: tag-based checks (owners, exceptions)
// report ERROR from the reason instead of a false FAIL.
func readTags(ctx context.Context, api TagsAPI, arn string) (map[string]string, string) {
	if arn == "" {
		return nil, listTagsOp + ": the resource has no ARN to read tags from"
	}
	p := sm.NewListTagsPaginator(api, &sm.ListTagsInput{ResourceArn: aws.String(arn)})
	var tags map[string]string
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, awserr.Reason(listTagsOp, err)
		}
		tags = addTags(tags, page.Tags)
	}
	return tags, ""
}

// addTags adds SDK tags to dst, allocating it on first use so untagged
// resources keep a nil map.
func addTags(dst map[string]string, tags []types.Tag) map[string]string {
	for _, tag := range tags {
		if dst == nil {
			dst = make(map[string]string, len(tags))
		}
		dst[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
	}
	return dst
}
