package serve

import (
	"context"
	"testing"
	"time"

	"github.com/sagekey/sagekey/internal/alert"
	"github.com/sagekey/sagekey/internal/trail"
)

// TestAlertTrail: a key scheduled for deletion and a day of KMS denials
// far above the week before, both read from the store's CloudTrail
// aggregates, alert once; the next pass alerts on nothing new.
func TestAlertTrail(t *testing.T) {
	ctx := context.Background()
	s, e := jobServer(t)
	const key = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	now := e.clock.now
	today := trail.Day(now)
	agg := &trail.Aggregates{KeyEvents: []trail.KeyEvent{{EventID: "ev-1", Time: now.Add(-time.Hour), Account: "111122223333",
		Region: "us-east-1", KeyARN: key, Action: "ScheduleKeyDeletion", Principal: "arn:aws:iam::111122223333:role/admin",
		Detail: "pending window 7 days"}}}
	for d := 1; d <= 7; d++ { // a quiet week: one denial a day
		agg.Denials = append(agg.Denials, denial(key, today.AddDate(0, 0, -d), 1))
	}
	agg.Denials = append(agg.Denials, denial(key, today, 40))
	var units []trail.UnitResult
	for i, d := range agg.Denials {
		units = append(units, trail.UnitResult{Unit: trail.Unit{Source: "file:test", Key: d.Day.Format("2006-01-02") + string(rune('a'+i)),
			Account: d.Account, Region: d.Region, Day: d.Day}, Aggregates: &trail.Aggregates{Denials: []trail.Denial{d}}})
	}
	units = append(units, trail.UnitResult{Unit: trail.Unit{Source: "file:test", Key: "events", Account: "111122223333", Region: "us-east-1", Day: today},
		Aggregates: &trail.Aggregates{KeyEvents: agg.KeyEvents}})
	var cov []trail.Coverage
	for d := 0; d <= 8; d++ {
		cov = append(cov, trail.Coverage{Source: "file:test", Account: "111122223333", Region: "us-east-1", Day: today.AddDate(0, 0, -d)})
	}
	if err := s.o.Store.SaveTrail(ctx, units, cov); err != nil {
		t.Fatal(err)
	}
	if err := s.alertTrail(ctx); err != nil {
		t.Fatal(err)
	}
	got := outbox(t, s.o.Store, now)
	if len(got[alert.KeyLifecycleEvent]) != 1 || got[alert.KeyLifecycleEvent][0].Key == nil || got[alert.KeyLifecycleEvent][0].Key.ARN != key {
		t.Errorf("key lifecycle alerts = %v, want the ScheduleKeyDeletion", got[alert.KeyLifecycleEvent])
	}
	if len(got[alert.KMSDenialSpike]) != 1 {
		t.Errorf("denial spike alerts = %v, want today's 40 against a week of 1", got[alert.KMSDenialSpike])
	}
	e.clock.now = now.Add(time.Minute)
	if err := s.alertTrail(ctx); err != nil {
		t.Fatal(err)
	}
	if again := outbox(t, s.o.Store, e.clock.now); len(again) != 0 {
		t.Errorf("the second pass alerted again: %v", again)
	}
}

func denial(key string, day time.Time, n int64) trail.Denial {
	return trail.Denial{Day: day, Account: "111122223333", Region: "us-east-1", KeyARN: key,
		Principal: "arn:aws:iam::111122223333:role/etl", Operation: "kms:Decrypt", Via: trail.ViaDirect,
		ErrorCode: "AccessDeniedException", Policy: trail.PolicyUnnamed, Count: n}
}
