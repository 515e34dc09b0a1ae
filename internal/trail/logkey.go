package trail

import (
	"regexp"
	"strings"
	"time"
)

// CloudTrail delivers log files under
//
//	<prefix>/AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/<file>.json.gz
//
// and, for an organization trail,
//
//	<prefix>/AWSLogs/<org-id>/<account>/CloudTrail/<region>/YYYY/MM/DD/<file>.json.gz
//
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/get-and-view-cloudtrail-log-files.html).
// The date partitions let a reader list only the days, accounts and regions
// it was asked for.
var logKeyPattern = regexp.MustCompile(`(?:^|/)AWSLogs/(?:(o-[a-z0-9]{10,32})/)?(\d{12})/CloudTrail/([a-z0-9-]+)/(\d{4})/(\d{2})/(\d{2})/`)

// LogKey is the partition a CloudTrail log file key belongs to.
type LogKey struct {
	OrgID   string
	Account string
	Region  string
	Day     time.Time
}

// ParseLogKey reads the partition out of a log file's key (or path).
func ParseLogKey(key string) (LogKey, bool) {
	m := logKeyPattern.FindStringSubmatch(key)
	if m == nil {
		return LogKey{}, false
	}
	day, err := time.Parse("2006/01/02", m[4]+"/"+m[5]+"/"+m[6])
	if err != nil {
		return LogKey{}, false
	}
	return LogKey{OrgID: m[1], Account: m[2], Region: m[3], Day: day}, true
}

// DayPrefix is the key prefix of one day's log files of one account and
// region under a trail's prefix (which may be empty) and org ID (empty for
// an account trail).
func DayPrefix(prefix, orgID, account, region string, day time.Time) string {
	return AccountPrefix(prefix, orgID, account) + "CloudTrail/" + region + "/" + day.UTC().Format("2006/01/02") + "/"
}

// AccountPrefix is the key prefix of one account's logs.
func AccountPrefix(prefix, orgID, account string) string {
	p := LogsPrefix(prefix)
	if orgID != "" {
		p += orgID + "/"
	}
	return p + account + "/"
}

// LogsPrefix is "<prefix>/AWSLogs/".
func LogsPrefix(prefix string) string {
	prefix = strings.Trim(prefix, "/")
	if prefix == "" {
		return "AWSLogs/"
	}
	return prefix + "/AWSLogs/"
}

// Days lists the UTC days from from's day to to's day, inclusive.
func Days(from, to time.Time) []time.Time {
	var out []time.Time
	for d := Day(from); !d.After(to); d = d.AddDate(0, 0, 1) {
		out = append(out, d)
	}
	return out
}
