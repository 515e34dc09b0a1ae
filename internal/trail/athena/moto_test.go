package athena

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/athena"

	"github.com/sagekey/sagekey/internal/motoserver"
	"github.com/sagekey/sagekey/internal/motoserver/mototest"
	"github.com/sagekey/sagekey/internal/trail"
)

// motoPost sends body as JSON to one of moto's own endpoints.
func motoPost(t *testing.T, srv *motoserver.Server, path string, body any) {
	t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(srv.URL()+path, "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST %s: %s", path, resp.Status)
	}
}

// countingAPI counts GetQueryExecution calls.
type countingAPI struct {
	API
	polls int
}

func (c *countingAPI) GetQueryExecution(ctx context.Context, in *athena.GetQueryExecutionInput, optFns ...func(*athena.Options)) (*athena.GetQueryExecutionOutput, error) {
	c.polls++
	return c.API.GetQueryExecution(ctx, in, optFns...)
}

// motoResult is a table in moto's query-results format: Athena's own rows,
// so the header row comes first, as Athena sends it.
func motoResult(tab table) map[string]any {
	header := map[string]any{"Data": []any{}}
	var info []map[string]any
	for _, c := range tab.columns {
		header["Data"] = append(header["Data"].([]any), map[string]any{"VarCharValue": c})
		typ := "varchar"
		if c == colCount {
			typ = "bigint"
		}
		info = append(info, map[string]any{"Name": c, "Label": c, "Type": typ, "Nullable": "UNKNOWN", "CaseSensitive": true})
	}
	rows := []any{header}
	for _, r := range tab.rows {
		var data []any
		for _, v := range r {
			if v == nil {
				data = append(data, map[string]any{}) // NULL: a Datum without a value
			} else {
				data = append(data, map[string]any{"VarCharValue": *v})
			}
		}
		rows = append(rows, map[string]any{"Data": data})
	}
	return map[string]any{"rows": rows, "column_info": info}
}

