package cli

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	athenasdk "github.com/aws/aws-sdk-go-v2/service/athena"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/spf13/pflag"

	"github.com/sagekey/sagekey/internal/awsclient"
	"github.com/sagekey/sagekey/internal/report"
	"github.com/sagekey/sagekey/internal/trail/athena"
	"github.com/sagekey/sagekey/internal/trail/lookup"
	"github.com/sagekey/sagekey/internal/trail/s3log"
	"github.com/sagekey/sagekey/internal/trailscan"
)

// trailSourceOptions say where the trail is read from: exactly one of a
// named trail, an S3 URI, a directory or LookupEvents; Athena reads the
// bucket of the first two.
type trailSourceOptions struct {
	trailName, s3URI, fromDir string
	lookupEvents              bool
	bucketRegion              string
	athenaWorkgroup           string
	athenaDatabase            string
	athenaTable               string
	athenaOutput              string
	athenaCreateTable         bool
	printSQL                  bool
}

// defaultAthenaTable names the table sagekey creates on request.
const defaultAthenaTable = "sagekey_cloudtrail"

func (o *trailSourceOptions) register(f *pflag.FlagSet) {
	f.StringVar(&o.trailName, "trail", "", "read the S3 bucket and prefix of this trail (name or ARN; DescribeTrails/GetTrail)")
	f.StringVar(&o.s3URI, "s3-uri", "", "read CloudTrail log files under s3://bucket[/prefix]")
	f.StringVar(&o.fromDir, "from-dir", "", "read local .json/.json.gz files (CloudTrail log files, or one event per line) under this directory or file")
	f.BoolVar(&o.lookupEvents, "lookup-events", false, "read the caller's account with LookupEvents (90 days of management events, 2 requests per second per region)")
	f.StringVar(&o.bucketRegion, "bucket-region", "", "region of the trail bucket (default: asked of S3 with HeadBucket)")
	f.StringVar(&o.athenaWorkgroup, "athena-workgroup", "", "aggregate in Athena in this workgroup instead of downloading the log files (with --trail or --s3-uri)")
	f.StringVar(&o.athenaDatabase, "athena-database", "", "Athena database of the CloudTrail table")
	f.StringVar(&o.athenaTable, "athena-table", defaultAthenaTable, "Athena CloudTrail table")
	f.StringVar(&o.athenaOutput, "athena-output", "", "s3:// location for Athena query results (default: the workgroup's)")
	f.BoolVar(&o.athenaCreateTable, "athena-create-table", false, "create the CloudTrail table with partition projection first (the one statement sagekey sends that is not a SELECT)")
	f.BoolVar(&o.printSQL, "print-sql", false, "print the Athena DDL and queries for the window and exit, for teams that run them themselves")
}

func (o *trailSourceOptions) athena() bool {
	return o.athenaWorkgroup != "" || o.athenaDatabase != "" || o.athenaCreateTable || o.printSQL
}

func (o *trailSourceOptions) validate() error {
	n := 0
	for _, set := range []bool{o.trailName != "", o.s3URI != "", o.fromDir != "", o.lookupEvents} {
		if set {
			n++
		}
	}
	if n != 1 {
		return usagef("name exactly one trail source: --trail, --s3-uri, --from-dir or --lookup-events")
	}
	if o.athena() {
		if o.trailName == "" && o.s3URI == "" {
			return usagef("Athena reads a trail bucket: give --trail or --s3-uri")
		}
		if o.athenaDatabase == "" {
			return usagef("--athena-database is required with Athena")
		}
	}
	if o.s3URI != "" {
		if _, err := s3log.ParseURI(o.s3URI); err != nil {
			return usagef("--s3-uri: %v", err)
		}
	}
	return nil
}

// trailSession is the AWS side of one trail run: configuration, meter and
// the window with --org resolved.
type trailSession struct {
	window trailscan.Window
	cfg    aws.Config
	meter  *awsclient.Meter
	now    func() time.Time
}

func (o *trailOptions) newSession(ctx context.Context, e Env, w trailscan.Window) (*trailSession, error) {
	s := &trailSession{window: w, now: e.Now}
	if o.source.fromDir != "" || (o.source.printSQL && o.source.s3URI != "") {
		return s, nil // offline: local files, or SQL for a bucket named in full
	}
	region := ""
	if len(o.regions) > 0 {
		region = o.regions[0]
	}
	cfg, err := awsclient.Load(ctx, awsclient.Options{Profile: o.aws.profile, EndpointURL: o.aws.endpointURL,
		MaxAttempts: o.aws.maxAttempts, Region: region})
	if err != nil {
		return nil, err
	}
	s.meter = awsclient.NewMeter()
	s.cfg = awsclient.Instrument(cfg, s.meter, awsclient.NewRateLimits(o.aws.rateScale))
	if o.org {
		caller, err := awsclient.Identity(ctx, s.cfg)
		if err != nil {
			return nil, fmt.Errorf("who am I: %w", err)
		}
		accounts, err := awsclient.ResolveAccounts(ctx, s.cfg, caller, awsclient.AccountsOptions{Org: true})
		if err != nil {
			return nil, err
		}
		for _, a := range accounts {
			s.window.Accounts = append(s.window.Accounts, a.ID)
		}
	}
	return s, nil
}

// guardrails are the policies whose blocks count as guardrail blocks: the
// ones given, else those found by sagekey's statement IDs.
func (s *trailSession) guardrails(ctx context.Context, o *trailOptions) []string {
	if len(o.guardrails) > 0 || !o.discover || s.meter == nil {
		return o.guardrails
	}
	found, notes := trailscan.DiscoverGuardrails(ctx, trailscan.OrgPoliciesClientAPI(organizations.NewFromConfig(s.cfg)),
		trailscan.IAMPoliciesClientAPI(iam.NewFromConfig(s.cfg)))
	for _, n := range notes {
		slog.Info(n)
	}
	slog.Info("guardrail policies found by their statement IDs", "policies", found)
	return found
}

