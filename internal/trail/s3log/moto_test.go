package s3log_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/sagekey/sagekey/internal/awsclient"
	"github.com/sagekey/sagekey/internal/motoserver"
	"github.com/sagekey/sagekey/internal/motoserver/mototest"
	"github.com/sagekey/sagekey/internal/trail"
	"github.com/sagekey/sagekey/internal/trail/s3log"
)

const (
	acctA   = "111111111111"
	acctB   = "222222222222"
	acctC   = "333333333333" // has logs, never asked for
	orgID   = "o-abcdefghij"
	orgBkt  = "org-trail"
	orgPfx  = "logs/cloudtrail"
	acctBkt = "acct-trail"
)

var (
	allRegions = []string{"ap-southeast-2", "eu-west-1", "us-east-1"}
	// The window asked for: 2–4 March, given as times inside the first and
	// last day. Logs exist from 1 to 5 March.
	from    = time.Date(2025, 3, 2, 13, 0, 0, 0, time.UTC)
	to      = time.Date(2025, 3, 4, 1, 0, 0, 0, time.UTC)
	logDays = trail.Days(time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2025, 3, 5, 0, 0, 0, 0, time.UTC))
)

// estate is what seed wrote: every log file key with its body.
type estate map[string][]byte

// TestAgainstMoto runs the reader against one real moto_server holding an
// organization trail's bucket and an account trail's bucket, both with
// three accounts, three regions and five days of logs.
func TestAgainstMoto(t *testing.T) {
	srv := mototest.ForTest(t)
	ctx := context.Background()
	admin := s3Client(mototest.Config(t, srv, "us-east-1"))
	files := seed(ctx, t, admin)

	t.Run("ListUnits org trail", func(t *testing.T) {
		loc := s3log.Location{Bucket: orgBkt, Prefix: orgPfx, OrgID: orgID}
		testListUnits(ctx, t, srv, loc, files)
	})
	t.Run("ListUnits account trail", func(t *testing.T) {
		loc := s3log.Location{Bucket: acctBkt}
		testListUnits(ctx, t, srv, loc, files)
	})
	t.Run("Discover", func(t *testing.T) { testDiscover(ctx, t, srv) })
	t.Run("gaps", func(t *testing.T) { testGaps(ctx, t, srv) })
	t.Run("Open", func(t *testing.T) { testOpen(ctx, t, srv, admin) })
	t.Run("Locate", func(t *testing.T) { testLocate(ctx, t, srv) })
}