// TestAgainstMoto runs CreateTable and Read through the real SDK against
// moto_server: moto does not run SQL, so the test queues, per query in
// order, the rows Athena would return for the test trail (computed by the
// in-Go evaluation of the SQL), and checks the statements moto received
// and the aggregates Read made of its answers. Queries stay QUEUED and
// RUNNING for a poll each, so Read's polling is exercised too. moto's
// GetQueryResults does not paginate; TestReadPagination covers paging.
func TestAgainstMoto(t *testing.T) {
	srv := mototest.ForTest(t)
	ctx := context.Background()
	client := athena.NewFromConfig(mototest.Config(t, srv, "us-east-1"))
	motoPost(t, srv, "/moto-api/state-manager/set-transition", map[string]any{
		"model_name": "athena::execution", "transition": map[string]any{"progression": "manual", "times": 1}})
	if _, err := client.CreateWorkGroup(ctx, &athena.CreateWorkGroupInput{Name: aws.String("sagekey")}); err != nil {
		t.Fatal(err) // the test's own setup; sagekey never creates one
	}

	tc := testContext()
	files := testTrail(t)
	tb := orgTable()
	tb.Accounts = []string{acct1, acct2}
	o := Options{Table: tb, WorkGroup: "sagekey", OutputLocation: "s3://athena-results/sagekey/",
		Filter:       trail.Filter{From: time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2024, 5, 2, 12, 0, 0, 0, time.UTC)},
		PollInterval: 5 * time.Millisecond, MaxPollInterval: 20 * time.Millisecond,
		Now: func() time.Time { return time.Date(2024, 5, 2, 18, 0, 0, 0, time.UTC) }}

	// The table first, before any result is queued: moto would hand the
	// DDL the first queued result.
	api := &countingAPI{API: client}
	if err := CreateTable(ctx, api, o); err != nil {
		t.Fatal(err)
	}

	queries, err := Queries(o.Table, o.Filter)
	if err != nil {
		t.Fatal(err)
	}
	mini := &miniAthena{files: files, sel: mustSelect(t, o)}
	var results []any
	for _, q := range queries {
		tab, err := mini.run(q.Name)
		if err != nil {
			t.Fatal(err)
		}
		if len(tab.columns) == 0 {
			t.Fatalf("query %s has no rows in the test trail", q.Name)
		}
		results = append(results, motoResult(tab))
	}
	motoPost(t, srv, "/moto-api/static/athena/query-results", map[string]any{
		"account_id": "123456789012", "region": "us-east-1", "results": results})

	units, covered, err := Read(ctx, api, o, tc)
	if err != nil {
		t.Fatal(err)
	}
	if statements := len(queries) + 1; api.polls < 2*statements {
		t.Errorf("%d polls for %d statements: each should have been seen RUNNING first", api.polls, statements)
	}

	// What moto was asked: the DDL, then every query in order, each in the
	// workgroup and database, with the output location.
	list, err := client.ListQueryExecutions(ctx, &athena.ListQueryExecutionsInput{WorkGroup: aws.String("sagekey")})
	if err != nil {
		t.Fatal(err)
	}
	ddl, _ := TableDDL(o.Table)
	want := []string{ddl}
	for _, q := range queries {
		want = append(want, q.SQL)
	}
	var got []string
	for _, id := range list.QueryExecutionIds {
		ex, err := client.GetQueryExecution(ctx, &athena.GetQueryExecutionInput{QueryExecutionId: aws.String(id)})
		if err != nil {
			t.Fatal(err)
		}
		qe := ex.QueryExecution
		got = append(got, aws.ToString(qe.Query))
		if aws.ToString(qe.QueryExecutionContext.Database) != "sagekey" || aws.ToString(qe.WorkGroup) != "sagekey" ||
			aws.ToString(qe.ResultConfiguration.OutputLocation) != "s3://athena-results/sagekey/"+id+".csv" {
			t.Errorf("query %s ran in %q/%q writing to %q", id, aws.ToString(qe.WorkGroup),
				aws.ToString(qe.QueryExecutionContext.Database), aws.ToString(qe.ResultConfiguration.OutputLocation))
		}
		if wantType := map[bool]string{true: "DDL", false: "DML"}[len(got) == 1]; string(qe.StatementType) != wantType {
			t.Errorf("statement %d is %s, want %s", len(got), qe.StatementType, wantType)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("moto ran %d statements, want the DDL and %d queries in order", len(got), len(queries))
	}

	// What Read made of moto's answers: the S3 reader's aggregates.
	var parts []*trail.Aggregates
	for _, u := range units {
		parts = append(parts, u.Aggregates)
	}
	athenaJSON := marshal(t, withoutUnits(trail.Merge(parts...)))
	if s3JSON := marshal(t, withoutUnits(s3Side(t, files, tc, true))); !bytes.Equal(athenaJSON, s3JSON) {
		t.Errorf("through moto, Athena and S3 differ\n--- athena\n%s\n--- s3\n%s", athenaJSON, s3JSON)
	}
	all := trail.Merge(parts...)
	var grouped *trail.Denial
	for i, d := range all.Denials {
		if d.KeyARN == "alias/unknown" {
			grouped = &all.Denials[i]
		}
	}
	if grouped == nil || grouped.Count != 4 || !slices.Equal(grouped.Samples, []string{"e03", "e04", "e05"}) ||
		grouped.Via != trail.ViaSageMaker || grouped.Principal != trainRole {
		t.Errorf("grouped denial = %+v", grouped)
	}
	if len(all.Blocked) == 0 || all.Blocked[0].PolicyARN != scpARN || all.Blocked[0].Guardrail != trail.GuardrailYes || all.Blocked[0].Count != 2 {
		t.Errorf("blocked = %+v", all.Blocked)
	}
	if len(units) != 8 || len(covered) != 8 {
		t.Fatalf("%d units, %d coverage rows", len(units), len(covered))
	}
	for _, u := range units {
		wantTag := "complete"
		if u.Unit.Day.Equal(time.Date(2024, 5, 2, 0, 0, 0, 0, time.UTC)) {
			wantTag = "partial@2024-05-02T18:00:00Z"
		}
		if u.Unit.Source != "athena:sagekey/sagekey.cloudtrail_org" || u.Unit.ETag != wantTag {
			t.Errorf("unit %+v, want source athena:sagekey/sagekey.cloudtrail_org and ETag %s", u.Unit, wantTag)
		}
	}
}
