package athena

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/athena"
	"github.com/aws/aws-sdk-go-v2/service/athena/types"
	"github.com/aws/smithy-go"

	"github.com/sagekey/sagekey/internal/awserr"
	"github.com/sagekey/sagekey/internal/trail"
)

func readOptions() Options {
	return Options{
		Table:        Table{Database: "sagekey", Name: "trail", Accounts: []string{acct1, acct2}, Regions: []string{"eu-west-1", "us-east-1"}},
		Filter:       trail.Filter{From: time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2024, 5, 2, 0, 0, 0, 0, time.UTC)},
		PollInterval: time.Millisecond, MaxPollInterval: 2 * time.Millisecond,
		Now: func() time.Time { return time.Date(2024, 5, 10, 0, 0, 0, 0, time.UTC) },
	}
}

// stateAPI starts queries and reports states in turn for each, then
// serves an empty result.
func stateAPI(polls *atomic.Int64, states ...types.QueryExecutionStatus) fakeAPI {
	return fakeAPI{
		start: func(*athena.StartQueryExecutionInput) (*athena.StartQueryExecutionOutput, error) {
			return &athena.StartQueryExecutionOutput{QueryExecutionId: aws.String("q1")}, nil
		},
		get: func(*athena.GetQueryExecutionInput) (*athena.GetQueryExecutionOutput, error) {
			n := polls.Add(1)
			st := states[min(int(n)-1, len(states)-1)]
			return &athena.GetQueryExecutionOutput{QueryExecution: &types.QueryExecution{Status: &st}}, nil
		},
		results: func(*athena.GetQueryResultsInput) (*athena.GetQueryResultsOutput, error) {
			return &athena.GetQueryResultsOutput{ResultSet: &types.ResultSet{}}, nil
		},
	}
}

func TestReadPollsUntilSucceeded(t *testing.T) {
	t.Parallel()
	var polls atomic.Int64
	queued := types.QueryExecutionStatus{State: types.QueryExecutionStateQueued}
	running := types.QueryExecutionStatus{State: types.QueryExecutionStateRunning}
	done := types.QueryExecutionStatus{State: types.QueryExecutionStateSucceeded}
	o := readOptions()
	o.PollInterval, o.MaxPollInterval = 2*time.Millisecond, 4*time.Millisecond
	begin := time.Now()
	units, covered, err := Read(context.Background(), stateAPI(&polls, queued, running, running, running, running, done), o, testContext())
	if err != nil {
		t.Fatal(err)
	}
	// The first query polls six times; the others see SUCCEEDED at once.
	if got, want := polls.Load(), int64(6+len(buildQueries(o.Table, mustSelect(t, o)))-1); got != want {
		t.Errorf("%d polls, want %d", got, want)
	}
	// Waits of 2, 4, 4, 4, 4 ms: the backoff doubled, then stayed capped.
	if elapsed := time.Since(begin); elapsed < 18*time.Millisecond {
		t.Errorf("returned after %v: it did not wait between polls", elapsed)
	}
	if len(units) != 8 || len(covered) != 8 {
		t.Errorf("%d units, %d coverage rows, want 8: empty results still cover the window", len(units), len(covered))
	}
}

func mustSelect(t testing.TB, o Options) selection {
	t.Helper()
	sel, err := selectFrom(o.Table, o.Filter)
	if err != nil {
		t.Fatal(err)
	}
	return sel
}

func TestReadQueryFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		status types.QueryExecutionStatus
		want   QueryError
	}{
		{"failed", types.QueryExecutionStatus{State: types.QueryExecutionStateFailed,
			StateChangeReason: aws.String("TABLE_NOT_FOUND: line 17:6: Table 'awsdatacatalog.sagekey.trail' does not exist")},
			QueryError{Query: QueryDenials, ID: "q1", State: "FAILED",
				Reason: "TABLE_NOT_FOUND: line 17:6: Table 'awsdatacatalog.sagekey.trail' does not exist"}},
		{"failed, reason in AthenaError", types.QueryExecutionStatus{State: types.QueryExecutionStateFailed,
			AthenaError: &types.AthenaError{ErrorMessage: aws.String("Permission denied on S3 path: s3://org-trail-logs/AWSLogs")}},
			QueryError{Query: QueryDenials, ID: "q1", State: "FAILED", Reason: "Permission denied on S3 path: s3://org-trail-logs/AWSLogs"}},
		{"cancelled", types.QueryExecutionStatus{State: types.QueryExecutionStateCancelled, StateChangeReason: aws.String("Query cancelled by user")},
			QueryError{Query: QueryDenials, ID: "q1", State: "CANCELLED", Reason: "Query cancelled by user"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var polls atomic.Int64
			units, covered, err := Read(context.Background(), stateAPI(&polls,
				types.QueryExecutionStatus{State: types.QueryExecutionStateRunning}, tt.status), readOptions(), testContext())
			var qe *QueryError
			if !errors.As(err, &qe) || *qe != tt.want {
				t.Fatalf("err = %v, want %+v", err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.want.Reason) {
				t.Errorf("%q does not carry the reason", err)
			}
			if units != nil || covered != nil {
				t.Error("a failed read returned units or coverage")
			}
		})
	}
}

