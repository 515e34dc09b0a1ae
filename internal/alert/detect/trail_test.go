package detect

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/trail"
)

var day0 = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

func denial(key string, dayN int, principal string, n int64) trail.Denial {
	return trail.Denial{Day: day0.AddDate(0, 0, dayN), Account: "111122223333", Region: "us-east-1",
		KeyARN: key, Principal: principal, Operation: "kms:Decrypt", Count: n}
}

func keyEv(id, action string, at time.Time) trail.KeyEvent {
	return trail.KeyEvent{EventID: id, Time: at, Account: "111122223333", Region: "us-east-1",
		KeyARN: keyA, Action: action, Principal: "arn:aws:iam::111122223333:role/ops"}
}

type trailWant struct {
	Kind     Kind
	Severity finding.Severity
	Subject  string
	Denials  int64
}

func TestDetectTrail(t *testing.T) {
	// a quiet week of 2 denials a day on key A before day 7.
	var week []trail.Denial
	for i := range 7 {
		week = append(week, denial(keyA, i, "role/app", 2))
	}
	cases := []struct {
		name       string
		agg        trail.Aggregates
		since, now time.Time
		opts       TrailOptions
		want       []trailWant
	}{
		{
			name:  "spike above factor and minimum",
			agg:   trail.Aggregates{Denials: append(week, denial(keyA, 7, "role/app", 10), denial(keyA, 7, "role/x", 5))},
			since: day0.AddDate(0, 0, 7), now: day0.AddDate(0, 0, 8),
			want: []trailWant{{KMSDenialSpike, finding.High, keyA, 15}},
		},
		{
			name:  "not above factor × baseline",
			agg:   trail.Aggregates{Denials: append(week, denial(keyA, 7, "role/app", 6))},
			since: day0.AddDate(0, 0, 7), now: day0.AddDate(0, 0, 8), opts: TrailOptions{SpikeMin: 1},
			want: []trailWant{},
		},
		{
			name:  "above factor but below the minimum",
			agg:   trail.Aggregates{Denials: []trail.Denial{denial(keyB, 7, "role/app", 9)}},
			since: day0, now: day0.AddDate(0, 0, 8),
			want: []trailWant{},
		},
		{
			name:  "no history: the minimum is enough",
			agg:   trail.Aggregates{Denials: []trail.Denial{denial(keyB, 7, "role/app", 10)}},
			since: day0, now: day0.AddDate(0, 0, 8),
			want: []trailWant{{KMSDenialSpike, finding.High, keyB, 10}},
		},
		{
			name:  "day that ended before since is old news",
			agg:   trail.Aggregates{Denials: []trail.Denial{denial(keyB, 7, "role/app", 50)}},
			since: day0.AddDate(0, 0, 8), now: day0.AddDate(0, 0, 9),
			want: []trailWant{},
		},
		{
			name:  "the day in progress counts",
			agg:   trail.Aggregates{Denials: []trail.Denial{denial(keyB, 7, "role/app", 50)}},
			since: day0.AddDate(0, 0, 7).Add(time.Hour), now: day0.AddDate(0, 0, 7).Add(2 * time.Hour),
			want: []trailWant{{KMSDenialSpike, finding.High, keyB, 50}},
		},
		{
			name:  "shorter baseline forgets an old busy day",
			agg:   trail.Aggregates{Denials: []trail.Denial{denial(keyA, 0, "r", 100), denial(keyA, 7, "r", 12)}},
			since: day0.AddDate(0, 0, 7), now: day0.AddDate(0, 0, 8), opts: TrailOptions{Baseline: 48 * time.Hour},
			want: []trailWant{{KMSDenialSpike, finding.High, keyA, 12}},
		},
		{
			name: "lifecycle events after since, by severity",
			agg: trail.Aggregates{KeyEvents: []trail.KeyEvent{
				keyEv("e0", "kms:DisableKey", day0.Add(-time.Minute)),
				keyEv("e1", "kms:ScheduleKeyDeletion", day0.Add(time.Minute)),
				keyEv("e2", "kms:PutKeyPolicy", day0.Add(2*time.Minute)),
				keyEv("e3", "kms:EnableKey", day0.Add(3*time.Minute)),
				keyEv("e4", "kms:DeleteImportedKeyMaterial", day0.Add(4*time.Minute)),
			}},
			since: day0, now: day0.Add(time.Hour),
			want: []trailWant{
				{KeyLifecycleEvent, finding.High, keyA, 0}, {KeyLifecycleEvent, finding.Medium, keyA, 0},
				{KeyLifecycleEvent, finding.Low, keyA, 0}, {KeyLifecycleEvent, finding.High, keyA, 0},
			},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := DetectTrail(&c.agg, c.since, c.now, c.opts)
			r := []trailWant{}
			keys := map[string]bool{}
			for _, e := range got {
				r = append(r, trailWant{e.Kind, e.Severity, e.Resource.ARN, e.Denials})
				if e.Key == "" || keys[e.Key] || !strings.HasPrefix(e.Key, string(e.Kind)+":") {
					t.Errorf("bad or duplicate key %q", e.Key)
				}
				keys[e.Key] = true
			}
			if !reflect.DeepEqual(r, c.want) {
				t.Fatalf("events\n got %+v\nwant %+v", r, c.want)
			}
			if again := DetectTrail(&c.agg, c.since, c.now, c.opts); !reflect.DeepEqual(again, got) {
				t.Errorf("second DetectTrail differs")
			}
		})
	}
}

