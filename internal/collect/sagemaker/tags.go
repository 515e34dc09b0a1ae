package sagemaker

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	sm "github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"

	"github.com/sagekey/sagekey/internal/awserr"
)

const listTagsOp = "sagemaker:ListTags"

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
