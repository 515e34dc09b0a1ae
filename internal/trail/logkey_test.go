package trail

import (
	"slices"
	"testing"
	"time"
)

func TestParseLogKey(t *testing.T) {
	nov3 := time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name string
		key  string
		want LogKey
		ok   bool
	}{
		{"account trail, no prefix",
			"AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/03/111122223333_CloudTrail_us-east-1_20261103T1430Z_a1b2c3d4e5f6g7h8.json.gz",
			LogKey{Account: acct, Region: "us-east-1", Day: nov3}, true},
		{"account trail under a prefix",
			"trails/prod/AWSLogs/111122223333/CloudTrail/eu-west-1/2026/11/03/111122223333_CloudTrail_eu-west-1_20261103T1430Z_x.json.gz",
			LogKey{Account: acct, Region: "eu-west-1", Day: nov3}, true},
		{"organization trail",
			"org/AWSLogs/o-a1b2c3d4e5/444455556666/CloudTrail/ap-southeast-2/2026/11/03/444455556666_CloudTrail_ap-southeast-2_20261103T0005Z_x.json.gz",
			LogKey{OrgID: "o-a1b2c3d4e5", Account: otherAcc, Region: "ap-southeast-2", Day: nov3}, true},
		{"a local path", "/data/trail/AWSLogs/111122223333/CloudTrail/us-gov-west-1/2026/11/03/f.json",
			LogKey{Account: acct, Region: "us-gov-west-1", Day: nov3}, true},
		{"a digest file is not a log file",
			"AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2026/11/03/111122223333_CloudTrail-Digest_us-east-1_x.json.gz",
			LogKey{}, false},
		{"an Insights file is not a log file",
			"AWSLogs/111122223333/CloudTrail-Insight/us-east-1/2026/11/03/x.json.gz", LogKey{}, false},
		{"an account ID of 11 digits", "AWSLogs/11112222333/CloudTrail/us-east-1/2026/11/03/x.json.gz", LogKey{}, false},
		{"an org ID too short", "AWSLogs/o-abc/111122223333/CloudTrail/us-east-1/2026/11/03/x.json.gz", LogKey{}, false},
		{"a day that does not exist", "AWSLogs/111122223333/CloudTrail/us-east-1/2026/02/30/x.json.gz", LogKey{}, false},
		{"a day folder, not a file in one", "AWSLogs/111122223333/CloudTrail/us-east-1/2026/11", LogKey{}, false},
		{"no AWSLogs folder", "111122223333/CloudTrail/us-east-1/2026/11/03/x.json.gz", LogKey{}, false},
		{"AWSLogs as part of a name", "myAWSLogs/111122223333/CloudTrail/us-east-1/2026/11/03/x.json.gz", LogKey{}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := ParseLogKey(tc.key)
			if ok != tc.ok || got != tc.want {
				t.Errorf("ParseLogKey(%q) = %+v, %v; want %+v, %v", tc.key, got, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestPrefixes(t *testing.T) {
	// A day late in the evening west of UTC is still that UTC day's folder
	// only if it is that UTC day: DayPrefix formats the UTC date.
	day := time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC)
	west := time.FixedZone("PST", -8*3600)
	cases := []struct {
		name                         string
		prefix, org, account, region string
		day                          time.Time
		want                         string
	}{
		{"account trail, no prefix", "", "", acct, region, day, "AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/03/"},
		{"prefix with slashes trimmed", "/trails/prod/", "", acct, region, day, "trails/prod/AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/03/"},
		{"organization trail", "org", "o-a1b2c3d4e5", otherAcc, "eu-west-1", day, "org/AWSLogs/o-a1b2c3d4e5/444455556666/CloudTrail/eu-west-1/2026/11/03/"},
		{"a time in another zone names its UTC day", "", "", acct, region, time.Date(2026, 11, 3, 20, 0, 0, 0, west), "AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/04/"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := DayPrefix(tc.prefix, tc.org, tc.account, tc.region, tc.day)
			if got != tc.want {
				t.Fatalf("DayPrefix = %q, want %q", got, tc.want)
			}
			// A file under the prefix parses back to the same partition.
			k, ok := ParseLogKey(got + "x.json.gz")
			want := LogKey{OrgID: tc.org, Account: tc.account, Region: tc.region, Day: Day(tc.day)}
			if !ok || k != want {
				t.Errorf("ParseLogKey(DayPrefix(...)) = %+v, %v; want %+v", k, ok, want)
			}
		})
	}
	if got := AccountPrefix("p", "o-a1b2c3d4e5", acct); got != "p/AWSLogs/o-a1b2c3d4e5/111122223333/" {
		t.Errorf("AccountPrefix = %q", got)
	}
	if got := LogsPrefix("/"); got != "AWSLogs/" {
		t.Errorf("LogsPrefix(/) = %q", got)
	}
}

func TestDays(t *testing.T) {
	d := func(day int) time.Time { return time.Date(2026, 11, day, 0, 0, 0, 0, time.UTC) }
	cases := []struct {
		name     string
		from, to time.Time
		want     []time.Time
	}{
		{"inclusive of both days", d(3).Add(13 * time.Hour), d(5).Add(time.Hour), []time.Time{d(3), d(4), d(5)}},
		{"one day", d(3), d(3), []time.Time{d(3)}},
		{"to at midnight includes its day", d(3), d(4), []time.Time{d(3), d(4)}},
		{"to before from", d(5), d(3), nil},
		{"across a month", time.Date(2026, 10, 31, 23, 0, 0, 0, time.UTC), d(1), []time.Time{time.Date(2026, 10, 31, 0, 0, 0, 0, time.UTC), d(1)}},
	}
	for _, tc := range cases {
		if got := Days(tc.from, tc.to); !slices.Equal(got, tc.want) {
			t.Errorf("%s: Days = %v, want %v", tc.name, got, tc.want)
		}
	}
}
