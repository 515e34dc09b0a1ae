package trailscan

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/smithy-go"

	"github.com/sagekey/sagekey/internal/store"
	"github.com/sagekey/sagekey/internal/trail"
)

var day0 = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

const testKey = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"

// fakeSource serves units that each hold `per` SageMaker KMS requests on
// testKey, so every unit's contribution is known; read is called before
// a unit is read and may fail it.
type fakeSource struct {
	name  string
	units []trail.Unit
	per   int
	read  func(ctx context.Context, u trail.Unit) error
	reads atomic.Int64
}

func (f *fakeSource) Name() string { return f.name }

func (f *fakeSource) List(context.Context, Window) (Listing, error) {
	l := Listing{Units: f.units}
	seen := map[string]bool{}
	for _, u := range f.units {
		if k := cellKey(u.Account, u.Region, u.Day); !seen[k] {
			seen[k] = true
			l.Covered = append(l.Covered, trail.Coverage{Source: f.name, Account: u.Account, Region: u.Region, Day: u.Day})
		}
	}
	return l, nil
}

func (f *fakeSource) Read(ctx context.Context, u trail.Unit, agg *trail.Aggregator) error {
	f.reads.Add(1)
	if f.read != nil {
		if err := f.read(ctx, u); err != nil {
			return err
		}
	}
	for i := range f.per {
		agg.Add(&trail.Event{EventVersion: "1.11", EventID: fmt.Sprintf("%s-%d", u.Key, i), EventTime: u.Day.Add(time.Hour),
			EventSource: trail.SourceKMS, EventName: "Decrypt", AWSRegion: u.Region, RecipientAccountID: u.Account,
			UserIdentity: trail.UserIdentity{Type: "AWSService", InvokedBy: trail.SourceSageMaker}, SourceIPAddress: trail.SourceSageMaker,
			Resources: []trail.EventResource{{ARN: testKey, Type: "AWS::KMS::Key"}}})
	}
	return nil
}

func (*fakeSource) Reread(u trail.Unit, stored string) bool { return stored != u.ETag }

// hourlyUnits is days × 24 hourly units in one account and region.
func hourlyUnits(days int) []trail.Unit {
	var out []trail.Unit
	for d := range days {
		for h := range 24 {
			day := day0.AddDate(0, 0, d)
			out = append(out, trail.Unit{Source: "fake", Key: fmt.Sprintf("%s/%02d", day.Format(time.DateOnly), h), ETag: "e1",
				Account: "111122223333", Region: "us-east-1", Day: day, Size: 100})
		}
	}
	return out
}

func openStore(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "h.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func window(days int) Window {
	return Window{From: day0, To: day0.AddDate(0, 0, days).Add(-time.Second)}
}

func requests(g *trail.Aggregates) int64 {
	var n int64
	for _, r := range g.Requests {
		n += r.Count
	}
	return n
}

// A run stopped half-way stores whole units only; the next run reads the
// rest, and the totals equal those of one uninterrupted run: nothing is
// counted twice or skipped.
func TestCanceledRunResumesWithoutDoubleCounting(t *testing.T) {
	const days, per = 3, 5
	st := openStore(t)
	ctx, cancel := context.WithCancel(context.Background())
	src := &fakeSource{name: "fake", units: hourlyUnits(days), per: per}
	src.read = func(ctx context.Context, u trail.Unit) error {
		if src.reads.Load() == 30 {
			cancel()
		}
		return ctx.Err()
	}
	res, err := Run(ctx, src, Options{Window: window(days), Store: st, Concurrency: 4, BatchUnits: 7})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("canceled run: %v", err)
	}
	if res.Stats.Read == 0 || res.Stats.Read >= len(src.units) {
		t.Fatalf("the cancel did not stop the run half-way: %+v", res.Stats)
	}
	read, err := st.TrailUnitsRead(context.Background(), "fake")
	if err != nil {
		t.Fatal(err)
	}
	if len(read) != res.Stats.Read {
		t.Errorf("%d units stored, %d read before the cancel", len(read), res.Stats.Read)
	}
	// The canceled run still reports what it stored.
	if res.Aggregates == nil || requests(res.Aggregates) != int64(res.Stats.Read*per) {
		t.Errorf("canceled run reports %v, stored %d units", res.Aggregates, res.Stats.Read)
	}
	cov, _ := st.TrailCoverage(context.Background(), window(days).Filter())
	if len(cov) != 0 {
		t.Errorf("a canceled run stored coverage: %+v", cov)
	}

	src.read = nil
	again, err := Run(context.Background(), src, Options{Window: window(days), Store: st, Concurrency: 4})
	if err != nil {
		t.Fatal(err)
	}
	if again.Stats.Skipped != res.Stats.Read || again.Stats.Read != len(src.units)-res.Stats.Read {
		t.Errorf("resumed run %+v after %d stored", again.Stats, res.Stats.Read)
	}
	want := int64(len(src.units) * per)
	if got := requests(again.Aggregates); got != want {
		t.Errorf("requests after resuming: %d, want %d", got, want)
	}
	if len(again.Coverage) != days {
		t.Errorf("coverage %d cells, want %d", len(again.Coverage), days)
	}
	once := openStore(t)
	whole, err := Run(context.Background(), &fakeSource{name: "fake", units: hourlyUnits(days), per: per}, Options{Window: window(days), Store: once})
	if err != nil {
		t.Fatal(err)
	}
	if requests(whole.Aggregates) != requests(again.Aggregates) {
		t.Errorf("resumed %d, uninterrupted %d", requests(again.Aggregates), requests(whole.Aggregates))
	}
}

