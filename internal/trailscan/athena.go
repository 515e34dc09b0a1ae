package trailscan

import (
	"context"

	"github.com/sagekey/sagekey/internal/awserr"
	"github.com/sagekey/sagekey/internal/inventory"
	"github.com/sagekey/sagekey/internal/trail"
	"github.com/sagekey/sagekey/internal/trail/athena"
)

// AthenaSource runs the trail's aggregations as SQL in Athena over the
// trail bucket, for an organization's trail of months or years that one
// machine should not download.
type AthenaSource struct {
	API     athena.API
	Options athena.Options
	// CreateTable creates the CloudTrail table (with partition
	// projection) first; the only statement sagekey sends that is not a
	// SELECT, and only on request.
	CreateTable bool
}

// Name is "athena:<workgroup>/<database>.<table>".
func (s AthenaSource) Name() string { return s.Options.Table.Source(s.Options.WorkGroup) }

// Results runs the queries for the window. Access denied on Athena is a
// gap, not a failure of the run.
func (s AthenaSource) Results(ctx context.Context, w Window, c *trail.Context) ([]trail.UnitResult, Listing, error) {
	o := s.Options
	o.Filter = w.Filter()
	if s.CreateTable {
		if err := athena.CreateTable(ctx, s.API, o); err != nil {
			return nil, Listing{}, err
		}
	}
	results, cov, err := athena.Read(ctx, s.API, o, c)
	if err != nil {
		if awserr.Classify(err) == awserr.AccessDenied {
			return nil, Listing{Gaps: []inventory.Gap{{Service: "athena:StartQueryExecution", Reason: awserr.Reason("athena", err)}}}, nil
		}
		return nil, Listing{}, err
	}
	l := Listing{Covered: cov}
	for _, r := range results {
		l.Units = append(l.Units, r.Unit)
	}
	return results, l, nil
}
