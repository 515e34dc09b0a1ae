package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sagekey/sagekey/internal/store"
	"github.com/sagekey/sagekey/internal/store/storetest"
	"github.com/sagekey/sagekey/internal/trail"
)

// The trail conformance tests state what the store returns as trail.Merge
// of what was saved (wantTrail), computed from the saved values, so the
// store is held to the model's own semantics rather than to numbers
// written down here.

const (
	srcS3    = "s3://trail-bucket/AWSLogs"
	srcFiles = "file:/var/trail"
	acct2    = "210987654321"
)

// trailDay is the UTC midnight n days after 2026-11-01.
func trailDay(n int) time.Time { return time.Date(2026, 11, 1+n, 0, 0, 0, 0, time.UTC) }

func kmsKeyARN(region, id string) string { return "arn:aws:kms:" + region + ":" + acct + ":key/" + id }

// unitOf is a unit of the S3 source for account, region and day d.
func unitOf(key, etag, account, region string, d time.Time, g *trail.Aggregates) trail.UnitResult {
	return trail.UnitResult{Unit: trail.Unit{Source: srcS3, Key: key, ETag: etag, Account: account, Region: region, Day: d, Size: 1234},
		Aggregates: g}
}

func denialOf(d time.Time, account, region, key string, count int64, samples ...string) trail.Denial {
	return trail.Denial{Day: d, Account: account, Region: region, KeyARN: key, Principal: "arn:aws:iam::" + account + ":role/etl",
		Operation: "kms:Decrypt", Via: trail.ViaSageMaker, ErrorCode: "AccessDenied", Policy: trail.PolicyDelegated,
		Count: count, Samples: samples}
}

func blockedOf(d time.Time, account, region string, count int64, samples ...string) trail.Blocked {
	return trail.Blocked{Day: d, Account: account, Region: region, Action: "sagemaker:CreateNotebookInstance",
		PolicyType: trail.PolicySCP, PolicyARN: "arn:aws:organizations::" + account + ":policy/o-1/service_control_policy/p-1",
		Guardrail: trail.GuardrailYes, Principal: "arn:aws:iam::" + account + ":role/dev", Count: count, Samples: samples}
}

func requestsOf(d time.Time, account, region, key string, count int64) trail.RequestCount {
	return trail.RequestCount{Day: d, Account: account, Region: region, KeyARN: key, Operation: "kms:GenerateDataKey", Count: count}
}

func creatorOf(arn string, at time.Time, principal string) trail.Creator {
	return trail.Creator{ResourceARN: arn, Account: acct, Region: "us-east-1", Action: "sagemaker:CreateNotebookInstance",
		EventID: fmt.Sprintf("ev-%s-%d", principal, at.Unix()), Time: at, Principal: principal, Identity: principal + "/session",
		SourceIP: "198.51.100.7", UserAgent: "aws-cli/2.15.0", Tool: trail.ToolCLI}
}

// keyEventOf derives every field but the time from the event ID and key, so
// two reads of one CloudTrail event agree.
func keyEventOf(id, key string, at time.Time) trail.KeyEvent {
	return trail.KeyEvent{EventID: id, Time: at, Account: acct, Region: "us-east-1", KeyARN: key, Action: "kms:ScheduleKeyDeletion",
		Principal: "arn:aws:iam::" + acct + ":role/admin", SourceIP: "203.0.113.9", UserAgent: "console.amazonaws.com",
		Tool: trail.ToolConsole, Detail: "pending window 7 days"}
}

func saveTrail(t *testing.T, s *store.Store, units []trail.UnitResult, cov ...trail.Coverage) {
	t.Helper()
	if err := s.SaveTrail(context.Background(), units, cov); err != nil {
		t.Fatalf("save trail: %v", err)
	}
}

func readTrail(t *testing.T, s *store.Store, f trail.Filter) *trail.Aggregates {
	t.Helper()
	g, err := s.Trail(context.Background(), f)
	if err != nil {
		t.Fatalf("trail %+v: %v", f, err)
	}
	return g
}

