package athena

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/sagekey/sagekey/internal/trail"
)

// Table is the Athena table over a trail's S3 location. Queries expect the
// layout TableDDL creates: the documented CloudTrail columns, partitioned
// by account, region and timestamp (yyyy/MM/dd); a table created by hand
// from AWS's single-account example lacks the account and region
// partitions, and every query on it fails.
type Table struct {
	// Database and Name locate the table in the data catalog. Athena
	// accepts only lower-case letters, digits and underscores in them.
	Database, Name string
	// Bucket, Prefix and OrgID are where the trail delivers (as for
	// trail.LogsPrefix); OrgID is set for an organization trail.
	Bucket, Prefix, OrgID string
	// Accounts and Regions are the values partition projection enumerates:
	// Athena reads only these partitions, so a query for any other returns
	// no rows rather than an error. TableDDL needs both; Read uses them as
	// the selection when the filter names none.
	Accounts, Regions []string
	// From is the first day partition projection knows (the table's
	// projection.timestamp.range starts there and ends at NOW). Zero when
	// the table was created elsewhere and its range is not known.
	From time.Time
}

// Source names the table as trail.Unit.Source does:
// "athena:<workgroup>/<database>.<table>".
func (t Table) Source(workgroup string) string {
	return "athena:" + workgroup + "/" + t.Database + "." + t.Name
}

// Values are checked against these before they go anywhere near SQL.
// Quoting is still applied to every literal: validation keeps out what is
// not an account or a region at all, quoting keeps out what it missed.
var (
	accountPattern = regexp.MustCompile(`^\d{12}$`)
	// us-east-1, us-gov-west-1, cn-north-1, us-isob-east-1, eusc-de-east-1 ...
	regionPattern = regexp.MustCompile(`^[a-z]{2,4}(-[a-z]+)+-\d{1,2}$`)
	// The org-ID folder as trail.ParseLogKey reads it.
	orgIDPattern = regexp.MustCompile(`^o-[a-z0-9]{10,32}$`)
	// S3 bucket naming rules (lower case, digits, dots, hyphens; 3 to 63).
	bucketPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)
	// S3's "safe characters" for key names less the single quote: "$" and
	// "{" are not among them, so a prefix cannot inject a ${...} into
	// storage.location.template, and with no quote or backslash the DDL
	// needs no escaping (Hive's string literals escape with backslashes and
	// read 'a''b' as two adjacent literals, "ab", not as Trino's a'b).
	prefixPattern = regexp.MustCompile(`^[A-Za-z0-9!_.*()/-]*$`)
	// Athena database and table names.
	namePattern = regexp.MustCompile(`^[a-z0-9_]{1,255}$`)
)

// validateName checks a database or table name.
func validateName(what, name string) error {
	if !namePattern.MatchString(name) {
		return fmt.Errorf("athena: %s name %q: use lower-case letters, digits and underscores", what, name)
	}
	return nil
}

// validateLocation checks the table's identity and S3 location.
func (t Table) validateLocation() error {
	if err := validateName("database", t.Database); err != nil {
		return err
	}
	if err := validateName("table", t.Name); err != nil {
		return err
	}
	if !bucketPattern.MatchString(t.Bucket) {
		return fmt.Errorf("athena: bucket %q is not an S3 bucket name", t.Bucket)
	}
	if !prefixPattern.MatchString(t.Prefix) {
		return fmt.Errorf("athena: prefix %q has characters outside S3's safe set", t.Prefix)
	}
	if t.OrgID != "" && !orgIDPattern.MatchString(t.OrgID) {
		return fmt.Errorf("athena: %q is not an organization ID (o-...)", t.OrgID)
	}
	return nil
}

func validateAccounts(accounts []string) error {
	for _, a := range accounts {
		if !accountPattern.MatchString(a) {
			return fmt.Errorf("athena: %q is not a 12-digit account ID", a)
		}
	}
	return nil
}

func validateRegions(regions []string) error {
	for _, r := range regions {
		if !regionPattern.MatchString(r) {
			return fmt.Errorf("athena: %q is not a region name", r)
		}
	}
	return nil
}

// validateDay checks that a day formats to a fixed-width yyyy/MM/dd (and
// yyyy-MM-dd), which the partition and event-time comparisons rely on:
// they compare strings.
func validateDay(what string, t time.Time) error {
	if t.IsZero() {
		return fmt.Errorf("athena: no %s date", what)
	}
	if y := t.UTC().Year(); y < 1000 || y > 9999 {
		return fmt.Errorf("athena: %s date %s is out of range", what, t.UTC().Format(time.RFC3339))
	}
	return nil
}

