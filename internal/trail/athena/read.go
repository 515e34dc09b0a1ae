package athena

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/athena"
	"github.com/aws/aws-sdk-go-v2/service/athena/types"

	"github.com/sagekey/sagekey/internal/trail"
)

// API is the part of the Athena client sagekey uses: start a statement,
// wait for it, read its result. Read starts only the SELECTs Queries
// builds; the one other statement, the table's CREATE EXTERNAL TABLE, is
// started by CreateTable alone, which the CLI calls only for
// --athena-create-table. Nothing here stops, deletes or changes a query,
// a workgroup or data.
type API interface {
	StartQueryExecution(ctx context.Context, in *athena.StartQueryExecutionInput, optFns ...func(*athena.Options)) (*athena.StartQueryExecutionOutput, error)
	GetQueryExecution(ctx context.Context, in *athena.GetQueryExecutionInput, optFns ...func(*athena.Options)) (*athena.GetQueryExecutionOutput, error)
	GetQueryResults(ctx context.Context, in *athena.GetQueryResultsInput, optFns ...func(*athena.Options)) (*athena.GetQueryResultsOutput, error)
}

// Polling defaults: a small query over a day finishes in seconds, a year
// of an organization in minutes; doubling from half a second up to ten
// seconds answers the first fast and costs the second a few dozen calls.
const (
	DefaultPollInterval    = 500 * time.Millisecond
	DefaultMaxPollInterval = 10 * time.Second
	// DefaultWorkGroup is the workgroup Athena uses when none is named.
	DefaultWorkGroup = "primary"
	// pageSize is GetQueryResults' maximum.
	pageSize = 1000
)

// Options say which table to query, where and for what.
type Options struct {
	Table  Table
	Filter trail.Filter
	// WorkGroup runs the queries; empty is DefaultWorkGroup.
	WorkGroup string
	// OutputLocation ("s3://bucket/prefix/") is where Athena writes
	// results; empty leaves it to the workgroup's setting.
	OutputLocation string
	// PollInterval is the first wait between GetQueryExecution calls; it
	// doubles up to MaxPollInterval. Zero uses the defaults.
	PollInterval, MaxPollInterval time.Duration
	// Now is the clock that dates a run (and so decides which days are
	// complete); nil is time.Now.
	Now func() time.Time
}

func (o Options) workGroup() string {
	if o.WorkGroup == "" {
		return DefaultWorkGroup
	}
	return o.WorkGroup
}

// QueryError is a query Athena ran and did not finish: FAILED (a syntax
// error, a missing table, S3 access Athena was refused) or CANCELLED.
type QueryError struct {
	Query string // the Query name, or "table" for the DDL
	ID    string // the query execution ID, to look it up in Athena
	State string
	// Reason is Athena's StateChangeReason (or its error message).
	Reason string
}

func (e *QueryError) Error() string {
	return fmt.Sprintf("athena: query %s (%s) %s: %s", e.Query, e.ID, e.State, e.Reason)
}

// Read runs Queries in o's workgroup and folds their rows into one unit per
// account, region and UTC day of the window:
//
//	Unit{Source: "athena:<workgroup>/<database>.<table>", Key: "<account>/<region>/<yyyy-mm-dd>", ETag: ...}
//
// with ETag "complete" for a day that ended SettleDelay or more before the
// run started, else "partial@<start, RFC3339>", so a day still being
// written is read again (and replaced) by the next run. Each account ×
// region × day also gets a Coverage row, so a day without a record of
// interest reads as quiet, not unknown.
//
// The accounts and regions are the filter's; when it names none, the
// table's projected ones (what Athena reads); when the table names none
// either, the ones the result rows name. In that last case an account or
// region without a single record in the window gets no unit and no
// coverage: nothing shows it was read.
//
// Any error (an Athena call refused or throttled after retries, a query
// that failed, a row that does not fit) fails the whole read and returns
// no unit: a unit combines every query, so none is complete without all
// of them. Errors wrap the SDK's, so awserr.Classify tells AccessDenied,
// which the caller reports as a gap; a failed query is a *QueryError.
// Queries already started run to their end (and are billed): the API has
// no StopQueryExecution.
//
// The queries run side by side, so on a day still being written the
// record count may differ from the other queries by what arrived in
// between; such a day is partial and read again.
func Read(ctx context.Context, api API, o Options, tc *trail.Context) ([]trail.UnitResult, []trail.Coverage, error) {
	sel, err := selectFrom(o.Table, o.Filter)
	if err != nil {
		return nil, nil, err
	}
	now := o.Now
	if now == nil {
		now = time.Now
	}
	started := now()
	if last := sel.days[len(sel.days)-1]; last.After(trail.Day(started)) {
		return nil, nil, fmt.Errorf("athena: the window ends %s, after today", last.Format(time.DateOnly))
	}
	// Start every query before waiting for any: Athena runs them side by
	// side, so the read takes as long as the slowest, not their sum.
	queries := buildQueries(o.Table, sel)
	ids := make([]string, len(queries))
	for i, q := range queries {
		if ids[i], err = start(ctx, api, o, q.Name, q.SQL); err != nil {
			return nil, nil, err
		}
	}
	c := newCollector(tc, o.Table.Source(o.workGroup()), sel)
	for i, q := range queries {
		if err := wait(ctx, api, o, q.Name, ids[i]); err != nil {
			return nil, nil, err
		}
		err := readResults(ctx, api, ids[i], func(r row) error { return c.add(q.Name, r) })
		if err != nil {
			return nil, nil, fmt.Errorf("athena: query %s (%s): %w", q.Name, ids[i], err)
		}
	}
	units, covered := c.finish(started)
	return units, covered, nil
}