func testListUnits(ctx context.Context, t *testing.T, srv *motoserver.Server, loc s3log.Location, files estate) {
	c := newClient(t, srv)
	accounts, regions := []string{acctB, acctA}, []string{"us-east-1", "eu-west-1"}
	// Pages of two keys, so the day with three files takes two requests.
	units, covered, gaps := s3log.ListUnits(ctx, smallPages{c.s3}, loc, accounts, regions, from, to)
	if len(gaps) != 0 {
		t.Fatalf("gaps = %+v", gaps)
	}

	// Exactly the window's log files of the accounts and regions asked for.
	var want []string
	for key := range files {
		lk, ok := trail.ParseLogKey(key)
		if ok && lk.OrgID == loc.OrgID && strings.HasPrefix(key, trail.LogsPrefix(loc.Prefix)) &&
			slices.Contains(accounts, lk.Account) && slices.Contains(regions, lk.Region) &&
			!lk.Day.Before(trail.Day(from)) && !lk.Day.After(to) && !strings.HasSuffix(key, "/") {
			want = append(want, key)
		}
	}
	slices.Sort(want)
	var got []string
	for _, u := range units {
		got = append(got, u.Key)
		lk, _ := trail.ParseLogKey(u.Key)
		if u.Source != loc.URI() || u.ETag == "" || u.Size != int64(len(files[u.Key])) ||
			u.Account != lk.Account || u.Region != lk.Region || !u.Day.Equal(lk.Day) {
			t.Errorf("unit %+v does not describe its object (%d bytes, %+v)", u, len(files[u.Key]), lk)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("units:\n got %v\nwant %v", got, want)
	}

	// Every day of every partition asked for is covered, also the empty ones
	// (222222222222/eu-west-1 has logs only outside the window).
	if len(covered) != 2*2*3 {
		t.Errorf("covered %d partition days, want 12: %+v", len(covered), covered)
	}
	for _, cv := range covered {
		if cv.Source != loc.URI() {
			t.Errorf("coverage %+v: source, want %s", cv, loc.URI())
		}
	}
	if !slices.ContainsFunc(covered, func(cv trail.Coverage) bool {
		return cv.Account == acctB && cv.Region == "eu-west-1" && cv.Day.Equal(trail.Day(to))
	}) {
		t.Errorf("the empty partition day is not covered: %+v", covered)
	}

	// Listings were scoped to the day prefixes asked for, nothing wider.
	wantPrefixes := map[string]bool{}
	for _, a := range accounts {
		for _, r := range regions {
			for _, d := range trail.Days(from, to) {
				wantPrefixes[trail.DayPrefix(loc.Prefix, loc.OrgID, a, r, d)] = true
			}
		}
	}
	seen := map[string]bool{}
	for _, l := range c.rec.calls() {
		if l.bucket != loc.Bucket || !wantPrefixes[l.prefix] || l.delimiter != "" {
			t.Errorf("listing outside the window: %+v", l)
		}
		seen[l.prefix] = true
	}
	if len(seen) != len(wantPrefixes) {
		t.Errorf("listed %d day prefixes, want %d", len(seen), len(wantPrefixes))
	}
	// 12 day prefixes, one of which (111111111111/us-east-1/03-03, three
	// files) takes a second page.
	if got := c.calls("s3:ListObjectsV2"); got != 13 || got != int64(len(c.rec.calls())) {
		t.Errorf("meter counted %d s3:ListObjectsV2 calls, server saw %d, want 13", got, len(c.rec.calls()))
	}
}

func testDiscover(ctx context.Context, t *testing.T, srv *motoserver.Server) {
	t.Run("org ID unknown", func(t *testing.T) {
		c := newClient(t, srv)
		loc, err := s3log.ParseURI("s3://" + orgBkt + "/" + orgPfx + "/")
		if err != nil {
			t.Fatal(err)
		}
		l, err := s3log.Discover(ctx, smallPages{c.s3}, loc, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if l.Location.OrgID != orgID || !slices.Equal(l.Accounts, []string{acctA, acctB, acctC}) ||
			!slices.Equal(l.Regions, allRegions) || len(l.Absent) != 0 {
			t.Errorf("layout = %+v", l)
		}
		// Folders only: every listing has the delimiter, none is a day.
		for _, l := range c.rec.calls() {
			if l.delimiter != "/" {
				t.Errorf("Discover listed objects: %+v", l)
			}
		}
		if !slices.ContainsFunc(c.rec.calls(), func(l listCall) bool { return l.prefix == orgPfx+"/AWSLogs/" }) {
			t.Errorf("Discover did not look for the org ID level: %+v", c.rec.calls())
		}
	})
	t.Run("org ID given, accounts and regions asked for", func(t *testing.T) {
		c := newClient(t, srv)
		loc, err := s3log.ParseURI("s3://" + orgBkt + "/" + orgPfx + "/AWSLogs/" + orgID + "/")
		if err != nil {
			t.Fatal(err)
		}
		l, err := s3log.Discover(ctx, c.s3, loc, []string{acctB, "999999999999"}, []string{"eu-west-1"})
		if err != nil {
			t.Fatal(err)
		}
		if l.Location.OrgID != orgID || !slices.Equal(l.Accounts, []string{acctB}) ||
			!slices.Equal(l.Absent, []string{"999999999999"}) || !slices.Equal(l.Regions, []string{"eu-west-1"}) {
			t.Errorf("layout = %+v", l)
		}
		// One listing: the accounts under the org ID. Neither the AWSLogs/
		// level nor any region level.
		if calls := c.rec.calls(); len(calls) != 1 || calls[0].prefix != orgPfx+"/AWSLogs/"+orgID+"/" {
			t.Errorf("listings = %+v, want only the account level", calls)
		}
	})
	t.Run("account trail", func(t *testing.T) {
		c := newClient(t, srv)
		l, err := s3log.Discover(ctx, c.s3, s3log.Location{Bucket: acctBkt}, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if l.Location.OrgID != "" || !slices.Equal(l.Accounts, []string{acctA, acctB, acctC}) || !slices.Equal(l.Regions, allRegions) {
			t.Errorf("layout = %+v", l)
		}
	})
	t.Run("no logs", func(t *testing.T) {
		c := newClient(t, srv)
		for _, loc := range []s3log.Location{
			{Bucket: acctBkt, Prefix: "typo"},
			{Bucket: orgBkt, Prefix: orgPfx, OrgID: "o-zzzzzzzzzz"},
			{Bucket: acctBkt, Organization: true, Trail: "arn:aws:cloudtrail:us-east-1:111111111111:trail/org"},
		} {
			if _, err := s3log.Discover(ctx, c.s3, loc, nil, nil); !errors.Is(err, s3log.ErrNoLogs) {
				t.Errorf("Discover(%+v) = %v, want ErrNoLogs", loc, err)
			}
		}
	})
}

func testGaps(ctx context.Context, t *testing.T, srv *motoserver.Server) {
	regions := []string{"eu-west-1", "us-east-1"}
	t.Run("one account denied", func(t *testing.T) {
		c := newClient(t, srv)
		loc := s3log.Location{Bucket: orgBkt, Prefix: orgPfx, OrgID: orgID}
		// As a bucket policy with an s3:prefix condition would: S3 answers
		// 403 AccessDenied for 222222222222's prefixes only.
		c.rec.deny = trail.AccountPrefix(orgPfx, orgID, acctB)
		units, covered, gaps := s3log.ListUnits(ctx, c.s3, loc, []string{acctA, acctB}, regions, from, to)
		if len(gaps) != 2 {
			t.Fatalf("gaps = %+v, want one per region of %s", gaps, acctB)
		}
		for i, g := range gaps {
			if g.Account != acctB || g.Region != regions[i] || g.Service != s3log.ListOperation ||
				!strings.Contains(g.Reason, "access denied (AccessDenied)") || !strings.Contains(g.Reason, "/2025/03/0") {
				t.Errorf("gap = %+v", g)
			}
		}
		if len(covered) != 2*3 || slices.ContainsFunc(covered, func(cv trail.Coverage) bool { return cv.Account != acctA }) {
			t.Errorf("covered = %+v, want %s's six partition days", covered, acctA)
		}
		if len(units) == 0 || slices.ContainsFunc(units, func(u trail.Unit) bool { return u.Account != acctA }) {
			t.Errorf("units = %+v, want only %s's", units, acctA)
		}
		// A denied partition starts no day after its first failure (days
		// already under way may still ask); S3's page size is asked for.
		var denied int
		for _, l := range c.rec.calls() {
			if strings.HasPrefix(l.prefix, c.rec.deny) {
				denied++
			}
			if l.maxKeys != "1000" {
				t.Errorf("listing %+v: max-keys, want 1000", l)
			}
		}
		if denied < 2 || denied > 2*3 {
			t.Errorf("%d listings of the denied account, want at least one and at most one per region and day", denied)
		}
	})
	t.Run("missing bucket", func(t *testing.T) {
		c := newClient(t, srv)
		units, covered, gaps := s3log.ListUnits(ctx, c.s3, s3log.Location{Bucket: "no-such-trail-bucket"}, []string{acctA}, regions, from, to)
		if len(units) != 0 || len(covered) != 0 || len(gaps) != 2 {
			t.Fatalf("units %d, covered %d, gaps %+v; want only a gap per partition", len(units), len(covered), gaps)
		}
		if !strings.Contains(gaps[0].Reason, "NoSuchBucket") {
			t.Errorf("gap = %+v", gaps[0])
		}
	})
	t.Run("canceled", func(t *testing.T) {
		c := newClient(t, srv)
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		units, covered, gaps := s3log.ListUnits(cctx, c.s3, s3log.Location{Bucket: acctBkt}, []string{acctA, acctB}, regions, from, to)
		if len(units) != 0 || len(covered) != 0 || len(gaps) != 4 {
			t.Fatalf("units %d, covered %d, gaps %+v; want a canceled gap per partition", len(units), len(covered), gaps)
		}
		for _, g := range gaps {
			if g.Reason != "canceled: context canceled" {
				t.Errorf("gap = %+v", g)
			}
		}
		if n := len(c.rec.calls()); n != 0 {
			t.Errorf("%d listings after cancellation", n)
		}
	})
}

func testOpen(ctx context.Context, t *testing.T, srv *motoserver.Server, admin *s3.Client) {
	c := newClient(t, srv)
	loc := s3log.Location{Bucket: acctBkt}
	day := trail.Day(from)
	units, _, gaps := s3log.ListUnits(ctx, c.s3, loc, []string{acctA}, []string{"us-east-1"}, day, day)
	if len(units) != 1 || len(gaps) != 0 {
		t.Fatalf("units = %+v, gaps = %+v", units, gaps)
	}
	u := units[0]
	body, err := s3log.Open(ctx, c.s3, loc, u)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(body)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if err := body.Close(); err != nil {
		t.Fatal(err)
	}
	if want := recordsOf(u.Key); string(got) != want {
		t.Errorf("object %s = %q, want %q", u.Key, got, want)
	}
	if ops := c.calls("s3:GetObject"); ops != 1 {
		t.Errorf("s3:GetObject calls = %d, want 1", ops)
	}

	// Replaced since the listing: reading it under the listed ETag fails.
	put(ctx, t, admin, acctBkt, u.Key, []byte("replaced"))
	if _, err := s3log.Open(ctx, c.s3, loc, u); err == nil || !strings.Contains(err.Error(), "PreconditionFailed") {
		t.Errorf("Open of a replaced object = %v, want PreconditionFailed", err)
	}
	// A unit of another location is refused before any call.
	if _, err := s3log.Open(ctx, c.s3, s3log.Location{Bucket: orgBkt, Prefix: orgPfx}, u); err == nil {
		t.Error("Open read a unit through another location")
	}
}

func testLocate(ctx context.Context, t *testing.T, srv *motoserver.Server) {
	cfg := mototest.Config(t, srv, "us-east-1")
	ct := cloudtrail.NewFromConfig(cfg)
	org, err := ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("org"), S3BucketName: aws.String(orgBkt),
		S3KeyPrefix: aws.String(orgPfx), IsOrganizationTrail: aws.Bool(true), IsMultiRegionTrail: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("account"), S3BucketName: aws.String(acctBkt)}); err != nil {
		t.Fatal(err)
	}
	meter := awsclient.NewMeter()
	api := cloudtrail.NewFromConfig(awsclient.Instrument(cfg, meter, awsclient.NewRateLimits(1)))

	for _, name := range []string{"org", aws.ToString(org.TrailARN)} {
		loc, err := s3log.Locate(ctx, api, name)
		if err != nil {
			t.Fatal(err)
		}
		want := s3log.Location{Bucket: orgBkt, Prefix: orgPfx, Trail: aws.ToString(org.TrailARN), Organization: true,
			HomeRegion: "us-east-1", MultiRegion: true}
		if loc != want {
			t.Errorf("Locate(%s) = %+v, want %+v", name, loc, want)
		}
		// The org ID is not in the trail's description; the bucket has it.
		l, err := s3log.Discover(ctx, newClient(t, srv).s3, loc, nil, nil)
		if err != nil || l.Location.OrgID != orgID {
			t.Errorf("Discover(%+v) = %+v, %v; want org ID %s", loc, l, err, orgID)
		}
	}
	loc, err := s3log.Locate(ctx, api, "account")
	if err != nil {
		t.Fatal(err)
	}
	if loc.Bucket != acctBkt || loc.Prefix != "" || loc.Organization || loc.MultiRegion {
		t.Errorf("Locate(account) = %+v", loc)
	}
	_, err = s3log.Locate(ctx, api, "no-such-trail")
	if !errors.Is(err, s3log.ErrTrailNotFound) {
		t.Errorf("Locate(no-such-trail) = %v, want ErrTrailNotFound", err)
	}
	var described int64
	for _, op := range meter.Operations() {
		if op.Operation == "cloudtrail:DescribeTrails" {
			described = op.Calls
		}
	}
	if described != 4 {
		t.Errorf("cloudtrail:DescribeTrails calls = %d, want one per Locate (4)", described)
	}
}

// seed creates both buckets and their logs: for each layout, account,
// region and day from 1 to 5 March one log file, three on 3 March for
// 111111111111/us-east-1; 222222222222/eu-west-1 only on the 1st and 5th.
// Beside them: a console "folder" marker and a digest file, which are not
// log files.
func seed(ctx context.Context, t *testing.T, c *s3.Client) estate {
	t.Helper()
	files := estate{}
	for _, b := range []string{orgBkt, acctBkt} {
		if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b)}); err != nil {
			t.Fatal(err)
		}
	}
	for _, layout := range []struct{ bucket, prefix, org string }{{orgBkt, orgPfx, orgID}, {acctBkt, "", ""}} {
		for _, a := range []string{acctA, acctB, acctC} {
			for _, r := range allRegions {
				for _, d := range logDays {
					if a == acctB && r == "eu-west-1" && !d.Equal(logDays[0]) && !d.Equal(logDays[len(logDays)-1]) {
						continue
					}
					n := 1
					if a == acctA && r == "us-east-1" && d.Day() == 3 {
						n = 3
					}
					for i := range n {
						key := trail.DayPrefix(layout.prefix, layout.org, a, r, d) +
							fmt.Sprintf("%s_CloudTrail_%s_%sT%02d05Z_%04d.json.gz", a, r, d.Format("20060102"), 8+i, i)
						files[key] = gzipped(t, recordsOf(key))
						put(ctx, t, c, layout.bucket, key, files[key])
					}
				}
			}
		}
		day := logDays[2]
		put(ctx, t, c, layout.bucket, trail.DayPrefix(layout.prefix, layout.org, acctA, "eu-west-1", day), nil)
		put(ctx, t, c, layout.bucket, trail.AccountPrefix(layout.prefix, layout.org, acctA)+
			"CloudTrail-Digest/us-east-1/"+day.Format("2006/01/02")+"/digest.json.gz", []byte("{}"))
	}
	return files
}

