package s3log

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"golang.org/x/sync/errgroup"

	"github.com/sagekey/sagekey/internal/trail"
)

// parallel bounds the listings in flight. Listings are small requests that
// spend their time waiting for S3, so a few more than the cores keep the
// pipe full; the per-account rate limit (awsclient) caps the request rate
// whatever this is.
const parallel = 8

var (
	accountPattern = regexp.MustCompile(`^\d{12}$`)
	// As loose as trail.ParseLogKey's: a region folder it would parse is
	// one to read.
	regionPattern = regexp.MustCompile(`^[a-z0-9-]+$`)
)

// Layout is what Discover found under a location.
type Layout struct {
	// Location is the input with OrgID filled in for an organization trail.
	Location Location
	// Accounts to read: the ones asked for that have logs here, or every
	// account that has logs here when none were asked for. Sorted.
	Accounts []string
	// Absent are accounts asked for that have no logs under the location.
	// Reading them would list empty days and claim they were quiet, so they
	// are left out here and the caller reports them.
	Absent []string
	// Regions to read: the ones asked for, or every region any of the
	// accounts has logs for when none were asked for. Sorted.
	Regions []string
}

// ErrNoLogs is returned (wrapped) by Discover when the location holds no
// CloudTrail logs at all: a wrong bucket or prefix must fail, not read as
// an estate where nothing happened.
var ErrNoLogs = errors.New("no CloudTrail logs")

// Discover fills in what the caller left out, listing partitions (common
// prefixes), never objects:
//
//   - the org ID, when loc has none: an "o-…/" folder under AWSLogs/ means
//     an organization trail;
//   - the accounts under AWSLogs/ (or AWSLogs/<org-id>/), which are always
//     listed, one short listing, so accounts asked for without logs are
//     reported Absent instead of read as empty;
//   - the regions, when regions is empty: the "<account>/CloudTrail/<region>/"
//     folders of each account, merged.
//
// Any listing error fails Discover: without the layout nothing can be read
// correctly.
func Discover(ctx context.Context, api API, loc Location, accounts, regions []string) (Layout, error) {
	logs := trail.LogsPrefix(loc.Prefix)
	var present []string
	if loc.OrgID == "" {
		names, err := listFolders(ctx, api, loc.Bucket, logs)
		if err != nil {
			return Layout{}, err
		}
		var orgs []string
		for _, n := range names {
			switch {
			case orgIDPattern.MatchString(n):
				orgs = append(orgs, n)
			case accountPattern.MatchString(n):
				present = append(present, n)
			}
		}
		switch {
		case len(orgs) > 1:
			return Layout{}, fmt.Errorf("s3://%s/%s holds the logs of %d organizations (%s): name one, as s3://%s/%so-…/",
				loc.Bucket, logs, len(orgs), strings.Join(orgs, ", "), loc.Bucket, logs)
		case len(orgs) == 1:
			// Account folders beside the organization's belong to other
			// (account) trails writing to the same prefix; the
			// organization trail already covers every member account.
			loc.OrgID, present = orgs[0], nil
		case loc.Organization:
			return Layout{}, fmt.Errorf("%w for organization trail %s under s3://%s/%s", ErrNoLogs, loc.Trail, loc.Bucket, logs)
		}
	}
	if loc.OrgID != "" {
		names, err := listFolders(ctx, api, loc.Bucket, logs+loc.OrgID+"/")
		if err != nil {
			return Layout{}, err
		}
		for _, n := range names {
			if accountPattern.MatchString(n) {
				present = append(present, n)
			}
		}
	}
	if len(present) == 0 {
		where := logs
		if loc.OrgID != "" {
			where += loc.OrgID + "/"
		}
		return Layout{}, fmt.Errorf("%w under s3://%s/%s", ErrNoLogs, loc.Bucket, where)
	}
	out := Layout{Location: loc}
	if len(accounts) == 0 {
		out.Accounts = present
	} else {
		for _, a := range accounts {
			if slices.Contains(present, a) {
				out.Accounts = append(out.Accounts, a)
			} else {
				out.Absent = append(out.Absent, a)
			}
		}
	}
	out.Accounts, out.Absent = sortedSet(out.Accounts), sortedSet(out.Absent)
	if len(regions) > 0 {
		out.Regions = sortedSet(slices.Clone(regions))
		return out, nil
	}
	found, err := accountRegions(ctx, api, loc, out.Accounts)
	if err != nil {
		return Layout{}, err
	}
	out.Regions = found
	return out, nil
}

// accountRegions lists the region folders of each account, concurrently,
// and returns their union.
func accountRegions(ctx context.Context, api API, loc Location, accounts []string) ([]string, error) {
	var (
		mu  sync.Mutex
		all []string
	)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(parallel)
	for _, a := range accounts {
		g.Go(func() error {
			names, err := listFolders(gctx, api, loc.Bucket, trail.AccountPrefix(loc.Prefix, loc.OrgID, a)+"CloudTrail/")
			if err != nil {
				return err
			}
			mu.Lock()
			defer mu.Unlock()
			for _, n := range names {
				if regionPattern.MatchString(n) {
					all = append(all, n)
				}
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return sortedSet(all), nil
}

// listFolders returns the names of the "folders" directly under prefix
// (its common prefixes with delimiter "/", without prefix and slash).
func listFolders(ctx context.Context, api API, bucket, prefix string) ([]string, error) {
	var names []string
	p := s3.NewListObjectsV2Paginator(api, &s3.ListObjectsV2Input{
		Bucket:    aws.String(bucket),
		Prefix:    aws.String(prefix),
		Delimiter: aws.String("/"),
		MaxKeys:   aws.Int32(maxKeys),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list s3://%s/%s: %w", bucket, prefix, err)
		}
		for _, cp := range page.CommonPrefixes {
			name := strings.TrimSuffix(strings.TrimPrefix(aws.ToString(cp.Prefix), prefix), "/")
			if name != "" {
				names = append(names, name)
			}
		}
	}
	return names, nil
}

func sortedSet(s []string) []string {
	slices.Sort(s)
	return slices.Compact(s)
}
