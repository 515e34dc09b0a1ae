package trailscan

import (
	"context"
	"fmt"
	"time"

	"github.com/sagekey/sagekey/internal/inventory"
	"github.com/sagekey/sagekey/internal/trail"
	"github.com/sagekey/sagekey/internal/trail/lookup"
	"github.com/sagekey/sagekey/internal/trail/s3log"
)

// Settle is how long after a day ends its trail is taken as complete.
// CloudTrail delivers a log file about every five minutes, without a
// guarantee, and files a late event of day D under D+1's folder.
const Settle = time.Hour

// settled reports whether day's trail can be complete at now.
func settled(day, now time.Time) bool {
	return !now.Before(trail.Day(day).AddDate(0, 0, 1).Add(Settle))
}

// S3Source reads log files from a trail bucket.
type S3Source struct {
	API      s3log.API
	Location s3log.Location
	Now      func() time.Time
}

// Name is the bucket and prefix.
func (s S3Source) Name() string { return s.Location.URI() }

// List lists the window's objects by their day folders, plus the folder of
// the day after the window: a late event of the last day is filed there. A
// day is covered once its own folder and the next were listed and it has
// settled.
func (s S3Source) List(ctx context.Context, w Window) (Listing, error) {
	layout, err := s3log.Discover(ctx, s.API, s.Location, w.Accounts, w.Regions)
	if err != nil {
		return Listing{}, err
	}
	var l Listing
	for _, a := range layout.Absent {
		l.Gaps = append(l.Gaps, inventory.Gap{Account: a, Service: s3log.ListOperation,
			Reason: "no CloudTrail logs for this account under " + s.Name()})
	}
	// Days an earlier run read in full are not listed again: a settled
	// day's folder no longer changes.
	known := w.known()
	skip := func(account, region string, day time.Time) bool { return known[cellKey(account, region, day)] }
	units, covered, gaps := s3log.ListUnitsSkipping(ctx, s.API, layout.Location, layout.Accounts, layout.Regions,
		w.From, w.To.AddDate(0, 0, 1), skip)
	l.Units, l.Gaps = units, append(l.Gaps, gaps...)
	listed := known
	for _, c := range covered {
		listed[cellKey(c.Account, c.Region, c.Day)] = true
	}
	now := s.Now()
	for _, c := range covered {
		if c.Day.After(w.To) || !settled(c.Day, now) || !listed[cellKey(c.Account, c.Region, c.Day.AddDate(0, 0, 1))] {
			continue
		}
		c.Source = s.Name()
		l.Covered = append(l.Covered, c)
	}
	return l, nil
}

// Read streams one object.
func (s S3Source) Read(ctx context.Context, u trail.Unit, agg *trail.Aggregator) error {
	body, err := s3log.Open(ctx, s.API, s.Location, u)
	if err != nil {
		return err
	}
	defer body.Close()
	return trail.ReadUnit(body, u.Key, agg)
}

// Reread: an object is read again only when it changed.
func (S3Source) Reread(u trail.Unit, stored string) bool { return stored != u.ETag }

// LookupSource reads one account's event history with LookupEvents, a day
// per unit.
type LookupSource struct {
	// API returns the client of a region.
	API     func(region string) lookup.API
	Account string
	Regions []string
	Now     func() time.Time
}

// Name is lookup.Source.
func (LookupSource) Name() string { return lookup.Source }

// List makes a unit of every day of the window the event history holds.
func (s LookupSource) List(_ context.Context, w Window) (Listing, error) {
	now := s.Now().UTC()
	oldest := trail.Day(now.Add(-lookup.Retention)).AddDate(0, 0, 1)
	var l Listing
	for _, region := range s.Regions {
		for _, day := range trail.Days(w.From, minTime(w.To, now)) {
			if day.Before(oldest) {
				l.Gaps = append(l.Gaps, inventory.Gap{Account: s.Account, Region: region, Service: "cloudtrail:LookupEvents",
					Reason: fmt.Sprintf("%s is older than the %d days LookupEvents keeps: read it from the trail bucket", day.Format(time.DateOnly), int(lookup.Retention.Hours()/24))})
				continue
			}
			u := lookup.Unit(s.Account, region, day, now)
			l.Units = append(l.Units, u)
			if settled(day, now) {
				l.Covered = append(l.Covered, trail.Coverage{Source: lookup.Source, Account: s.Account, Region: region, Day: day})
			}
		}
	}
	return l, nil
}

// Read reads one day of one region.
func (s LookupSource) Read(ctx context.Context, u trail.Unit, agg *trail.Aggregator) error {
	_, err := lookup.ReadDay(ctx, s.API(u.Region), u.Account, u.Region, u.Day, s.Now(), agg)
	return err
}

// Reread: a day read before it settled is read again.
func (LookupSource) Reread(_ trail.Unit, stored string) bool { return stored != "final" }

// FileSource reads local files or a directory: CloudTrail log files as
// delivered, or exports with one event per line.
type FileSource struct {
	Root string
}

// Name is "file:" and the absolute root.
func (s FileSource) Name() string {
	units, err := trail.ListFiles(s.Root)
	if err == nil && len(units) > 0 {
		return units[0].Source
	}
	return "file:" + s.Root
}

// List lists the files. A file in CloudTrail's layout (or named as
// CloudTrail names them) belongs to its account, region and day and covers
// them; any other file is read whole and covers the days of what it holds
// (see cellsOf).
func (s FileSource) List(_ context.Context, w Window) (Listing, error) {
	units, err := trail.ListFiles(s.Root)
	if err != nil {
		return Listing{}, err
	}
	var l Listing
	seen := map[string]bool{}
	last := trail.Day(w.To).AddDate(0, 0, 1)
	for _, u := range units {
		if u.Account != "" {
			if u.Day.Before(trail.Day(w.From)) || u.Day.After(last) || !selected(w, u.Account, u.Region) {
				continue
			}
			if k := cellKey(u.Account, u.Region, u.Day); !seen[k] && !u.Day.After(w.To) {
				seen[k] = true
				l.Covered = append(l.Covered, trail.Coverage{Source: u.Source, Account: u.Account, Region: u.Region, Day: u.Day})
			}
		}
		l.Units = append(l.Units, u)
	}
	return l, nil
}

// Read reads one file.
func (s FileSource) Read(_ context.Context, u trail.Unit, agg *trail.Aggregator) error {
	f, err := trail.OpenFile(s.Root, u)
	if err != nil {
		return err
	}
	defer f.Close()
	return trail.ReadUnit(f, u.Key, agg)
}

// Reread: a file is read again only when it changed.
func (FileSource) Reread(u trail.Unit, stored string) bool { return stored != u.ETag }

// selected reports whether an account and region are in the window's
// selection.
func selected(w Window, account, region string) bool {
	return (len(w.Accounts) == 0 || contains(w.Accounts, account)) && (len(w.Regions) == 0 || contains(w.Regions, region))
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