func unitsRead(t *testing.T, s *store.Store, source string) map[string]string {
	t.Helper()
	m, err := s.TrailUnitsRead(context.Background(), source)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// inTrailWindow is the store's documented window, restated over values.
func inTrailWindow(f trail.Filter, at time.Time) bool {
	return (f.From.IsZero() || !at.Before(trail.Day(f.From))) && (f.To.IsZero() || !at.After(f.To))
}

func trailSelects(f trail.Filter, at time.Time, account, region string) bool {
	return inTrailWindow(f, at) && (len(f.Accounts) == 0 || slices.Contains(f.Accounts, account)) &&
		(len(f.Regions) == 0 || slices.Contains(f.Regions, region))
}

// wantTrail is what Trail(f) must return once the store holds stored (the
// last read of each unit), after every unit in seen was saved at some
// point: trail.Merge of each stored unit's part within f; creators and key
// events merged over every unit seen (they are facts about events, kept
// whichever read of a unit they came from) and then selected by time, since
// the store keeps only the latest create; and one bad-record problem per
// stored unit within f.
func wantTrail(stored, seen []trail.UnitResult, f trail.Filter) *trail.Aggregates {
	var parts, all []*trail.Aggregates
	var problems []trail.Problem
	for _, u := range seen {
		all = append(all, u.Aggregates)
	}
	for _, u := range stored {
		g, p := u.Aggregates, &trail.Aggregates{}
		// A unit of unknown day counts only when no bound asks for a day.
		unitIn := !u.Unit.Day.IsZero() || (f.From.IsZero() && f.To.IsZero())
		if unitIn && trailSelects(f, u.Unit.Day, u.Unit.Account, u.Unit.Region) {
			p.Events, p.Matched = g.Events, g.Matched
			var bad int64
			for _, pr := range g.Problems {
				bad += pr.Count
			}
			if bad > 0 {
				problems = append(problems, trail.Problem{Unit: u.Unit.Key, Kind: trail.ProblemBadRecord,
					Reason: fmt.Sprintf("%d records could not be used", bad), Count: bad})
			}
		}
		for _, d := range g.Denials {
			if trailSelects(f, d.Day, d.Account, d.Region) {
				p.Denials = append(p.Denials, d)
			}
		}
		for _, b := range g.Blocked {
			if trailSelects(f, b.Day, b.Account, b.Region) {
				p.Blocked = append(p.Blocked, b)
			}
		}
		for _, r := range g.Requests {
			if trailSelects(f, r.Day, r.Account, r.Region) {
				p.Requests = append(p.Requests, r)
			}
		}
		parts = append(parts, p)
	}
	want := trail.Merge(parts...)
	merged := trail.Merge(all...)
	creatorWindow := f
	if f.From.IsZero() {
		creatorWindow.To = time.Time{} // every creator, whatever its time
	}
	for _, c := range merged.Creators {
		if trailSelects(creatorWindow, c.Time, c.Account, c.Region) {
			want.Creators = append(want.Creators, c)
		}
	}
	for _, e := range merged.KeyEvents {
		if trailSelects(f, e.Time, e.Account, e.Region) {
			want.KeyEvents = append(want.KeyEvents, e)
		}
	}
	want.Problems = problems
	want.Sort()
	return want
}

func checkTrail(t *testing.T, s *store.Store, stored []trail.UnitResult, f trail.Filter) {
	t.Helper()
	checkTrailSeen(t, s, stored, stored, f)
}

func checkTrailSeen(t *testing.T, s *store.Store, stored, seen []trail.UnitResult, f trail.Filter) {
	t.Helper()
	got, want := readTrail(t, s, f), wantTrail(stored, seen, f)
	if reflect.DeepEqual(got, want) {
		return
	}
	// Name the lists that differ, with their first difference: a whole
	// Aggregates is too long to read.
	gv, wv := reflect.ValueOf(got).Elem(), reflect.ValueOf(want).Elem()
	for i := range gv.NumField() {
		g, w := gv.Field(i), wv.Field(i)
		if reflect.DeepEqual(g.Interface(), w.Interface()) {
			continue
		}
		name := gv.Type().Field(i).Name
		if g.Kind() != reflect.Slice {
			t.Errorf("Trail(%+v).%s = %v, want %v", f, name, g.Interface(), w.Interface())
			continue
		}
		for j := range max(g.Len(), w.Len()) {
			var ge, we any
			if j < g.Len() {
				ge = g.Index(j).Interface()
			}
			if j < w.Len() {
				we = w.Index(j).Interface()
			}
			if !reflect.DeepEqual(ge, we) {
				gj, _ := json.Marshal(ge)
				wj, _ := json.Marshal(we)
				t.Errorf("Trail(%+v).%s: %d entries, want %d; first difference at %d:\n got %s\nwant %s", f, name, g.Len(), w.Len(), j, gj, wj)
				break
			}
		}
	}
}

func TestConformanceTrailReplace(t *testing.T) {
	forEachBackend(t, func(t *testing.T, dsn string) {
		s := open(t, dsn)
		k := kmsKeyARN("us-east-1", "k1")
		first := unitOf("o/a.json.gz", "etag-1", acct, "us-east-1", trailDay(0), &trail.Aggregates{
			Denials: []trail.Denial{denialOf(trailDay(0), acct, "us-east-1", k, 5, "e1", "e2")},
			Events:  100, Matched: 5})
		other := unitOf("o/b.json.gz", "etag-b", acct, "us-east-1", trailDay(0), &trail.Aggregates{
			Requests: []trail.RequestCount{requestsOf(trailDay(0), acct, "us-east-1", k, 40)}, Events: 70, Matched: 40})
		saveTrail(t, s, []trail.UnitResult{first, other})
		if got, want := unitsRead(t, s, srcS3), map[string]string{"o/a.json.gz": "etag-1", "o/b.json.gz": "etag-b"}; !reflect.DeepEqual(got, want) {
			t.Errorf("units read %v, want %v", got, want)
		}
		checkTrail(t, s, []trail.UnitResult{first, other}, trail.Filter{})

		// The object grew (a partial day read again): its counts replace the
		// old ones rather than adding to them.
		second := unitOf("o/a.json.gz", "etag-2", acct, "us-east-1", trailDay(0), &trail.Aggregates{
			Denials:  []trail.Denial{denialOf(trailDay(0), acct, "us-east-1", k, 7, "e1", "e2", "e3")},
			Requests: []trail.RequestCount{requestsOf(trailDay(0), acct, "us-east-1", k, 3)},
			Events:   160, Matched: 10})
		saveTrail(t, s, []trail.UnitResult{second})
		if got, want := unitsRead(t, s, srcS3), map[string]string{"o/a.json.gz": "etag-2", "o/b.json.gz": "etag-b"}; !reflect.DeepEqual(got, want) {
			t.Errorf("units read %v, want %v", got, want)
		}
		checkTrail(t, s, []trail.UnitResult{other, second}, trail.Filter{})
		// Saving the same unit again is idempotent.
		saveTrail(t, s, []trail.UnitResult{second})
		checkTrail(t, s, []trail.UnitResult{other, second}, trail.Filter{})

		// Listed twice in one save (a retried read), the last read counts.
		third := second
		third.Unit.ETag = "etag-3"
		third.Aggregates = &trail.Aggregates{Denials: []trail.Denial{denialOf(trailDay(0), acct, "us-east-1", k, 9, "e9")}, Events: 170, Matched: 9}
		failedAgain := third
		failedAgain.Unit.ETag = "etag-4"
		failedAgain.Err = errors.New("read: connection reset")
		saveTrail(t, s, []trail.UnitResult{second, third, failedAgain})
		if got := unitsRead(t, s, srcS3)["o/a.json.gz"]; got != "etag-3" {
			t.Errorf("unit listed twice: etag %q, want the last read's (etag-3)", got)
		}
		checkTrailSeen(t, s, []trail.UnitResult{other, third}, []trail.UnitResult{other, second, third}, trail.Filter{})

		// The same key under another source is another unit.
		elsewhere := third
		elsewhere.Unit.Source = srcFiles
		elsewhere.Unit.ETag = "mtime-1"
		saveTrail(t, s, []trail.UnitResult{elsewhere})
		if got, want := unitsRead(t, s, srcFiles), map[string]string{"o/a.json.gz": "mtime-1"}; !reflect.DeepEqual(got, want) {
			t.Errorf("units read from files %v, want %v", got, want)
		}
		if got := unitsRead(t, s, srcS3); len(got) != 2 || got["o/a.json.gz"] != "etag-3" {
			t.Errorf("units read from S3 changed: %v", got)
		}
		if got := unitsRead(t, s, "s3://nothing"); len(got) != 0 {
			t.Errorf("units of an unknown source: %v", got)
		}
	})
}

func TestConformanceTrailFailedUnit(t *testing.T) {
	forEachBackend(t, func(t *testing.T, dsn string) {
		s := open(t, dsn)
		k := kmsKeyARN("us-east-1", "k1")
		good := unitOf("o/good.json.gz", "g1", acct, "us-east-1", trailDay(0), &trail.Aggregates{
			Denials: []trail.Denial{denialOf(trailDay(0), acct, "us-east-1", k, 2, "e1")}, Events: 10, Matched: 2,
			Problems: []trail.Problem{{Unit: "o/good.json.gz", Kind: trail.ProblemBadRecord, Reason: "not a JSON CloudTrail record", Count: 2},
				{Unit: "o/good.json.gz", Kind: trail.ProblemUnknownVersion, Reason: "event version 2.0", Count: 1}}})
		// A unit that failed part-way may carry what it aggregated so far:
		// none of it may be stored.
		bad := unitOf("o/bad.json.gz", "b1", acct, "us-east-1", trailDay(0), &trail.Aggregates{
			Denials:   []trail.Denial{denialOf(trailDay(0), acct, "us-east-1", k, 9, "x1")},
			Creators:  []trail.Creator{creatorOf("arn:aws:sagemaker:us-east-1:"+acct+":notebook-instance/bad", trailDay(0).Add(time.Hour), "p")},
			KeyEvents: []trail.KeyEvent{keyEventOf("kx", k, trailDay(0).Add(time.Hour))}, Events: 50, Matched: 9})
		bad.Err = errors.New("gzip: invalid header")
		empty := unitOf("o/empty.json.gz", "n1", acct, "us-east-1", trailDay(0), nil) // read completely, nothing in it
		saveTrail(t, s, []trail.UnitResult{good, bad, empty})
		if got, want := unitsRead(t, s, srcS3), map[string]string{"o/good.json.gz": "g1", "o/empty.json.gz": "n1"}; !reflect.DeepEqual(got, want) {
			t.Errorf("units read %v, want %v (the failed unit must not be marked read)", got, want)
		}
		checkTrail(t, s, []trail.UnitResult{good, {Unit: empty.Unit, Aggregates: &trail.Aggregates{}}}, trail.Filter{})
		if got := readTrail(t, s, trail.Filter{}).Problems; len(got) != 1 || got[0].Count != 3 ||
			got[0].Reason != "3 records could not be used" || got[0].Unit != "o/good.json.gz" {
			t.Errorf("problems %+v, want one bad-record problem of 3 for o/good.json.gz", got)
		}

		// A stored unit whose re-read fails keeps what it gave before.
		badAgain := good
		badAgain.Unit.ETag = "g2"
		badAgain.Aggregates = &trail.Aggregates{Events: 1}
		badAgain.Err = errors.New("access denied")
		saveTrail(t, s, []trail.UnitResult{badAgain})
		if got := unitsRead(t, s, srcS3)["o/good.json.gz"]; got != "g1" {
			t.Errorf("a failed re-read replaced the unit: etag %q", got)
		}
		checkTrail(t, s, []trail.UnitResult{good, {Unit: empty.Unit, Aggregates: &trail.Aggregates{}}}, trail.Filter{})
	})
}

// windowUnits spreads units over three days, two accounts and two regions,
// with a loose file of unknown account, region and day.
func windowUnits() []trail.UnitResult {
	var out []trail.UnitResult
	n := 0
	for d := range 3 {
		for _, account := range []string{acct, acct2} {
			for _, region := range []string{"us-east-1", "eu-west-1"} {
				n++
				k := kmsKeyARN(region, "k1")
				at := trailDay(d).Add(time.Duration(n) * time.Hour / 2)
				id := fmt.Sprintf("%d", n)
				g := &trail.Aggregates{
					Denials:  []trail.Denial{denialOf(trailDay(d), account, region, k, int64(n), "d"+id)},
					Blocked:  []trail.Blocked{blockedOf(trailDay(d), account, region, int64(2*n), "b"+id)},
					Requests: []trail.RequestCount{requestsOf(trailDay(d), account, region, k, int64(10*n))},
					KeyEvents: []trail.KeyEvent{func() trail.KeyEvent {
						e := keyEventOf("k"+id, k, at)
						e.Account, e.Region = account, region
						return e
					}()},
					Creators: []trail.Creator{func() trail.Creator {
						c := creatorOf(fmt.Sprintf("arn:aws:sagemaker:%s:%s:notebook-instance/nb-%d", region, account, n), at, "p"+id)
						c.Account, c.Region = account, region
						return c
					}()},
					Events: int64(100 * n), Matched: int64(3 * n)}
				if n%4 == 0 {
					g.Problems = []trail.Problem{{Unit: "u" + id, Kind: trail.ProblemBadRecord, Reason: "record without eventID", Count: int64(n)}}
				}
				out = append(out, unitOf(fmt.Sprintf("%s/%s/%d/u%d.json.gz", account, region, d, n), "e"+id, account, region, trailDay(d), g))
			}
		}
	}
	loose := trail.UnitResult{Unit: trail.Unit{Source: srcS3, Key: "loose.json", ETag: "l1"}, Aggregates: &trail.Aggregates{
		Denials: []trail.Denial{denialOf(trailDay(1), acct, "us-east-1", kmsKeyARN("us-east-1", "k1"), 1000, "loose")},
		Events:  999, Matched: 1000,
		Problems: []trail.Problem{{Unit: "loose.json", Kind: trail.ProblemOversized, Reason: "record over 1 MiB", Count: 4}}}}
	return append(out, loose)
}

func TestConformanceTrailWindow(t *testing.T) {
	forEachBackend(t, func(t *testing.T, dsn string) {
		s := open(t, dsn)
		units := windowUnits()
		saveTrail(t, s, units[:5])
		saveTrail(t, s, units[5:])
		for _, f := range []trail.Filter{
			{},
			{From: trailDay(1)},
			{From: trailDay(1).Add(13 * time.Hour)}, // mid-day: the whole day counts
			{To: trailDay(1)},                       // To is inclusive: day 1's counts, no event after its midnight
			{To: trailDay(1).Add(3 * time.Hour)},
			{From: trailDay(1), To: trailDay(1).Add(24*time.Hour - time.Millisecond)},
			{From: trailDay(2), To: trailDay(0)}, // empty
			{From: trailDay(7)},
			{Accounts: []string{acct2}},
			{Regions: []string{"eu-west-1"}},
			{Accounts: []string{acct}, Regions: []string{"us-east-1", "eu-west-1"}, From: trailDay(1)},
			{Accounts: []string{"000000000000"}},
		} {
			checkTrail(t, s, units, f)
		}
		// Spot checks that the restated window means what it says.
		if got := readTrail(t, s, trail.Filter{From: trailDay(2)}); len(got.Denials) != 4 || len(got.KeyEvents) != 4 || len(got.Creators) != 4 {
			t.Errorf("day 2: %d denials, %d key events, %d creators; want 4 each", len(got.Denials), len(got.KeyEvents), len(got.Creators))
		}
		if got := readTrail(t, s, trail.Filter{To: trailDay(0)}); len(got.Creators) != len(units)-1 || len(got.KeyEvents) != 0 {
			t.Errorf("to day 0 with no From: %d creators (want all %d), %d key events (want 0)", len(got.Creators), len(units)-1, len(got.KeyEvents))
		}
		if got := readTrail(t, s, trail.Filter{}); got.Events != 999+100*(12*13/2) {
			t.Errorf("all events %d, want every unit's including the loose file", got.Events)
		}
	})
}

func TestConformanceTrailCreators(t *testing.T) {
	forEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		s := open(t, dsn)
		arn := "arn:aws:sagemaker:us-east-1:" + acct + ":notebook-instance/Research"
		lower := strings.ToLower(arn)
		t1, t2, t3 := trailDay(0).Add(time.Hour), trailDay(1).Add(time.Hour), trailDay(2).Add(time.Hour)
		unit := func(key string, cs ...trail.Creator) trail.UnitResult {
			return unitOf(key, "e", acct, "us-east-1", trail.Day(cs[0].Time), &trail.Aggregates{Creators: cs})
		}
		// The middle create is read first, then an older one (a late file):
		// the later create stays.
		saveTrail(t, s, []trail.UnitResult{unit("u2", creatorOf(arn, t2, "alice"))})
		saveTrail(t, s, []trail.UnitResult{unit("u1", creatorOf(lower, t1, "bob"))})
		got, err := s.TrailCreators(ctx, []string{lower})
		if err != nil {
			t.Fatal(err)
		}
		if c, ok := got[lower]; !ok || !reflect.DeepEqual(c, creatorOf(arn, t2, "alice")) {
			t.Errorf("creator %+v, want alice's later create", c)
		}
		saveTrail(t, s, []trail.UnitResult{unit("u3", creatorOf(strings.ToUpper(arn), t3, "carol"))})

		// Asked in many spellings, among more ARNs than one query takes.
		asked := []string{arn, lower, strings.ToUpper(arn)}
		for i := range 1200 {
			asked = append(asked, fmt.Sprintf("arn:aws:sagemaker:us-east-1:%s:training-job/job-%d", acct, i))
		}
		got, err = s.TrailCreators(ctx, asked)
		if err != nil {
			t.Fatal(err)
		}
		want := creatorOf(strings.ToUpper(arn), t3, "carol")
		if len(got) != 3 {
			t.Errorf("%d creators, want one per spelling asked (3): %v", len(got), got)
		}
		for _, a := range asked[:3] {
			if !reflect.DeepEqual(got[a], want) {
				t.Errorf("creator of %s: %+v, want %+v", a, got[a], want)
			}
		}
		if got, err := s.TrailCreators(ctx, nil); err != nil || len(got) != 0 {
			t.Errorf("no ARNs asked: %v, %v", got, err)
		}

		// Two creates at the same instant: the greater event ID wins, in
		// whichever order they are saved (as trail.Merge decides).
		tie := trailDay(3).Add(time.Hour)
		x, y := "arn:aws:sagemaker:us-east-1:"+acct+":endpoint/x", "arn:aws:sagemaker:us-east-1:"+acct+":endpoint/y"
		withID := func(arn, id string) trail.Creator {
			c := creatorOf(arn, tie, "p-"+id)
			c.EventID = id
			return c
		}
		saveTrail(t, s, []trail.UnitResult{unit("x1", withID(x, "ev-b"))})
		saveTrail(t, s, []trail.UnitResult{unit("x2", withID(x, "ev-a"))})
		saveTrail(t, s, []trail.UnitResult{unit("y1", withID(y, "ev-a"))})
		saveTrail(t, s, []trail.UnitResult{unit("y2", withID(y, "ev-b"))})
		got, err = s.TrailCreators(ctx, []string{x, y})
		if err != nil {
			t.Fatal(err)
		}
		if got[x].EventID != "ev-b" || got[y].EventID != "ev-b" {
			t.Errorf("tied creates: x %q, y %q; want ev-b for both", got[x].EventID, got[y].EventID)
		}

		// Trail shows the stored (latest) creator whatever its time without a
		// From, and only within the window with one.
		if c := readTrail(t, s, trail.Filter{To: trailDay(0)}).Creators; len(c) != 3 || !reflect.DeepEqual(c[0], want) {
			t.Errorf("creators without From: %+v, want carol's and the two endpoints'", c)
		}
		if c := readTrail(t, s, trail.Filter{From: trailDay(1), To: trailDay(1).Add(23 * time.Hour)}).Creators; len(c) != 0 {
			t.Errorf("creators on day 1: %+v, want none (carol's create on day 2 replaced alice's)", c)
		}
		if c := readTrail(t, s, trail.Filter{From: trailDay(2), To: trailDay(2).Add(23 * time.Hour)}).Creators; len(c) != 1 || !reflect.DeepEqual(c[0], want) {
			t.Errorf("creators on day 2: %+v, want carol's", c)
		}
	})
}

