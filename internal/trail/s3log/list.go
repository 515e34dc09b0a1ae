package s3log

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"golang.org/x/sync/errgroup"

	"github.com/sagekey/sagekey/internal/awserr"
	"github.com/sagekey/sagekey/internal/inventory"
	"github.com/sagekey/sagekey/internal/trail"
)

// maxKeys is S3's own page limit; asking for it keeps a day of one region
// (about 300 files at CloudTrail's 5-minute delivery) to one request.
const maxKeys = 1000

// ListOperation names the listing in gaps, as the meter and IAM name it.
const ListOperation = "s3:ListObjectsV2"

// ListUnits lists the log files of each account × region × UTC day from
// from's day to to's day, one day prefix at a time, so only the objects of
// the partitions asked for are listed. accounts and regions usually come
// from Discover. It is ListUnitsSkipping with nothing to skip.
func ListUnits(ctx context.Context, api API, loc Location, accounts, regions []string, from, to time.Time) (units []trail.Unit, covered []trail.Coverage, gaps []inventory.Gap) {
	return ListUnitsSkipping(ctx, api, loc, accounts, regions, from, to, nil)
}

// Skip reports whether a day of an account and region need not be listed:
// an earlier run read it in full after it had settled.
type Skip func(account, region string, day time.Time) bool

// ListUnitsSkipping is ListUnits without the days skip names (nil skips
// none); a skipped day is neither listed nor covered again.
//
// A day whose listing completed is a Coverage row, also when it holds no
// file: an account and region with nothing to log that day was read, not
// skipped. The units of a day are returned only with its coverage, so the
// two always match.
//
// Days are listed concurrently (a day prefix is one request, so a month of
// days in sequence would cost a month of round trips). A partition
// (account and region) whose listing fails, be it denied, throttled after
// retries or canceled, becomes one gap and its days not yet started are
// not listed; the days listed without error stay covered, and the other
// partitions go on.
//
// Units, coverage and gaps are sorted (by key, by account, region and day,
// and by account and region).
func ListUnitsSkipping(ctx context.Context, api API, loc Location, accounts, regions []string, from, to time.Time, skip Skip) (units []trail.Unit, covered []trail.Coverage, gaps []inventory.Gap) {
	days := trail.Days(from, to)
	if len(days) == 0 {
		return nil, nil, nil
	}
	if loc.Organization && loc.OrgID == "" {
		// The account layout of an organization trail's bucket holds
		// nothing of it: listing there would cover every day as empty.
		for _, account := range sortedSet(slices.Clone(accounts)) {
			for _, region := range sortedSet(slices.Clone(regions)) {
				gaps = append(gaps, inventory.Gap{Account: account, Region: region, Service: ListOperation,
					Reason: "organization trail " + loc.Trail + ": org ID unknown (Discover finds it)"})
			}
		}
		return nil, nil, gaps
	}
	var (
		mu sync.Mutex
		// A plain Group, not WithContext: one partition failing must not
		// cancel the others.
		g      errgroup.Group
		failed = map[string]*inventory.Gap{}
	)
	g.SetLimit(parallel)
	source := loc.URI()
	for _, day := range days {
		for _, account := range sortedSet(slices.Clone(accounts)) {
			for _, region := range sortedSet(slices.Clone(regions)) {
				if skip != nil && skip(account, region, day) {
					continue
				}
				partition := account + "/" + region
				g.Go(func() error {
					mu.Lock()
					stopped := failed[partition] != nil
					mu.Unlock()
					if stopped {
						return nil
					}
					prefix := trail.DayPrefix(loc.Prefix, loc.OrgID, account, region, day)
					// A day waiting for its turn when the run was canceled
					// never starts.
					err := ctx.Err()
					var dayUnits []trail.Unit
					if err == nil {
						dayUnits, err = listDay(ctx, api, loc.Bucket, prefix, source, account, region, day)
					}
					mu.Lock()
					defer mu.Unlock()
					if err != nil {
						if failed[partition] == nil {
							failed[partition] = &inventory.Gap{Account: account, Region: region, Service: ListOperation,
								Reason: gapReason(ctx, "s3://"+loc.Bucket+"/"+prefix, err)}
						}
						return nil
					}
					units = append(units, dayUnits...)
					covered = append(covered, trail.Coverage{Source: source, Account: account, Region: region, Day: day})
					return nil
				})
			}
		}
	}
	_ = g.Wait() // days never return errors; failures are gaps
	for _, gap := range failed {
		gaps = append(gaps, *gap)
	}
	slices.SortFunc(units, func(a, b trail.Unit) int { return cmp.Compare(a.Key, b.Key) })
	slices.SortFunc(covered, func(a, b trail.Coverage) int {
		return cmp.Or(cmp.Compare(a.Account, b.Account), cmp.Compare(a.Region, b.Region), a.Day.Compare(b.Day))
	})
	slices.SortFunc(gaps, func(a, b inventory.Gap) int {
		return cmp.Or(cmp.Compare(a.Account, b.Account), cmp.Compare(a.Region, b.Region))
	})
	return units, covered, gaps
}

// gapReason says why a partition stopped, naming the prefix it was listing
// (and so the day) when that was an AWS error.
func gapReason(ctx context.Context, where string, err error) string {
	if ctxErr := ctx.Err(); ctxErr != nil && (errors.Is(err, ctxErr) || awserr.Classify(err) == awserr.Canceled) {
		return "canceled: " + ctxErr.Error() // the short cause, not the SDK's wrapped chain
	}
	return awserr.Reason(ListOperation+" "+where, err)
}

// listDay lists one day prefix completely.
func listDay(ctx context.Context, api API, bucket, prefix, source, account, region string, day time.Time) ([]trail.Unit, error) {
	var units []trail.Unit
	p := s3.NewListObjectsV2Paginator(api, &s3.ListObjectsV2Input{
		Bucket:  aws.String(bucket),
		Prefix:  aws.String(prefix),
		MaxKeys: aws.Int32(maxKeys),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, o := range page.Contents {
			key := aws.ToString(o.Key)
			if strings.HasSuffix(key, "/") {
				continue // a "folder" made in the console, not a log file
			}
			units = append(units, trail.Unit{Source: source, Key: key, ETag: aws.ToString(o.ETag),
				Size: aws.ToInt64(o.Size), Account: account, Region: region, Day: day})
		}
	}
	return units, nil
}

// Open streams the object of u, as listed. The request carries the listed
// ETag as If-Match, so an object replaced since the listing fails
// (PreconditionFailed) instead of being read under the old ETag and marked
// read as if it were the listed one. The body is not buffered; the caller
// closes it.
func Open(ctx context.Context, api API, loc Location, u trail.Unit) (io.ReadCloser, error) {
	if u.Source != loc.URI() {
		return nil, fmt.Errorf("unit %s is from %s, not %s", u.Key, u.Source, loc.URI())
	}
	in := &s3.GetObjectInput{Bucket: aws.String(loc.Bucket), Key: aws.String(u.Key)}
	if u.ETag != "" {
		in.IfMatch = aws.String(u.ETag)
	}
	out, err := api.GetObject(ctx, in)
	if err != nil {
		return nil, fmt.Errorf("get s3://%s/%s: %w", loc.Bucket, u.Key, err)
	}
	return out.Body, nil
}