// recordsOf is the (decompressed) content of the log file key.
func recordsOf(key string) string { return `{"Records":[],"key":"` + key + `"}` }

func gzipped(t *testing.T, s string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := zw.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func put(ctx context.Context, t *testing.T, c *s3.Client, bucket, key string, body []byte) {
	t.Helper()
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(body)}); err != nil {
		t.Fatalf("put %s: %v", key, err)
	}
}

func s3Client(cfg aws.Config) *s3.Client {
	// moto serves every bucket from one host, so buckets go in the path.
	return s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
}

// client is a reader's S3 client as a scan builds it (metered and rate
// limited), with every request passing through a recorder.
type client struct {
	s3    *s3.Client
	meter *awsclient.Meter
	rec   *recorder
}

func newClient(t *testing.T, srv *motoserver.Server) *client {
	cfg := mototest.Config(t, srv, "us-east-1")
	rec := &recorder{next: &http.Client{}}
	cfg.HTTPClient = rec
	meter := awsclient.NewMeter()
	return &client{s3: s3Client(awsclient.Instrument(cfg, meter, awsclient.NewRateLimits(1))), meter: meter, rec: rec}
}

func (c *client) calls(op string) int64 {
	for _, o := range c.meter.Operations() {
		if o.Operation == op {
			return o.Calls
		}
	}
	return 0
}

