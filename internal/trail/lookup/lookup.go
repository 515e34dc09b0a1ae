// Package lookup reads the CloudTrail event history with LookupEvents, for
// accounts and regions whose trail (or its bucket) the auditor cannot read.
//
// The event history needs no trail, but it holds only the last 90 days of
// management events of one account and region, and LookupEvents answers 2
// requests per second per account and region with at most 50 events each.
// So the reader asks for only the two event sources sagekey uses (KMS and
// SageMaker), one day of one account and region at a time: a day is the
// unit a run marks read, and a run stopped half-way resumes at the next
// unread day.
package lookup

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"

	"github.com/sagekey/sagekey/internal/trail"
)

// API is the part of the CloudTrail client the reader uses.
type API interface {
	LookupEvents(ctx context.Context, in *cloudtrail.LookupEventsInput, optFns ...func(*cloudtrail.Options)) (*cloudtrail.LookupEventsOutput, error)
}

const (
	// Source is the Source of the units this package reads.
	Source = "lookup-events"
	// Retention is how far back the event history goes.
	Retention = 90 * 24 * time.Hour
	// Settle is how long after a day ends its events may still be arriving:
	// CloudTrail delivers an event within about 5 minutes on average,
	// without a guarantee, so a day is read as final only an hour after it
	// ended.
	Settle = time.Hour
	// pageSize is LookupEvents' maximum.
	pageSize = 50
)

// sources are the event sources read, one LookupEvents query each: a query
// takes a single lookup attribute.
var sources = [...]string{trail.SourceKMS, trail.SourceSageMaker}

// ErrOutsideRetention is returned (wrapped) by ReadDay for a day the event
// history no longer (or not yet) holds in full: reading it would find fewer
// events than happened and count the day as covered.
var ErrOutsideRetention = errors.New("day outside the event history")

// Unit is the unit of one day of one account and region read up to until.
// A day read after it settled has the ETag "final" and is never read again;
// a day read earlier has an ETag naming until, so the next run reads it
// again and replaces its aggregates.
func Unit(account, region string, day, until time.Time) trail.Unit {
	day = trail.Day(day)
	etag := "final"
	if until.Before(day.AddDate(0, 0, 1).Add(Settle)) {
		etag = "until " + until.UTC().Format(time.RFC3339)
	}
	return trail.Unit{Source: Source, Key: account + "/" + region + "/" + day.Format(time.DateOnly), ETag: etag,
		Account: account, Region: region, Day: day}
}

// ReadDay reads the KMS and SageMaker events of one UTC day of one account
// and region into agg, up to until (now, for today), and returns the number
// of pages read. api must be a client of that account and region; account
// and region name the unit (see Unit) in problems.
//
// Each source is its own query (StartTime is the day's start, EndTime the
// day's last second or until, both inclusive), 50 events per page,
// following NextToken to the end. Every event's CloudTrailEvent JSON goes
// through trail.AddRecord, as a log file's records do.
//
// On error agg holds part of the day and must be discarded; the day is not
// covered.
func ReadDay(ctx context.Context, api API, account, region string, day, until time.Time, agg *trail.Aggregator) (int, error) {
	day = trail.Day(day)
	start, end := day, day.AddDate(0, 0, 1).Add(-time.Second)
	if until.Before(end) {
		end = until.UTC()
	}
	switch {
	case end.Before(start):
		return 0, fmt.Errorf("%w: %s starts after %s", ErrOutsideRetention, day.Format(time.DateOnly), until.UTC().Format(time.RFC3339))
	case until.Sub(start) > Retention:
		return 0, fmt.Errorf("%w: %s is more than 90 days before %s", ErrOutsideRetention, day.Format(time.DateOnly), until.UTC().Format(time.RFC3339))
	}
	unit := Unit(account, region, day, until).Key
	pages := 0
	for _, source := range sources {
		p := cloudtrail.NewLookupEventsPaginator(api, &cloudtrail.LookupEventsInput{
			StartTime: aws.Time(start),
			EndTime:   aws.Time(end),
			LookupAttributes: []cttypes.LookupAttribute{{
				AttributeKey:   cttypes.LookupAttributeKeyEventSource,
				AttributeValue: aws.String(source),
			}},
			MaxResults: aws.Int32(pageSize),
		})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return pages, fmt.Errorf("cloudtrail:LookupEvents %s %s: %w", unit, source, err)
			}
			pages++
			for _, ev := range page.Events {
				if ev.CloudTrailEvent == nil {
					agg.AddProblem(unit, trail.ProblemBadRecord, "event "+aws.ToString(ev.EventId)+" without CloudTrailEvent")
					continue
				}
				trail.AddRecord([]byte(*ev.CloudTrailEvent), unit, agg)
			}
		}
	}
	return pages, nil
}