// A unit that cannot be read is a problem and leaves its day uncovered; a
// refused one is a gap of its account and region. The others are read.
func TestFailedUnitsAreReportedAndUncovered(t *testing.T) {
	st := openStore(t)
	src := &fakeSource{name: "fake", units: hourlyUnits(2), per: 1}
	denied := &smithy.GenericAPIError{Code: "AccessDenied", Message: "Access Denied"}
	src.read = func(_ context.Context, u trail.Unit) error {
		switch u.Key {
		case day0.Format(time.DateOnly) + "/03":
			return errors.New("gzip: invalid header")
		case day0.AddDate(0, 0, 1).Format(time.DateOnly) + "/04":
			return fmt.Errorf("GetObject: %w", denied)
		}
		return nil
	}
	res, err := Run(context.Background(), src, Options{Window: window(2), Store: st})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Problems) != 1 || res.Problems[0].Kind != trail.ProblemUnreadable || len(res.Gaps) != 1 || !res.Incomplete() {
		t.Errorf("problems %+v gaps %+v", res.Problems, res.Gaps)
	}
	if res.Stats.Read != len(src.units)-2 || res.Stats.Failed != 2 {
		t.Errorf("stats %+v", res.Stats)
	}
	if len(res.Coverage) != 0 {
		t.Errorf("days with an unread unit are covered: %+v", res.Coverage)
	}
	// The next run retries only the two failed units.
	src.read = nil
	again, err := Run(context.Background(), src, Options{Window: window(2), Store: st})
	if err != nil || again.Stats.Read != 2 || len(again.Coverage) != 2 || again.Incomplete() {
		t.Errorf("retry: %+v, %v", again, err)
	}
}

// Days another source already covers are not read again from a second
// source: the same events would count twice.
func TestDaysCoveredByAnotherSourceAreSkipped(t *testing.T) {
	st := openStore(t)
	if _, err := Run(context.Background(), &fakeSource{name: "s3://a", units: hourlyUnits(1), per: 2}, Options{Window: window(2), Store: st}); err != nil {
		t.Fatal(err)
	}
	other := &fakeSource{name: "file:/copy", units: hourlyUnits(2), per: 2}
	res, err := Run(context.Background(), other, Options{Window: window(2), Store: st})
	if err != nil {
		t.Fatal(err)
	}
	if res.Stats.Listed != 24 || other.reads.Load() != 24 {
		t.Errorf("second source listed %d units and read %d, want only the uncovered day's 24", res.Stats.Listed, other.reads.Load())
	}
	if got, want := requests(res.Aggregates), int64(48*2); got != want {
		t.Errorf("requests %d, want %d", got, want)
	}
}

// Without a store the result is this run's alone.
func TestNoStoreMergesInMemory(t *testing.T) {
	src := &fakeSource{name: "fake", units: hourlyUnits(2), per: 3}
	res, err := Run(context.Background(), src, Options{Window: window(2)})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := requests(res.Aggregates), int64(48*3); got != want || len(res.Coverage) != 2 {
		t.Errorf("requests %d (want %d), coverage %d", got, want, len(res.Coverage))
	}
}
