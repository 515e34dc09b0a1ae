// Package s3log reads CloudTrail log files from the S3 bucket a trail
// delivers to.
//
// CloudTrail partitions its log files by account, region and UTC day (see
// trail.DayPrefix), so a reader that lists one day prefix at a time touches
// only the objects of the accounts, regions and days it was asked for: a
// 90-day window of one account costs 90 listings per region, whatever the
// bucket holds besides. Nothing here lists the bucket at large: Discover
// lists partitions (common prefixes), ListUnits lists day prefixes, and Open
// streams one object whose ETag it already knows.
//
// The package only reads: its interfaces list ListObjectsV2 and GetObject
// (S3) and DescribeTrails and GetTrail (CloudTrail), nothing that writes.
package s3log

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// API is the part of the S3 client the reader uses.
type API interface {
	ListObjectsV2(ctx context.Context, in *s3.ListObjectsV2Input, optFns ...func(*s3.Options)) (*s3.ListObjectsV2Output, error)
	GetObject(ctx context.Context, in *s3.GetObjectInput, optFns ...func(*s3.Options)) (*s3.GetObjectOutput, error)
	HeadBucket(ctx context.Context, in *s3.HeadBucketInput, optFns ...func(*s3.Options)) (*s3.HeadBucketOutput, error)
}

// TrailsAPI is the part of the CloudTrail client Locate uses.
type TrailsAPI interface {
	DescribeTrails(ctx context.Context, in *cloudtrail.DescribeTrailsInput, optFns ...func(*cloudtrail.Options)) (*cloudtrail.DescribeTrailsOutput, error)
	GetTrail(ctx context.Context, in *cloudtrail.GetTrailInput, optFns ...func(*cloudtrail.Options)) (*cloudtrail.GetTrailOutput, error)
}

// Location is where a trail's log files are: a bucket, the trail's key
// prefix (may be empty), and for an organization trail the organization ID
// that CloudTrail puts between AWSLogs/ and the account.
type Location struct {
	Bucket string
	// Prefix is the trail's S3 key prefix without surrounding slashes.
	Prefix string
	// OrgID is "o-…" for an organization trail once known; empty for an
	// account trail or when not yet discovered (see Discover).
	OrgID string
	// Trail is the trail's ARN when the location was found by Locate.
	Trail string
	// Organization is true when Locate found an organization trail, so
	// Discover must find its org ID level rather than fall back to the
	// account layout.
	Organization bool
	// HomeRegion and MultiRegion are the trail's, when found by Locate. A
	// single-region trail logs only its home region: an empty day listed
	// for another region proves nothing, so callers should not ask for
	// (and claim coverage of) regions the trail does not log.
	HomeRegion  string
	MultiRegion bool
}

// URI is "s3://bucket" or "s3://bucket/prefix", the Source of the location's
// units.
func (l Location) URI() string {
	if l.Prefix == "" {
		return "s3://" + l.Bucket
	}
	return "s3://" + l.Bucket + "/" + l.Prefix
}

var orgIDPattern = regexp.MustCompile(`^o-[a-z0-9]{10,32}$`)

// ParseURI reads "s3://bucket[/prefix]". A URI that points at the AWSLogs/
// level or at an organization under it ("s3://b/p/AWSLogs/o-abc1234567/")
// is accepted too, as that is what people copy from the console; the
// organization ID is then known without listing. Anything deeper (an
// account or region folder) is refused: accounts and regions are chosen
// separately, and a prefix inside a partition would list nothing.
func ParseURI(uri string) (Location, error) {
	rest, ok := strings.CutPrefix(uri, "s3://")
	if !ok {
		return Location{}, fmt.Errorf("trail location %q: want s3://bucket[/prefix]", uri)
	}
	bucket, prefix, _ := strings.Cut(rest, "/")
	if bucket == "" {
		return Location{}, fmt.Errorf("trail location %q: no bucket", uri)
	}
	loc := Location{Bucket: bucket}
	parts := strings.FieldsFunc(prefix, func(r rune) bool { return r == '/' })
	for i, p := range parts {
		if p != "AWSLogs" {
			continue
		}
		loc.Prefix = strings.Join(parts[:i], "/")
		switch below := parts[i+1:]; {
		case len(below) == 0:
		case len(below) == 1 && orgIDPattern.MatchString(below[0]):
			loc.OrgID = below[0]
		default:
			return Location{}, fmt.Errorf("trail location %q: points inside AWSLogs/; give the trail's prefix and choose accounts and regions separately", uri)
		}
		return loc, nil
	}
	loc.Prefix = strings.Join(parts, "/")
	return loc, nil
}

// ErrTrailNotFound is returned (wrapped) by Locate when no trail has the
// name.
var ErrTrailNotFound = errors.New("trail not found")

// Locate finds the bucket and prefix a trail (name or ARN) delivers to. It
// asks DescribeTrails first, including shadow trails, because that also
// finds a multi-region trail from another region and an organization trail
// from a member account; GetTrail is the fallback for an ARN that
// DescribeTrails does not list. The org ID is not part of a trail's
// description: Discover finds it in the bucket.
func Locate(ctx context.Context, api TrailsAPI, name string) (Location, error) {
	out, err := api.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{
		TrailNameList:       []string{name},
		IncludeShadowTrails: aws.Bool(true),
	})
	if err != nil {
		return Location{}, fmt.Errorf("describe trail %s: %w", name, err)
	}
	// Filtered here as well: the name list is a request, and an emulator (or
	// an empty list) may return every trail.
	for _, t := range out.TrailList {
		if aws.ToString(t.Name) == name || aws.ToString(t.TrailARN) == name {
			return locationOf(t)
		}
	}
	got, err := api.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: aws.String(name)})
	if err != nil {
		var nf *cttypes.TrailNotFoundException
		if errors.As(err, &nf) {
			return Location{}, fmt.Errorf("%w: %s: %w", ErrTrailNotFound, name, err)
		}
		return Location{}, fmt.Errorf("get trail %s: %w", name, err)
	}
	if got.Trail == nil {
		return Location{}, fmt.Errorf("%w: %s", ErrTrailNotFound, name)
	}
	return locationOf(*got.Trail)
}

func locationOf(t cttypes.Trail) (Location, error) {
	bucket := aws.ToString(t.S3BucketName)
	if bucket == "" {
		return Location{}, fmt.Errorf("trail %s delivers to no S3 bucket", aws.ToString(t.Name))
	}
	trailID := aws.ToString(t.TrailARN)
	if trailID == "" {
		trailID = aws.ToString(t.Name)
	}
	return Location{
		Bucket:       bucket,
		Prefix:       strings.Trim(aws.ToString(t.S3KeyPrefix), "/"),
		Trail:        trailID,
		Organization: aws.ToBool(t.IsOrganizationTrail),
		HomeRegion:   aws.ToString(t.HomeRegion),
		MultiRegion:  aws.ToBool(t.IsMultiRegionTrail),
	}, nil
}