// listCall is one ListObjectsV2 request as it went over the wire.
type listCall struct{ bucket, prefix, delimiter, maxKeys string }

// recorder is the SDK's HTTP client: it records every ListObjectsV2
// request and answers those under deny with S3's 403 AccessDenied, as a
// bucket policy would.
type recorder struct {
	next *http.Client
	deny string

	mu    sync.Mutex
	lists []listCall
}

func (r *recorder) Do(req *http.Request) (*http.Response, error) {
	q := req.URL.Query()
	if req.Method == http.MethodGet && q.Get("list-type") == "2" {
		bucket, _ := url.PathUnescape(strings.Trim(req.URL.Path, "/"))
		l := listCall{bucket: bucket, prefix: q.Get("prefix"), delimiter: q.Get("delimiter"), maxKeys: q.Get("max-keys")}
		r.mu.Lock()
		r.lists = append(r.lists, l)
		r.mu.Unlock()
		if r.deny != "" && strings.HasPrefix(l.prefix, r.deny) {
			const body = `<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message><RequestId>R</RequestId><HostId>H</HostId></Error>`
			return &http.Response{StatusCode: http.StatusForbidden, Status: "403 Forbidden", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
				Header: http.Header{"Content-Type": {"application/xml"}}, ContentLength: int64(len(body)),
				Body: io.NopCloser(strings.NewReader(body)), Request: req}, nil
		}
	}
	return r.next.Do(req)
}