func TestConformanceTrailKeyEvents(t *testing.T) {
	forEachBackend(t, func(t *testing.T, dsn string) {
		s := open(t, dsn)
		k1, k2 := kmsKeyARN("us-east-1", "k1"), kmsKeyARN("us-east-1", "k2")
		at := trailDay(0).Add(90 * time.Minute)
		// One event naming two keys, read in two overlapping units and saved
		// twice: one row per event and key.
		a := unitOf("a", "1", acct, "us-east-1", trailDay(0), &trail.Aggregates{KeyEvents: []trail.KeyEvent{keyEventOf("ev1", k1, at), keyEventOf("ev1", k2, at)}})
		b := unitOf("b", "1", acct, "us-east-1", trailDay(0), &trail.Aggregates{KeyEvents: []trail.KeyEvent{keyEventOf("ev1", k2, at), keyEventOf("ev2", k1, at.Add(time.Hour))}})
		saveTrail(t, s, []trail.UnitResult{a, b})
		saveTrail(t, s, []trail.UnitResult{b})
		got := readTrail(t, s, trail.Filter{}).KeyEvents
		want := []trail.KeyEvent{keyEventOf("ev1", k1, at), keyEventOf("ev1", k2, at), keyEventOf("ev2", k1, at.Add(time.Hour))}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("key events\n got %+v\nwant %+v", got, want)
		}
		checkTrail(t, s, []trail.UnitResult{a, b}, trail.Filter{})
		checkTrail(t, s, []trail.UnitResult{a, b}, trail.Filter{From: trailDay(0), To: at})
	})
}

