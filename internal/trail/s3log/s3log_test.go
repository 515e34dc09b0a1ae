package s3log

import (
	"strings"
	"testing"
	"time"
)

func TestParseURI(t *testing.T) {
	t.Parallel()
	tests := []struct {
		uri  string
		want Location
	}{
		{"s3://bucket", Location{Bucket: "bucket"}},
		{"s3://bucket/", Location{Bucket: "bucket"}},
		{"s3://bucket/a/b/", Location{Bucket: "bucket", Prefix: "a/b"}},
		{"s3://bucket/a/AWSLogs/", Location{Bucket: "bucket", Prefix: "a"}},
		{"s3://bucket/AWSLogs", Location{Bucket: "bucket"}},
		{"s3://bucket/a/AWSLogs/o-abcdefghij/", Location{Bucket: "bucket", Prefix: "a", OrgID: "o-abcdefghij"}},
	}
	for _, tt := range tests {
		got, err := ParseURI(tt.uri)
		if err != nil || got != tt.want {
			t.Errorf("ParseURI(%q) = %+v, %v; want %+v", tt.uri, got, err, tt.want)
		}
	}
	for _, bad := range []string{
		"bucket/prefix", "https://bucket/prefix", "s3://", "s3:///prefix",
		"s3://bucket/AWSLogs/111111111111/", "s3://bucket/AWSLogs/o-abcdefghij/111111111111/CloudTrail/",
	} {
		if got, err := ParseURI(bad); err == nil {
			t.Errorf("ParseURI(%q) = %+v, want an error", bad, got)
		}
	}
}

func TestLocationURI(t *testing.T) {
	t.Parallel()
	for loc, want := range map[Location]string{
		{Bucket: "b"}:                   "s3://b",
		{Bucket: "b", Prefix: "p/q"}:    "s3://b/p/q",
		{Bucket: "b", OrgID: "o-x1234"}: "s3://b",
	} {
		if got := loc.URI(); got != want {
			t.Errorf("%+v.URI() = %q, want %q", loc, got, want)
		}
	}
}

// An organization trail whose org ID is not known yet cannot be listed:
// the account layout would read as empty days.
func TestListUnitsNeedsOrgID(t *testing.T) {
	t.Parallel()
	loc := Location{Bucket: "b", Organization: true, Trail: "arn:aws:cloudtrail:us-east-1:111111111111:trail/org"}
	day := time.Date(2025, 3, 3, 0, 0, 0, 0, time.UTC)
	units, covered, gaps := ListUnits(t.Context(), nil, loc, []string{"111111111111"}, []string{"us-east-1", "eu-west-1"}, day, day)
	if len(units) != 0 || len(covered) != 0 || len(gaps) != 2 || !strings.Contains(gaps[0].Reason, "org ID unknown") {
		t.Errorf("ListUnits = %v, %v, %+v; want a gap per partition", units, covered, gaps)
	}
}
