package athena

import (
	"context"
	"fmt"
	"strconv"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/athena"
	"github.com/aws/aws-sdk-go-v2/service/athena/types"
)

// fakeAPI is a function-typed fake of API; a nil function fails the call.
type fakeAPI struct {
	start   func(*athena.StartQueryExecutionInput) (*athena.StartQueryExecutionOutput, error)
	get     func(*athena.GetQueryExecutionInput) (*athena.GetQueryExecutionOutput, error)
	results func(*athena.GetQueryResultsInput) (*athena.GetQueryResultsOutput, error)
}

func (f fakeAPI) StartQueryExecution(_ context.Context, in *athena.StartQueryExecutionInput, _ ...func(*athena.Options)) (*athena.StartQueryExecutionOutput, error) {
	if f.start == nil {
		return nil, fmt.Errorf("unexpected StartQueryExecution")
	}
	return f.start(in)
}

func (f fakeAPI) GetQueryExecution(_ context.Context, in *athena.GetQueryExecutionInput, _ ...func(*athena.Options)) (*athena.GetQueryExecutionOutput, error) {
	if f.get == nil {
		return nil, fmt.Errorf("unexpected GetQueryExecution")
	}
	return f.get(in)
}

func (f fakeAPI) GetQueryResults(_ context.Context, in *athena.GetQueryResultsInput, _ ...func(*athena.Options)) (*athena.GetQueryResultsOutput, error) {
	if f.results == nil {
		return nil, fmt.Errorf("unexpected GetQueryResults")
	}
	return f.results(in)
}

// table is one query's result: column names and rows; nil is NULL.
type table struct {
	columns []string
	rows    [][]*string
}

// servingAPI is an Athena that answers each started query with answer(sql)
// in pages of pageSize rows, the first page led by the header row, as
// Athena pages. Every query succeeds at once; started records the SQL.
type servingAPI struct {
	mu       sync.Mutex
	answer   func(sql string) (table, error)
	pageSize int
	results  map[string]table
	started  []*athena.StartQueryExecutionInput
	pages    int
}

func (s *servingAPI) api() fakeAPI {
	return fakeAPI{
		start: func(in *athena.StartQueryExecutionInput) (*athena.StartQueryExecutionOutput, error) {
			s.mu.Lock()
			defer s.mu.Unlock()
			tab, err := s.answer(aws.ToString(in.QueryString))
			if err != nil {
				return nil, err
			}
			id := fmt.Sprintf("q%d", len(s.started))
			if s.results == nil {
				s.results = map[string]table{}
			}
			s.results[id] = tab
			s.started = append(s.started, in)
			return &athena.StartQueryExecutionOutput{QueryExecutionId: aws.String(id)}, nil
		},
		get: func(in *athena.GetQueryExecutionInput) (*athena.GetQueryExecutionOutput, error) {
			return &athena.GetQueryExecutionOutput{QueryExecution: &types.QueryExecution{
				QueryExecutionId: in.QueryExecutionId,
				Status:           &types.QueryExecutionStatus{State: types.QueryExecutionStateSucceeded}}}, nil
		},
		results: func(in *athena.GetQueryResultsInput) (*athena.GetQueryResultsOutput, error) {
			s.mu.Lock()
			defer s.mu.Unlock()
			tab, ok := s.results[aws.ToString(in.QueryExecutionId)]
			if !ok {
				return nil, fmt.Errorf("no query %s", aws.ToString(in.QueryExecutionId))
			}
			s.pages++
			return page(tab, in, s.pageSize)
		},
	}
}

// page cuts tab as GetQueryResults does: the header row first, then rows,
// at most size a page (the header counts), NextToken the offset.
func page(tab table, in *athena.GetQueryResultsInput, size int) (*athena.GetQueryResultsOutput, error) {
	all := make([]types.Row, 0, len(tab.rows)+1)
	header := make([]types.Datum, len(tab.columns))
	info := make([]types.ColumnInfo, len(tab.columns))
	for i, c := range tab.columns {
		header[i] = types.Datum{VarCharValue: aws.String(c)}
		info[i] = types.ColumnInfo{Name: aws.String(c), Type: aws.String("varchar")}
	}
	if len(tab.columns) > 0 { // a result without columns is an empty page
		all = append(all, types.Row{Data: header})
	}
	for _, r := range tab.rows {
		data := make([]types.Datum, len(r))
		for i, v := range r {
			data[i] = types.Datum{VarCharValue: v}
		}
		all = append(all, types.Row{Data: data})
	}
	from := 0
	if t := aws.ToString(in.NextToken); t != "" {
		n, err := strconv.Atoi(t)
		if err != nil {
			return nil, fmt.Errorf("bad token %q", t)
		}
		from = n
	}
	if max := int(aws.ToInt32(in.MaxResults)); max > 0 && max < size {
		size = max
	}
	to := min(from+size, len(all))
	out := &athena.GetQueryResultsOutput{ResultSet: &types.ResultSet{
		Rows: all[from:to], ResultSetMetadata: &types.ResultSetMetadata{ColumnInfo: info}}}
	if to < len(all) {
		out.NextToken = aws.String(strconv.Itoa(to))
	}
	return out, nil
}
