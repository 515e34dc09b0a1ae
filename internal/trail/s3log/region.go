package s3log

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// regionHeader is where S3 names a bucket's region, on success and on the
// 301 it answers a request sent to another region.
const regionHeader = "X-Amz-Bucket-Region"

// BucketRegion asks S3 which region holds bucket (HeadBucket, authorized
// as s3:ListBucket). A client of any region gets the answer: S3 names the
// region in a header even when it refuses the request for being sent to
// the wrong one. A trail bucket read through a client of another region
// would otherwise fail every listing.
func BucketRegion(ctx context.Context, api API, bucket string) (string, error) {
	out, err := api.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(bucket)})
	if err == nil {
		return aws.ToString(out.BucketRegion), nil
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) && re.Response != nil {
		if r := re.Response.Header.Get(regionHeader); r != "" {
			return r, nil
		}
	}
	return "", err
}