func (r *recorder) calls() []listCall {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.lists)
}

// smallPages asks for two keys per page, so a few objects exercise
// pagination.
type smallPages struct{ s3log.API }

func (p smallPages) ListObjectsV2(ctx context.Context, in *s3.ListObjectsV2Input, optFns ...func(*s3.Options)) (*s3.ListObjectsV2Output, error) {
	in2 := *in
	in2.MaxKeys = aws.Int32(2)
	return p.API.ListObjectsV2(ctx, &in2, optFns...)
}

// S3 names a bucket's region to a client of another region, so a trail
// bucket is read through a client of its own region.
func TestBucketRegionAgainstMoto(t *testing.T) {
	srv := mototest.ForTest(t)
	mototest.DummyCredentials(t)
	ctx := context.Background()
	eu := s3.NewFromConfig(mototest.Config(t, srv, "eu-west-1"), func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := eu.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("eu-trail"),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraintEuWest1}}); err != nil {
		t.Fatal(err)
	}
	us := s3.NewFromConfig(mototest.Config(t, srv, "us-east-1"), func(o *s3.Options) { o.UsePathStyle = true })
	got, err := s3log.BucketRegion(ctx, us, "eu-trail")
	if err != nil || got != "eu-west-1" {
		t.Errorf("BucketRegion = %q, %v; want eu-west-1", got, err)
	}
	if _, err := s3log.BucketRegion(ctx, us, "no-such-trail-bucket"); err == nil {
		t.Error("a missing bucket has a region")
	}
}