// TestReadAccessDenied: a refusal keeps the SDK error, so the caller's
// awserr.Classify sees AccessDenied and reports a gap.
func TestReadAccessDenied(t *testing.T) {
	t.Parallel()
	denied := &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "User is not authorized to perform: athena:StartQueryExecution"}
	for name, api := range map[string]fakeAPI{
		"StartQueryExecution": {start: func(*athena.StartQueryExecutionInput) (*athena.StartQueryExecutionOutput, error) {
			return nil, denied
		}},
		"GetQueryResults": func() fakeAPI {
			var polls atomic.Int64
			api := stateAPI(&polls, types.QueryExecutionStatus{State: types.QueryExecutionStateSucceeded})
			api.results = func(*athena.GetQueryResultsInput) (*athena.GetQueryResultsOutput, error) { return nil, denied }
			return api
		}(),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			units, _, err := Read(context.Background(), api, readOptions(), testContext())
			if awserr.Classify(err) != awserr.AccessDenied || units != nil {
				t.Errorf("err = %v (class %v), %d units; want AccessDenied and none", err, awserr.Classify(err), len(units))
			}
			if !strings.Contains(err.Error(), name) {
				t.Errorf("%q does not name the call", err)
			}
		})
	}
}

func TestReadCanceledWhilePolling(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	var polls atomic.Int64
	api := stateAPI(&polls, types.QueryExecutionStatus{State: types.QueryExecutionStateRunning})
	get := api.get
	api.get = func(in *athena.GetQueryExecutionInput) (*athena.GetQueryExecutionOutput, error) {
		if polls.Load() == 2 {
			cancel()
		}
		return get(in)
	}
	_, _, err := Read(ctx, api, readOptions(), testContext())
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

// TestReadResultsByColumnName: columns are mapped by name, in whatever
// order the query returns them.
func TestReadResultsByColumnName(t *testing.T) {
	t.Parallel()
	tc := testContext()
	files := testTrail(t)
	o := readOptions()
	straight := miniAPI(t, o.Table, o.Filter, files, 1000)
	reversed := miniAPI(t, o.Table, o.Filter, files, 3)
	answer := reversed.answer
	reversed.answer = func(sql string) (table, error) {
		tab, err := answer(sql)
		slices.Reverse(tab.columns)
		for _, r := range tab.rows {
			slices.Reverse(r)
		}
		return tab, err
	}
	a, _, err := Read(context.Background(), straight.api(), o, tc)
	if err != nil {
		t.Fatal(err)
	}
	b, _, err := Read(context.Background(), reversed.api(), o, tc)
	if err != nil {
		t.Fatal(err)
	}
	if ja, jb := marshal(t, a), marshal(t, b); string(ja) != string(jb) {
		t.Errorf("column order changed the result:\n%s\n---\n%s", ja, jb)
	}
	if straight.pages != len(straight.started) {
		t.Errorf("%d pages for %d queries at 1000 rows a page", straight.pages, len(straight.started))
	}
}

// TestReadPagination: the header leads only the first page; a later
// page's first row is data.
func TestReadPagination(t *testing.T) {
	t.Parallel()
	cols := []types.ColumnInfo{{Name: aws.String(colLogAccount)}, {Name: aws.String(colLogRegion)}, {Name: aws.String(colDay)},
		{Name: aws.String(colProblem)}, {Name: aws.String(colCount)}}
	row := func(vals ...string) types.Row {
		var r types.Row
		for _, v := range vals {
			if v == "" {
				r.Data = append(r.Data, types.Datum{})
			} else {
				r.Data = append(r.Data, types.Datum{VarCharValue: aws.String(v)})
			}
		}
		return r
	}
	header := row(colLogAccount, colLogRegion, colDay, colProblem, colCount)
	pages := map[string]*athena.GetQueryResultsOutput{
		"": {NextToken: aws.String("t2"), ResultSet: &types.ResultSet{ResultSetMetadata: &types.ResultSetMetadata{ColumnInfo: cols},
			Rows: []types.Row{header, row(acct1, "us-east-1", "2024-05-01", "", "10")}}},
		"t2": {NextToken: aws.String("t3"), ResultSet: &types.ResultSet{ResultSetMetadata: &types.ResultSetMetadata{ColumnInfo: cols},
			Rows: []types.Row{row(acct1, "us-east-1", "2024-05-02", "", "20"), row(acct1, "us-east-1", "2024-05-02", "event version 2.0", "2")}}},
		"t3": {ResultSet: &types.ResultSet{ResultSetMetadata: &types.ResultSetMetadata{ColumnInfo: cols},
			Rows: []types.Row{row(acct2, "eu-west-1", "2024-05-01", "", "5")}}},
	}
	var polls atomic.Int64
	api := stateAPI(&polls, types.QueryExecutionStatus{State: types.QueryExecutionStateSucceeded})
	var tokens []string
	api.start = func(in *athena.StartQueryExecutionInput) (*athena.StartQueryExecutionOutput, error) {
		if strings.Contains(aws.ToString(in.QueryString), " AS "+colProblem) {
			return &athena.StartQueryExecutionOutput{QueryExecutionId: aws.String("records")}, nil
		}
		return &athena.StartQueryExecutionOutput{QueryExecutionId: aws.String("other")}, nil
	}
	api.results = func(in *athena.GetQueryResultsInput) (*athena.GetQueryResultsOutput, error) {
		if aws.ToString(in.QueryExecutionId) != "records" {
			return &athena.GetQueryResultsOutput{ResultSet: &types.ResultSet{}}, nil
		}
		if aws.ToInt32(in.MaxResults) != 1000 {
			t.Errorf("MaxResults = %d, want 1000", aws.ToInt32(in.MaxResults))
		}
		tokens = append(tokens, aws.ToString(in.NextToken))
		return pages[aws.ToString(in.NextToken)], nil
	}
	units, _, err := Read(context.Background(), api, readOptions(), testContext())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(tokens, []string{"", "t2", "t3"}) {
		t.Errorf("tokens %q", tokens)
	}
	events := map[string]int64{}
	for _, u := range units {
		events[u.Unit.Key] = u.Aggregates.Events
		if u.Unit.Key == acct1+"/us-east-1/2024-05-02" {
			if p := u.Aggregates.Problems; len(p) != 1 || p[0].Count != 2 || p[0].Kind != trail.ProblemUnknownVersion || p[0].Unit != u.Unit.Key {
				t.Errorf("problems %+v", p)
			}
		}
	}
	want := map[string]int64{acct1 + "/us-east-1/2024-05-01": 10, acct1 + "/us-east-1/2024-05-02": 22, acct2 + "/eu-west-1/2024-05-01": 5}
	for k, n := range want {
		if events[k] != n {
			t.Errorf("unit %s: %d events, want %d", k, events[k], n)
		}
	}
}

// TestReadRejectsRowsThatDoNotFit: a row the SQL should not have returned
// fails the read instead of landing in no unit or the wrong one.
func TestReadRejectsRowsThatDoNotFit(t *testing.T) {
	t.Parallel()
	cols := []string{colLogAccount, colLogRegion, colDay, colProblem, colCount}
	tests := map[string]struct {
		header []string
		row    []string
		want   string
	}{
		"account outside the selection": {cols, []string{"333333333333", "us-east-1", "2024-05-01", "", "1"}, "outside the accounts"},
		"day outside the window":        {cols, []string{acct1, "us-east-1", "2024-04-30", "", "1"}, "outside the window"},
		"not an account":                {cols, []string{"x", "us-east-1", "2024-05-01", "", "1"}, "row for account"},
		"bad count":                     {cols, []string{acct1, "us-east-1", "2024-05-01", "", "many"}, "count"},
		"missing header":                {nil, []string{acct1, "us-east-1", "2024-05-01", "", "1"}, "not the header"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var polls atomic.Int64
			api := stateAPI(&polls, types.QueryExecutionStatus{State: types.QueryExecutionStateSucceeded})
			api.results = func(*athena.GetQueryResultsInput) (*athena.GetQueryResultsOutput, error) {
				var info []types.ColumnInfo
				for _, c := range cols {
					info = append(info, types.ColumnInfo{Name: aws.String(c)})
				}
				var rows []types.Row
				for _, vals := range [][]string{tt.header, tt.row} {
					if vals == nil {
						continue
					}
					var r types.Row
					for _, v := range vals {
						r.Data = append(r.Data, types.Datum{VarCharValue: aws.String(v)})
					}
					rows = append(rows, r)
				}
				return &athena.GetQueryResultsOutput{ResultSet: &types.ResultSet{Rows: rows,
					ResultSetMetadata: &types.ResultSetMetadata{ColumnInfo: info}}}, nil
			}
			_, _, err := Read(context.Background(), api, readOptions(), testContext())
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want one mentioning %q", err, tt.want)
			}
		})
	}
}