func TestConformanceTrailCoverage(t *testing.T) {
	forEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		s := open(t, dsn)
		cov := func(source, account, region string, d time.Time) trail.Coverage {
			return trail.Coverage{Source: source, Account: account, Region: region, Day: d}
		}
		saveTrail(t, s, nil, cov(srcS3, acct, "us-east-1", trailDay(0)), cov(srcS3, acct, "us-east-1", trailDay(1)),
			cov(srcS3, acct2, "eu-west-1", trailDay(1)))
		// Read again (and named by a time within the day): still one row.
		saveTrail(t, s, nil, cov(srcS3, acct, "us-east-1", trailDay(1).Add(17*time.Hour)), cov(srcFiles, acct, "us-east-1", trailDay(2)),
			cov(srcFiles, acct2, "eu-west-1", trailDay(1)))
		all, err := s.TrailCoverage(ctx, trail.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		want := []trail.Coverage{
			cov(srcS3, acct, "us-east-1", trailDay(0)), cov(srcS3, acct, "us-east-1", trailDay(1)), cov(srcFiles, acct, "us-east-1", trailDay(2)),
			cov(srcFiles, acct2, "eu-west-1", trailDay(1)), cov(srcS3, acct2, "eu-west-1", trailDay(1)),
		}
		if !reflect.DeepEqual(all, want) {
			t.Errorf("coverage\n got %+v\nwant %+v", all, want)
		}
		for _, f := range []trail.Filter{
			{From: trailDay(1)}, {To: trailDay(1)}, {From: trailDay(1).Add(time.Hour), To: trailDay(1).Add(time.Hour)},
			{Accounts: []string{acct2}}, {Regions: []string{"us-east-1"}}, {Accounts: []string{acct}, Regions: []string{"eu-west-1"}},
		} {
			got, err := s.TrailCoverage(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			want := []trail.Coverage{}
			for _, c := range all {
				if trailSelects(f, c.Day, c.Account, c.Region) {
					want = append(want, c)
				}
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("coverage %+v\n got %+v\nwant %+v", f, got, want)
			}
		}
		sources, err := s.TrailSources(ctx)
		if err != nil || !reflect.DeepEqual(sources, []string{srcFiles, srcS3}) {
			t.Errorf("sources %v (%v), want %v", sources, err, []string{srcFiles, srcS3})
		}
	})
}

