package athena

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/sagekey/sagekey/internal/testutil/golden"
	"github.com/sagekey/sagekey/internal/trail"
)

func orgTable() Table {
	return Table{Database: "sagekey", Name: "cloudtrail_org", Bucket: "org-trail-logs", Prefix: "audit/ct",
		OrgID: "o-abcdefghij", Accounts: []string{"222222222222", "111111111111"}, Regions: []string{"us-east-1", "eu-west-1"},
		From: time.Date(2024, 1, 15, 13, 0, 0, 0, time.UTC)}
}

func window() trail.Filter {
	return trail.Filter{From: time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2024, 5, 31, 18, 0, 0, 0, time.UTC),
		Accounts: []string{"111111111111"}, Regions: []string{"us-east-1", "eu-west-1"}}
}

func TestTableDDLGolden(t *testing.T) {
	t.Parallel()
	org, err := TableDDL(orgTable())
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "table_org.sql", []byte(org))

	// An account trail: no org level, no prefix.
	acct := orgTable()
	acct.OrgID, acct.Prefix, acct.Name = "", "", "cloudtrail"
	acct.Accounts = acct.Accounts[:1]
	ddl, err := TableDDL(acct)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(ddl, "LOCATION 's3://org-trail-logs/AWSLogs/'") ||
		!strings.Contains(ddl, "'storage.location.template'='s3://org-trail-logs/AWSLogs/${account}/CloudTrail/${region}/${timestamp}'") ||
		!strings.Contains(ddl, "'projection.account.values'='222222222222'") {
		t.Errorf("account-trail DDL:\n%s", ddl)
	}
}

func TestPrintSQLGolden(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	if err := PrintSQL(&buf, orgTable(), window()); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "print_sql.sql", buf.Bytes())
}

// TestQueriesFollowTheCatalog checks the event names come from where the
// Aggregator takes them.
func TestQueriesFollowTheCatalog(t *testing.T) {
	t.Parallel()
	qs, err := Queries(orgTable(), window())
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]string{}
	for _, q := range qs {
		byName[q.Name] = q.SQL
	}
	for name, want := range map[string][]string{
		QueryBlocked:   {"'CreateNotebookInstance'", "'UpdateDomain'", "'CreateTrainingJob'"},
		QueryCreators:  {"'CreateNotebookInstance'", "'CreateTrainingJob'", "'CreateEndpointConfig'"},
		QueryKeyEvents: {"'ScheduleKeyDeletion'", "'PutKeyPolicy'", "'DisableKey'"},
	} {
		for _, w := range want {
			if !strings.Contains(byName[name], w) {
				t.Errorf("%s does not list %s", name, w)
			}
		}
	}
	for _, a := range trail.KeyLifecycleActions() {
		if !strings.Contains(byName[QueryKeyEvents], lit(a)) {
			t.Errorf("key_events misses %s", a)
		}
	}
	// Partition pruning: every query restricts all three partition columns.
	for _, q := range qs {
		for _, p := range []string{"account IN ('111111111111')", "region IN ('eu-west-1', 'us-east-1')",
			`"timestamp" BETWEEN '2024/05/01' AND '2024/06/01'`, "substr(eventtime, 1, 10) BETWEEN '2024-05-01' AND '2024-05-31'"} {
			if !strings.Contains(q.SQL, p) {
				t.Errorf("%s lacks %s", q.Name, p)
			}
		}
	}
}

func TestLit(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"": "''", "a": "'a'", "it's": "'it''s'", "''": "''''''", `a\'b`: `'a\''b'`} {
		if got := lit(in); got != want {
			t.Errorf("lit(%q) = %s, want %s", in, got, want)
		}
	}
}

// TestValidation: nothing that is not an account, a region, a name or a
// date reaches the SQL.
func TestValidation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		mutate func(*Table, *trail.Filter)
		want   string
	}{
		{"quote in account", func(_ *Table, f *trail.Filter) { f.Accounts = []string{"111111111111' OR '1'='1"} }, "account ID"},
		{"short account", func(tb *Table, _ *trail.Filter) { tb.Accounts = []string{"1234"} }, "account ID"},
		{"region injection", func(_ *Table, f *trail.Filter) { f.Regions = []string{"us-east-1') --"} }, "region"},
		{"upper-case table", func(tb *Table, _ *trail.Filter) { tb.Name = "CloudTrail" }, "table name"},
		{"quoted database", func(tb *Table, _ *trail.Filter) { tb.Database = `db"; DROP` }, "database name"},
		{"no window start", func(_ *Table, f *trail.Filter) { f.From = time.Time{} }, "no window start"},
		{"window reversed", func(_ *Table, f *trail.Filter) { f.To = f.From.Add(-time.Hour) }, "ends before it starts"},
		{"year out of range", func(_ *Table, f *trail.Filter) { f.To = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) }, "out of range"},
		{"before projection", func(tb *Table, _ *trail.Filter) { tb.From = time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC) }, "projection range"},
		{"account not projected", func(_ *Table, f *trail.Filter) { f.Accounts = []string{"333333333333"} }, "not among the table's projected"},
		{"region not projected", func(_ *Table, f *trail.Filter) { f.Regions = []string{"ap-south-1"} }, "not among the table's projected"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tb, f := orgTable(), window()
			tt.mutate(&tb, &f)
			_, err := Queries(tb, f)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Queries error = %v, want one mentioning %q", err, tt.want)
			}
		})
	}
	ddlTests := []struct {
		name   string
		mutate func(*Table)
		want   string
	}{
		{"no accounts", func(tb *Table) { tb.Accounts = nil }, "accounts and regions"},
		{"no regions", func(tb *Table) { tb.Regions = nil }, "accounts and regions"},
		{"bucket", func(tb *Table) { tb.Bucket = "Bad_Bucket" }, "bucket"},
		{"prefix template injection", func(tb *Table) { tb.Prefix = "logs/${account}" }, "prefix"},
		{"prefix quote", func(tb *Table) { tb.Prefix = "it's" }, "prefix"},
		{"org ID", func(tb *Table) { tb.OrgID = "o-x'" }, "organization ID"},
		{"no start", func(tb *Table) { tb.From = time.Time{} }, "no table start"},
	}
	for _, tt := range ddlTests {
		t.Run("ddl "+tt.name, func(t *testing.T) {
			t.Parallel()
			tb := orgTable()
			tt.mutate(&tb)
			_, err := TableDDL(tb)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("TableDDL error = %v, want one mentioning %q", err, tt.want)
			}
		})
	}
	// Good regions of every partition shape.
	if err := validateRegions([]string{"us-east-1", "us-gov-west-1", "cn-northwest-1", "us-isob-east-1", "eusc-de-east-1", "ap-southeast-5"}); err != nil {
		t.Error(err)
	}
}