// TestReadUnitsAndETags: the selection falls back to the table's
// projection, then to the rows; a day is complete only once it has
// settled.
func TestReadUnitsAndETags(t *testing.T) {
	t.Parallel()
	files := testTrail(t)
	started := time.Date(2024, 5, 2, 0, 30, 0, 0, time.UTC) // May 1 ended half an hour ago
	o := readOptions()
	o.Table.Accounts, o.Table.Regions = nil, nil // a table created elsewhere
	o.Filter.Regions = []string{"us-east-1"}
	o.Now = func() time.Time { return started }
	o.OutputLocation = "s3://athena-results/sagekey/"
	srv := miniAPI(t, o.Table, o.Filter, files, 1000)
	units, covered, err := Read(context.Background(), srv.api(), o, testContext())
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, u := range units {
		keys = append(keys, u.Unit.Key+" "+u.Unit.ETag)
	}
	// Both accounts have records in us-east-1, so both come from the rows.
	want := []string{
		acct1 + "/us-east-1/2024-05-01 partial@2024-05-02T00:30:00Z",
		acct1 + "/us-east-1/2024-05-02 partial@2024-05-02T00:30:00Z",
		acct2 + "/us-east-1/2024-05-01 partial@2024-05-02T00:30:00Z",
		acct2 + "/us-east-1/2024-05-02 partial@2024-05-02T00:30:00Z",
	}
	if !slices.Equal(keys, want) || len(covered) != len(want) {
		t.Errorf("units:\n%s\nwant:\n%s", strings.Join(keys, "\n"), strings.Join(want, "\n"))
	}
	for _, s := range srv.started {
		if !strings.Contains(aws.ToString(s.QueryString), "region IN ('us-east-1')") ||
			strings.Contains(aws.ToString(s.QueryString), "account IN") {
			t.Errorf("query does not select what was asked:\n%s", aws.ToString(s.QueryString))
		}
		if rc := s.ResultConfiguration; rc == nil || aws.ToString(rc.OutputLocation) != o.OutputLocation {
			t.Errorf("ResultConfiguration = %+v", rc)
		}
		if aws.ToString(s.WorkGroup) != DefaultWorkGroup {
			t.Errorf("workgroup %q", aws.ToString(s.WorkGroup))
		}
	}

	// An hour and more after midnight, May 1 is complete and May 2 not.
	o.Now = func() time.Time { return started.Add(30 * time.Minute) }
	units, _, err = Read(context.Background(), miniAPI(t, o.Table, o.Filter, files, 1000).api(), o, testContext())
	if err != nil {
		t.Fatal(err)
	}
	if units[0].Unit.ETag != "complete" || units[1].Unit.ETag != "partial@2024-05-02T01:00:00Z" {
		t.Errorf("ETags %q, %q", units[0].Unit.ETag, units[1].Unit.ETag)
	}

	// A window that ends after today is refused before any query.
	o.Now = func() time.Time { return time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC) }
	if _, _, err := Read(context.Background(), fakeAPI{}, o, testContext()); err == nil || !strings.Contains(err.Error(), "after today") {
		t.Errorf("err = %v, want the window refused", err)
	}
}