// cancelAfter is a context that is cancelled at its n-th Done call: every
// query, statement and the transaction itself asks for Done, so stepping n
// up cancels a save at each point it can be interrupted.
type cancelAfter struct {
	context.Context
	left atomic.Int64
	once sync.Once
	done chan struct{}
}

func newCancelAfter(n int64) *cancelAfter {
	c := &cancelAfter{Context: context.Background(), done: make(chan struct{})}
	c.left.Store(n)
	return c
}

func (c *cancelAfter) Done() <-chan struct{} {
	if c.left.Add(-1) < 0 {
		c.once.Do(func() { close(c.done) })
	}
	return c.done
}

func (c *cancelAfter) Err() error {
	select {
	case <-c.done:
		return context.Canceled
	default:
		return nil
	}
}

// trailState is everything a reader can see of the trail store.
type trailState struct {
	Units    map[string]string
	Trail    *trail.Aggregates
	Coverage []trail.Coverage
}

func readState(t *testing.T, s *store.Store) trailState {
	t.Helper()
	cov, err := s.TrailCoverage(context.Background(), trail.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	return trailState{Units: unitsRead(t, s, srcS3), Trail: readTrail(t, s, trail.Filter{}), Coverage: cov}
}

func TestConformanceTrailCancelledSave(t *testing.T) {
	forEachBackend(t, func(t *testing.T, dsn string) {
		s := open(t, dsn)
		units := windowUnits()
		// The store already holds the first two units; the save replaces the
		// second with a changed read and adds three more and coverage.
		saveTrail(t, s, units[:2])
		before := readState(t, s)
		changed := units[1]
		changed.Unit.ETag = "changed"
		changed.Aggregates = &trail.Aggregates{Denials: []trail.Denial{denialOf(trailDay(0), acct, "us-east-1", kmsKeyARN("us-east-1", "k9"), 77, "z")},
			Events: 5, Matched: 1}
		batch := append([]trail.UnitResult{changed}, units[2:5]...)
		cov := []trail.Coverage{{Source: srcS3, Account: acct, Region: "us-east-1", Day: trailDay(0)}}

		var failed []trailState
		for n := int64(0); ; n++ {
			if n > 5000 {
				t.Fatal("the save never completed")
			}
			err := s.SaveTrail(newCancelAfter(n), batch, cov)
			if err == nil {
				break
			}
			failed = append(failed, readState(t, s))
		}
		after := readState(t, s)
		if reflect.DeepEqual(before, after) {
			t.Fatal("the completed save changed nothing")
		}
		checkTrailSeen(t, s, []trail.UnitResult{units[0], units[2], units[3], units[4], changed},
			append(slices.Clone(units[:5]), changed), trail.Filter{})
		t.Logf("%d cancellation points exercised", len(failed))
		if len(failed) < 20 {
			t.Errorf("only %d cancellation points exercised", len(failed))
		}
		for i, st := range failed {
			// A commit whose acknowledgement was cancelled may have landed;
			// anything between the two is a half-saved batch.
			if !reflect.DeepEqual(st, before) && !reflect.DeepEqual(st, after) {
				t.Fatalf("cancelled attempt %d: half-saved state\n%+v\nbefore %+v\nafter %+v", i, st, before, after)
			}
		}
	})
}

// genUnits makes n units of random aggregates over a small pool of group
// values, so groups, samples, creators and key events collide across
// units; rowsPerUnit bounds each list.
func genUnits(r *rand.Rand, n, rowsPerUnit int) []trail.UnitResult {
	accounts, regions := []string{acct, acct2}, []string{"us-east-1", "eu-west-1"}
	pick := func(s []string) string { return s[r.IntN(len(s))] }
	samples := func() []string {
		out := make([]string, r.IntN(5))
		for i := range out {
			out[i] = fmt.Sprintf("s%d", r.IntN(12))
		}
		return out
	}
	var seq int
	uniqueTime := func(d time.Time) time.Time {
		seq++ // distinct create times, so "latest" never ties
		return d.Add(time.Duration(seq*7919%86399) * time.Second).Add(time.Duration(seq) * time.Millisecond)
	}
	var out []trail.UnitResult
	for i := range n {
		d, account, region := trailDay(r.IntN(4)), pick(accounts), pick(regions)
		g := &trail.Aggregates{Events: int64(r.IntN(5000)), Matched: int64(r.IntN(50))}
		for range r.IntN(rowsPerUnit + 1) {
			den := denialOf(d, account, region, kmsKeyARN(region, fmt.Sprintf("k%d", r.IntN(3))), int64(1+r.IntN(9)), samples()...)
			den.Policy = pick([]string{trail.PolicyNamed, trail.PolicyDelegated, trail.PolicyUnknown})
			g.Denials = append(g.Denials, den)
		}
		for range r.IntN(rowsPerUnit/2 + 1) {
			b := blockedOf(d, account, region, int64(1+r.IntN(9)), samples()...)
			b.Guardrail = pick([]string{trail.GuardrailYes, trail.GuardrailNo})
			g.Blocked = append(g.Blocked, b)
		}
		for range r.IntN(rowsPerUnit + 1) {
			rq := requestsOf(d, account, region, kmsKeyARN(region, fmt.Sprintf("k%d", r.IntN(3))), int64(1+r.IntN(1000)))
			rq.Operation = pick([]string{"kms:Decrypt", "kms:GenerateDataKey", "kms:CreateGrant"})
			g.Requests = append(g.Requests, rq)
		}
		for range r.IntN(3) {
			arn := fmt.Sprintf("arn:aws:sagemaker:%s:%s:training-job/Job-%d", region, account, r.IntN(8))
			if r.IntN(2) == 0 {
				arn = strings.ToLower(arn)
			}
			g.Creators = append(g.Creators, creatorOf(arn, uniqueTime(d), fmt.Sprintf("p%d", r.IntN(4))))
		}
		for range r.IntN(3) {
			id := r.IntN(10)
			g.KeyEvents = append(g.KeyEvents, keyEventOf(fmt.Sprintf("ke%d", id), kmsKeyARN("us-east-1", fmt.Sprintf("k%d", id%3)),
				trailDay(id%4).Add(time.Duration(id)*time.Hour)))
		}
		if r.IntN(3) == 0 {
			g.Problems = []trail.Problem{{Unit: "x", Kind: trail.ProblemBadRecord, Reason: "not a JSON CloudTrail record", Count: int64(1 + r.IntN(4))}}
		}
		out = append(out, unitOf(fmt.Sprintf("%s/%s/%s/%04d.json.gz", account, region, d.Format("2006/01/02"), i), "e1", account, region, d, g))
	}
	return out
}

func TestConformanceTrailMergeEquivalence(t *testing.T) {
	for _, size := range []struct {
		name               string
		units, rowsPerUnit int
	}{
		{"small", 40, 6},
		// More denial rows than Trail folds at once (trailMergeBatch).
		{"large", 150, 60},
	} {
		t.Run(size.name, func(t *testing.T) {
			forEachBackend(t, func(t *testing.T, dsn string) {
				s := open(t, dsn)
				units := genUnits(rand.New(rand.NewPCG(7, uint64(size.units))), size.units, size.rowsPerUnit)
				for chunk := range slices.Chunk(units, 50) {
					saveTrail(t, s, chunk)
				}
				for _, f := range []trail.Filter{
					{}, {From: trailDay(1)}, {From: trailDay(1), To: trailDay(2)}, {To: trailDay(2).Add(-time.Millisecond)},
					{Accounts: []string{acct2}, Regions: []string{"us-east-1"}},
				} {
					checkTrail(t, s, units, f)
				}
				// Re-reading half the units with new contents replaces them.
				again := genUnits(rand.New(rand.NewPCG(8, uint64(size.units))), size.units, size.rowsPerUnit)
				var stored, reread []trail.UnitResult
				for i := range units {
					if i%2 == 0 {
						again[i].Unit = units[i].Unit
						again[i].Unit.ETag = "e2"
						reread = append(reread, again[i])
					} else {
						stored = append(stored, units[i])
					}
				}
				saveTrail(t, s, reread)
				seen := append(slices.Clone(units), reread...)
				checkTrailSeen(t, s, append(stored, reread...), seen, trail.Filter{})
				checkTrailSeen(t, s, append(stored, reread...), seen, trail.Filter{From: trailDay(2), Regions: []string{"eu-west-1"}})
			})
		})
	}
}

// TestConformanceTrailConcurrentSaves re-reads the same units from
// separate store handles at once: whichever read of a unit lands last, it
// is stored once, never added to another read of it.
func TestConformanceTrailConcurrentSaves(t *testing.T) {
	forEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		open(t, dsn) // migrate once up front; writers then race on data only
		const writers = 4
		reads := make([][]trail.UnitResult, writers)
		for i := range reads {
			reads[i] = genUnits(rand.New(rand.NewPCG(9, uint64(i))), 30, 4)
			for j := range reads[i] {
				reads[i][j].Unit.Key = fmt.Sprintf("unit-%02d", j) // every writer reads the same units
				reads[i][j].Unit.ETag = fmt.Sprintf("writer-%d", i)
			}
		}
		var wg sync.WaitGroup
		errs := make(chan error, writers)
		for i := range writers {
			wg.Go(func() {
				s, err := store.Open(ctx, dsn)
				if err != nil {
					errs <- err
					return
				}
				defer s.Close()
				for chunk := range slices.Chunk(reads[i], 10) {
					if err := s.SaveTrail(ctx, chunk, nil); err != nil {
						errs <- err
						return
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatalf("concurrent save: %v", err)
		}
		s := open(t, dsn)
		got := unitsRead(t, s, srcS3)
		if len(got) != 30 {
			t.Fatalf("%d units stored, want 30", len(got))
		}
		// Rebuild what must be stored from the ETag each unit ended with:
		// merging is order-independent, so the order the saves landed in
		// does not matter, and every read was saved at some point.
		var stored, seen []trail.UnitResult
		for j := range 30 {
			var w int
			if _, err := fmt.Sscanf(got[fmt.Sprintf("unit-%02d", j)], "writer-%d", &w); err != nil {
				t.Fatal(err)
			}
			stored = append(stored, reads[w][j])
		}
		for _, r := range reads {
			seen = append(seen, r...)
		}
		checkTrailSeen(t, s, stored, seen, trail.Filter{})
	})
}

// BenchmarkSaveTrail stores a 1,000,000-event trail: 2,000 units of 500
// events (a busy account's five-minute objects), each with a few denials,
// a dozen request counts, a creator and a key event, saved 50 units at a
// time as a reader would. Every iteration after the first re-reads
// (replaces) every unit.
func BenchmarkSaveTrail(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	var units []trail.UnitResult
	for i := range 2000 {
		d, region := trailDay(i/300), []string{"us-east-1", "eu-west-1"}[i%2]
		g := &trail.Aggregates{Events: 500, Matched: 40}
		for j := range 3 {
			g.Denials = append(g.Denials, denialOf(d, acct, region, kmsKeyARN(region, fmt.Sprintf("k%d", j)), 2, fmt.Sprintf("ev-%d-%d", i, j)))
		}
		for j := range 12 {
			g.Requests = append(g.Requests, requestsOf(d, acct, region, kmsKeyARN(region, fmt.Sprintf("k%d", j)), int64(1+r.IntN(50))))
		}
		g.Creators = []trail.Creator{creatorOf(fmt.Sprintf("arn:aws:sagemaker:%s:%s:training-job/j-%d", region, acct, i), d.Add(time.Minute), "p")}
		g.KeyEvents = []trail.KeyEvent{keyEventOf(fmt.Sprintf("ke-%d", i), kmsKeyARN(region, "k0"), d.Add(time.Hour))}
		units = append(units, unitOf(fmt.Sprintf("%s/%d.json.gz", region, i), "e", acct, region, d, g))
	}
	for _, bk := range []struct {
		name string
		dsn  func(b *testing.B) string
	}{
		{"sqlite", func(b *testing.B) string { return filepath.Join(b.TempDir(), "history.db") }},
		{"postgres", func(b *testing.B) string { return storetest.PostgresDatabase(b) }},
	} {
		b.Run(bk.name, func(b *testing.B) {
			s := open(b, bk.dsn(b))
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				for chunk := range slices.Chunk(units, 50) {
					if err := s.SaveTrail(ctx, chunk, nil); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportMetric(2000, "units/op")
			// What a report then reads back: the whole trail, merged.
			start := time.Now()
			if _, err := s.Trail(ctx, trail.Filter{}); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(time.Since(start).Milliseconds()), "trail-read-ms")
		})
	}
}