// apiCalls are the calls this run made.
func (s *trailSession) apiCalls() []report.OperationCalls {
	if s.meter == nil {
		return nil
	}
	var out []report.OperationCalls
	for _, c := range s.meter.Operations() {
		out = append(out, report.OperationCalls{Operation: c.Operation, Calls: c.Calls, Retries: c.Retries, Throttles: c.Throttles})
	}
	return out
}

// source builds the configured source.
func (s *trailSession) source(ctx context.Context, o *trailOptions) (any, error) {
	src := o.source
	switch {
	case src.fromDir != "":
		return trailscan.FileSource{Root: src.fromDir}, nil
	case src.lookupEvents:
		return s.lookupSource(ctx, o)
	}
	loc, client, err := s.bucket(ctx, o)
	if err != nil {
		return nil, err
	}
	if !src.athena() {
		return trailscan.S3Source{API: client, Location: loc, Now: s.now}, nil
	}
	table, err := s.tableFor(ctx, o, loc, client)
	if err != nil {
		return nil, err
	}
	return trailscan.AthenaSource{API: athena.ClientAPI(athenasdk.NewFromConfig(s.cfg)), CreateTable: src.athenaCreateTable,
		Options: athena.Options{Table: table, WorkGroup: src.athenaWorkgroup, OutputLocation: src.athenaOutput, Now: s.now}}, nil
}

// lookupSource reads the caller's own account: LookupEvents answers for
// the account whose credentials call it.
func (s *trailSession) lookupSource(ctx context.Context, o *trailOptions) (trailscan.Source, error) {
	caller, err := awsclient.Identity(ctx, s.cfg)
	if err != nil {
		return nil, fmt.Errorf("who am I: %w", err)
	}
	for _, a := range s.window.Accounts {
		if a != caller.Account {
			return nil, usagef("--lookup-events reads the caller's account (%s) only; read other accounts from their trail bucket with --trail or --s3-uri", caller.Account)
		}
	}
	regions := o.regions
	if len(regions) == 0 {
		regions = []string{s.cfg.Region}
	}
	clients := map[string]lookup.API{}
	for _, r := range regions {
		clients[r] = lookup.ClientAPI(cloudtrail.NewFromConfig(s.cfg, func(co *cloudtrail.Options) { co.Region = r }))
	}
	return trailscan.LookupSource{API: func(region string) lookup.API { return clients[region] }, Account: caller.Account,
		Regions: regions, Now: s.now}, nil
}

// bucket finds the trail's bucket and prefix and a client of its region.
func (s *trailSession) bucket(ctx context.Context, o *trailOptions) (s3log.Location, s3log.API, error) {
	var loc s3log.Location
	var err error
	if o.source.s3URI != "" {
		loc, err = s3log.ParseURI(o.source.s3URI)
	} else {
		loc, err = s3log.Locate(ctx, s3log.TrailsClientAPI(cloudtrail.NewFromConfig(s.cfg)), o.source.trailName)
	}
	if err != nil {
		return loc, nil, err
	}
	client := s.s3Client(o, o.source.bucketRegion)
	if o.source.bucketRegion == "" {
		// The bucket's own region: a trail's home region need not be it
		// (an organization's log archive bucket), and a client of another
		// region fails every listing.
		region, err := s3log.BucketRegion(ctx, client, loc.Bucket)
		if err != nil {
			return loc, nil, fmt.Errorf("the region of bucket %s (--bucket-region names it): %w", loc.Bucket, err)
		}
		if region != "" && region != s.cfg.Region {
			client = s.s3Client(o, region)
		}
	}
	return loc, client, nil
}

// s3Client is a client of region (empty: the configured one).
func (s *trailSession) s3Client(o *trailOptions, region string) s3log.API {
	return s3log.ClientAPI(s3.NewFromConfig(s.cfg, func(so *s3.Options) {
		if region != "" {
			so.Region = region
		}
		// Log files are gzip objects without a stored checksum; the SDK would
		// log a debug line for every one it reads.
		so.DisableLogOutputChecksumValidationSkipped = true
		// Emulators and custom endpoints serve buckets by path.
		so.UsePathStyle = o.aws.endpointURL != "" || s.cfg.BaseEndpoint != nil
	}))
}

// tableFor is the Athena table over the trail bucket; the org ID level is
// discovered when the location does not name it.
func (s *trailSession) tableFor(ctx context.Context, o *trailOptions, loc s3log.Location, client s3log.API) (athena.Table, error) {
	if loc.OrgID == "" && loc.Organization {
		layout, err := s3log.Discover(ctx, client, loc, s.window.Accounts, s.window.Regions)
		if err != nil {
			return athena.Table{}, err
		}
		loc = layout.Location
	}
	return athena.Table{Database: o.source.athenaDatabase, Name: o.source.athenaTable, Bucket: loc.Bucket, Prefix: loc.Prefix,
		OrgID: loc.OrgID, Accounts: s.window.Accounts, Regions: s.window.Regions, From: s.window.From}, nil
}

// athenaTable is the table for --print-sql.
func (s *trailSession) athenaTable(ctx context.Context, o *trailOptions) (athena.Table, error) {
	if s.meter == nil { // offline: the URI says it all
		loc, err := s3log.ParseURI(o.source.s3URI)
		if err != nil {
			return athena.Table{}, err
		}
		return s.tableFor(ctx, o, loc, nil)
	}
	loc, client, err := s.bucket(ctx, o)
	if err != nil {
		return athena.Table{}, err
	}
	return s.tableFor(ctx, o, loc, client)
}