// CreateTable creates the trail's table (TableDDL) if it does not exist.
// It is the only statement sagekey sends Athena that is not a SELECT, and
// it runs only when asked (--athena-create-table).
func CreateTable(ctx context.Context, api API, o Options) error {
	ddl, err := TableDDL(o.Table)
	if err != nil {
		return err
	}
	id, err := start(ctx, api, o, "table", ddl)
	if err != nil {
		return err
	}
	return wait(ctx, api, o, "table", id)
}

// start starts sql in o's workgroup and database and returns its query
// execution ID.
func start(ctx context.Context, api API, o Options, name, sql string) (string, error) {
	in := &athena.StartQueryExecutionInput{
		QueryString:           aws.String(sql),
		QueryExecutionContext: &types.QueryExecutionContext{Database: aws.String(o.Table.Database)},
		WorkGroup:             aws.String(o.workGroup()),
	}
	if o.OutputLocation != "" {
		in.ResultConfiguration = &types.ResultConfiguration{OutputLocation: aws.String(o.OutputLocation)}
	}
	out, err := api.StartQueryExecution(ctx, in)
	if err != nil {
		return "", fmt.Errorf("athena: query %s: StartQueryExecution: %w", name, err)
	}
	id := aws.ToString(out.QueryExecutionId)
	if id == "" {
		return "", fmt.Errorf("athena: query %s: StartQueryExecution returned no query execution ID", name)
	}
	return id, nil
}

// wait polls GetQueryExecution, backing off up to MaxPollInterval, until
// the query has finished.
func wait(ctx context.Context, api API, o Options, name, id string) error {
	delay := cmpOr(o.PollInterval, DefaultPollInterval)
	ceiling := max(cmpOr(o.MaxPollInterval, DefaultMaxPollInterval), delay)
	for {
		out, err := api.GetQueryExecution(ctx, &athena.GetQueryExecutionInput{QueryExecutionId: aws.String(id)})
		if err != nil {
			return fmt.Errorf("athena: query %s (%s): GetQueryExecution: %w", name, id, err)
		}
		var status types.QueryExecutionStatus
		if out.QueryExecution != nil && out.QueryExecution.Status != nil {
			status = *out.QueryExecution.Status
		}
		switch status.State {
		case types.QueryExecutionStateSucceeded:
			return nil
		case types.QueryExecutionStateFailed, types.QueryExecutionStateCancelled:
			reason := aws.ToString(status.StateChangeReason)
			if reason == "" && status.AthenaError != nil {
				reason = aws.ToString(status.AthenaError.ErrorMessage)
			}
			return &QueryError{Query: name, ID: id, State: string(status.State), Reason: reason}
		}
		timer := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			timer.Stop()
			return fmt.Errorf("athena: query %s (%s): %w", name, id, ctx.Err())
		case <-timer.C:
		}
		delay = min(delay*2, ceiling)
	}
}

func cmpOr(d, fallback time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return fallback
}

// readResults pages through a finished query's rows and hands each, by
// column name, to fn. Athena's first page begins with a header row (the
// column labels), which is skipped; later pages have none.
func readResults(ctx context.Context, api API, id string, fn func(row) error) error {
	var (
		token   *string
		columns []string
	)
	for page := 0; ; page++ {
		out, err := api.GetQueryResults(ctx, &athena.GetQueryResultsInput{
			QueryExecutionId: aws.String(id), NextToken: token, MaxResults: aws.Int32(pageSize)})
		if err != nil {
			return fmt.Errorf("GetQueryResults: %w", err)
		}
		var rows []types.Row
		if rs := out.ResultSet; rs != nil {
			rows = rs.Rows
			if md := rs.ResultSetMetadata; md != nil && len(md.ColumnInfo) > 0 {
				names := make([]string, len(md.ColumnInfo))
				for i, ci := range md.ColumnInfo {
					names[i] = aws.ToString(ci.Name)
				}
				if columns != nil && !slices.Equal(columns, names) {
					return fmt.Errorf("page %d has columns %v, the first had %v", page+1, names, columns)
				}
				columns = names
			}
		}
		if len(rows) > 0 && columns == nil {
			return errors.New("rows without column metadata")
		}
		if page == 0 && len(rows) > 0 {
			// Check rather than assume the header: dropping a data row
			// would lose a group silently.
			if header := values(rows[0]); !slices.Equal(header, columns) {
				return fmt.Errorf("first row %v is not the header %v", header, columns)
			}
			rows = rows[1:]
		}
		for _, r := range rows {
			vals := values(r)
			if len(vals) != len(columns) {
				return fmt.Errorf("a row has %d values for %d columns", len(vals), len(columns))
			}
			m := make(row, len(columns))
			for i, c := range columns {
				m[c] = vals[i]
			}
			if err := fn(m); err != nil {
				return err
			}
		}
		token = out.NextToken
		if aws.ToString(token) == "" {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
}

// values are a row's VarCharValues; NULL is "".
func values(r types.Row) []string {
	out := make([]string, len(r.Data))
	for i, d := range r.Data {
		out[i] = aws.ToString(d.VarCharValue)
	}
	return out
}
