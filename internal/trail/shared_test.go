package trail

import (
	"testing"
	"time"
)

// A KMS call across accounts reaches both accounts' trails with one
// sharedEventID; an organization trail holds both copies, and only the key
// owner's counts.
func TestCrossAccountCallCountsOnce(t *testing.T) {
	const key = "arn:aws:kms:us-east-1:111111111111:key/k1"
	ctx := NewContext([]KeyFacts{{ARN: key}}, nil)
	copyIn := func(recipient, id string) *Event {
		return &Event{EventVersion: "1.11", EventID: id, EventTime: time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC),
			EventSource: SourceKMS, EventName: "Decrypt", AWSRegion: "us-east-1", RecipientAccountID: recipient,
			ErrorCode: "AccessDenied", SharedEventID: "s-1",
			UserIdentity: UserIdentity{Type: "AssumedRole", ARN: "arn:aws:sts::222222222222:assumed-role/r/x", AccountID: "222222222222"},
			Resources:    []EventResource{{ARN: key, AccountID: "111111111111", Type: "AWS::KMS::Key"}}}
	}
	for name, tc := range map[string]struct {
		events []*Event
		want   int64
	}{
		"both copies":        {[]*Event{copyIn("222222222222", "a"), copyIn("111111111111", "b")}, 1},
		"the owner's copy":   {[]*Event{copyIn("111111111111", "b")}, 1},
		"the caller's alone": {[]*Event{copyIn("222222222222", "a")}, 0},
	} {
		t.Run(name, func(t *testing.T) {
			agg := NewAggregator(ctx)
			for _, ev := range tc.events {
				agg.Add(ev)
			}
			var got int64
			for _, d := range agg.Result().Denials {
				got += d.Count
			}
			if got != tc.want {
				t.Errorf("denials %d, want %d", got, tc.want)
			}
		})
	}
}
