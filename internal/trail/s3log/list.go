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
// from Discover.
//
// A day whose listing completed is a Coverage row, also when it holds no
// file: an account and region with nothing to log that day was read, not
// skipped. The units of a day are returned only with its coverage, so the
// two always match.
//
// A partition (account and region) whose listing fails, be it denied,
// throttled after retries or canceled, becomes one gap and its remaining
// days are not listed; the days listed before the failure stay covered, and
// the other partitions go on. Partitions are listed concurrently.
//
// Units, coverage and gaps are sorted (by key, by account, region and day,
// and by account and region).
func ListUnits(ctx context.Context, api API, loc Location, accounts, regions []string, from, to time.Time) (units []trail.Unit, covered []trail.Coverage, gaps []inventory.Gap) {
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
		g errgroup.Group
	)
	g.SetLimit(parallel)
	for _, account := range sortedSet(slices.Clone(accounts)) {
		for _, region := range sortedSet(slices.Clone(regions)) {
			g.Go(func() error {
				u, c, gap := listPartition(ctx, api, loc, account, region, days)
				mu.Lock()
				defer mu.Unlock()
				units, covered = append(units, u...), append(covered, c...)
				if gap != nil {
					gaps = append(gaps, *gap)
				}
				return nil
			})
		}
	}
	_ = g.Wait() // partitions never return errors; failures are gaps
	slices.SortFunc(units, func(a, b trail.Unit) int { return cmp.Compare(a.Key, b.Key) })
	slices.SortFunc(covered, func(a, b trail.Coverage) int {
		return cmp.Or(cmp.Compare(a.Account, b.Account), cmp.Compare(a.Region, b.Region), a.Day.Compare(b.Day))
	})
	slices.SortFunc(gaps, func(a, b inventory.Gap) int {
		return cmp.Or(cmp.Compare(a.Account, b.Account), cmp.Compare(a.Region, b.Region))
	})
	return units, covered, gaps
}

// listPartition lists the days of one account and region in order and
// stops at the first failure.
func listPartition(ctx context.Context, api API, loc Location, account, region string, days []time.Time) ([]trail.Unit, []trail.Coverage, *inventory.Gap) {
	var (
		units   []trail.Unit
		covered []trail.Coverage
	)
	source := loc.URI()
	for _, day := range days {
		prefix := trail.DayPrefix(loc.Prefix, loc.OrgID, account, region, day)
		// A partition waiting for its turn when the run was canceled never
		// starts; the check also stops between days.
		err := ctx.Err()
		var dayUnits []trail.Unit
		if err == nil {
			dayUnits, err = listDay(ctx, api, loc.Bucket, prefix, source, account, region, day)
		}
		if err != nil {
			return units, covered, &inventory.Gap{Account: account, Region: region, Service: ListOperation,
				Reason: gapReason(ctx, "s3://"+loc.Bucket+"/"+prefix, err)}
		}
		units = append(units, dayUnits...)
		covered = append(covered, trail.Coverage{Source: source, Account: account, Region: region, Day: day})
	}
	return units, covered, nil
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