// TableDDL returns the CREATE EXTERNAL TABLE statement for the trail, as
// AWS documents it for partition projection ("Create the table for
// CloudTrail logs in Athena using partition projection"), extended the way
// the organization-trail page extends it: the location includes the org ID
// when there is one, and account and region are projected partitions
// (enums) beside the day, so one table serves every account and region and
// a query's WHERE on them reads only those prefixes.
//
// The table is created IF NOT EXISTS: an existing table is left as it is,
// including its projected accounts and regions.
func TableDDL(t Table) (string, error) {
	if err := t.validateLocation(); err != nil {
		return "", err
	}
	if len(t.Accounts) == 0 || len(t.Regions) == 0 {
		return "", errors.New("athena: partition projection needs the accounts and regions to enumerate")
	}
	if err := validateAccounts(t.Accounts); err != nil {
		return "", err
	}
	if err := validateRegions(t.Regions); err != nil {
		return "", err
	}
	if err := validateDay("table start", t.From); err != nil {
		return "", err
	}
	logs := "s3://" + t.Bucket + "/" + trail.LogsPrefix(t.Prefix)
	if t.OrgID != "" {
		logs += t.OrgID + "/"
	}
	props := [][2]string{
		{"projection.enabled", "true"},
		{"projection.account.type", "enum"},
		{"projection.account.values", strings.Join(sortedSet(t.Accounts), ",")},
		{"projection.region.type", "enum"},
		{"projection.region.values", strings.Join(sortedSet(t.Regions), ",")},
		{"projection.timestamp.type", "date"},
		{"projection.timestamp.format", "yyyy/MM/dd"},
		{"projection.timestamp.interval", "1"},
		{"projection.timestamp.interval.unit", "DAYS"},
		{"projection.timestamp.range", t.From.UTC().Format("2006/01/02") + ",NOW"},
		{"storage.location.template", logs + "${account}/CloudTrail/${region}/${timestamp}"},
	}
	var b strings.Builder
	fmt.Fprintf(&b, "CREATE EXTERNAL TABLE IF NOT EXISTS `%s`.`%s` (\n", t.Database, t.Name)
	b.WriteString(cloudTrailColumns)
	b.WriteString(")\nPARTITIONED BY (\n  `account` string,\n  `region` string,\n  `timestamp` string)\n")
	b.WriteString("ROW FORMAT SERDE 'org.apache.hive.hcatalog.data.JsonSerDe'\n")
	b.WriteString("STORED AS INPUTFORMAT 'com.amazon.emr.cloudtrail.CloudTrailInputFormat'\n")
	b.WriteString("OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'\n")
	fmt.Fprintf(&b, "LOCATION %s\nTBLPROPERTIES (\n", lit(logs))
	for i, p := range props {
		sep := ",\n"
		if i == len(props)-1 {
			sep = ")"
		}
		fmt.Fprintf(&b, "  %s=%s%s", lit(p[0]), lit(p[1]), sep)
	}
	return b.String(), nil
}

// cloudTrailColumns are the record fields as the AWS documentation's table
// declares them (all lower case: the JSON SerDe matches keys without case).
const cloudTrailColumns = `  eventversion STRING,
  useridentity STRUCT<
    type: STRING,
    principalid: STRING,
    arn: STRING,
    accountid: STRING,
    invokedby: STRING,
    accesskeyid: STRING,
    username: STRING,
    onbehalfof: STRUCT<
      userid: STRING,
      identitystorearn: STRING>,
    sessioncontext: STRUCT<
      attributes: STRUCT<
        mfaauthenticated: STRING,
        creationdate: STRING>,
      sessionissuer: STRUCT<
        type: STRING,
        principalid: STRING,
        arn: STRING,
        accountid: STRING,
        username: STRING>,
      ec2roledelivery: STRING,
      webidfederationdata: STRUCT<
        federatedprovider: STRING,
        attributes: MAP<STRING,STRING>>>>,
  eventtime STRING,
  eventsource STRING,
  eventname STRING,
  awsregion STRING,
  sourceipaddress STRING,
  useragent STRING,
  errorcode STRING,
  errormessage STRING,
  requestparameters STRING,
  responseelements STRING,
  additionaleventdata STRING,
  requestid STRING,
  eventid STRING,
  readonly STRING,
  resources ARRAY<STRUCT<
    arn: STRING,
    accountid: STRING,
    type: STRING>>,
  eventtype STRING,
  apiversion STRING,
  recipientaccountid STRING,
  serviceeventdetails STRING,
  sharedeventid STRING,
  vpcendpointid STRING,
  vpcendpointaccountid STRING,
  eventcategory STRING,
  addendum STRUCT<
    reason: STRING,
    updatedfields: STRING,
    originalrequestid: STRING,
    originaleventid: STRING>,
  sessioncredentialfromconsole STRING,
  edgedevicedetails STRING,
  tlsdetails STRUCT<
    tlsversion: STRING,
    ciphersuite: STRING,
    clientprovidedhostheader: STRING>
`

// lit is s as a Trino string literal: single quotes doubled, the only
// escape Trino knows inside '...'. Every string sagekey interpolates goes
// through it, validated or not. The DDL (Hive, which escapes differently)
// uses it too, but only on values validated to hold no quote or backslash,
// where both dialects agree.
func lit(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// sortedSet returns the distinct values of s, sorted, in a new slice.
func sortedSet(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return slices.Compact(out)
}