func TestDetectTrailSpikeDetails(t *testing.T) {
	ds := []trail.Denial{denial(keyA, 3, "role/b", 4), denial(keyA, 3, "role/a", 8), denial(keyA, 2, "role/a", 7)}
	ep := res(epY, "endpoint")
	opts := TrailOptions{Protects: map[string][]finding.Resource{keyA: {ep}}}
	es := DetectTrail(&trail.Aggregates{Denials: ds}, day0, day0.AddDate(0, 0, 4), opts)
	if len(es) != 1 {
		t.Fatalf("events %+v", es)
	}
	e := es[0]
	if e.Denials != 12 || e.Baseline != 1 || e.Principal != "role/a" || e.Action != "kms:Decrypt" ||
		!e.At.Equal(day0.AddDate(0, 0, 3)) || e.RunID != 0 || e.Account != "111122223333" ||
		!reflect.DeepEqual(e.BlastRadius, []finding.Resource{ep}) {
		t.Errorf("event %+v", e)
	}
	// Seen again later the same day, or with the input reordered: the same key.
	ds[0], ds[2] = ds[2], ds[0]
	again := DetectTrail(&trail.Aggregates{Denials: ds}, day0.AddDate(0, 0, 3), day0.AddDate(0, 0, 3).Add(20*time.Hour), opts)
	if len(again) != 1 || again[0].Key != e.Key {
		t.Errorf("spike key not stable: %+v", again)
	}
}

func TestDetectTrailLifecycleDetails(t *testing.T) {
	ke := keyEv("ev-1", "kms:ScheduleKeyDeletion", day0)
	ke.Detail = "pending window 7 days"
	other := ke
	other.KeyARN = keyB
	es := DetectTrail(&trail.Aggregates{KeyEvents: []trail.KeyEvent{ke, other}}, day0.Add(-time.Hour), day0, TrailOptions{})
	if len(es) != 2 || es[0].Key == es[1].Key {
		t.Fatalf("one event on two keys must give two keys: %+v", es)
	}
	e := es[0]
	if e.ToState != "PendingDeletion" || e.EventID != "ev-1" || e.Action != "kms:ScheduleKeyDeletion" ||
		e.Principal != ke.Principal || e.Detail != ke.Detail || !strings.Contains(e.Message, "pending window 7 days") {
		t.Errorf("event %+v", e)
	}
	if DetectTrail(nil, day0, day0, TrailOptions{}) != nil {
		t.Error("nil aggregates gave events")
	}
}