// TestCreateTable: the DDL goes out only through CreateTable, and only
// once it validates.
func TestCreateTable(t *testing.T) {
	t.Parallel()
	var polls atomic.Int64
	api := stateAPI(&polls, types.QueryExecutionStatus{State: types.QueryExecutionStateSucceeded})
	var sent []string
	api.start = func(in *athena.StartQueryExecutionInput) (*athena.StartQueryExecutionOutput, error) {
		sent = append(sent, aws.ToString(in.QueryString))
		return &athena.StartQueryExecutionOutput{QueryExecutionId: aws.String("ddl")}, nil
	}
	api.results = nil // the DDL's result is not read
	o := Options{Table: orgTable(), WorkGroup: "audit", PollInterval: time.Millisecond}
	if err := CreateTable(context.Background(), api, o); err != nil {
		t.Fatal(err)
	}
	want, _ := TableDDL(o.Table)
	if len(sent) != 1 || sent[0] != want {
		t.Errorf("sent %q", sent)
	}
	o.Table.Regions = nil
	if err := CreateTable(context.Background(), api, o); err == nil || len(sent) != 1 {
		t.Errorf("an invalid table was sent (err %v)", err)
	}
	// Read never sends it.
	for _, q := range buildQueries(orgTable(), mustSelect(t, Options{Table: orgTable(), Filter: window()})) {
		if !strings.HasPrefix(q.SQL, "SELECT\n") {
			t.Errorf("%s is not a SELECT", q.Name)
		}
	}
}
