package sagemaker

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sm "github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"

	"github.com/sagekey/sagekey/internal/collect"
	"github.com/sagekey/sagekey/internal/inventory"
)

func TestSearchLagOf(t *testing.T) {
	t.Parallel()
	for lag, want := range map[time.Duration]time.Duration{0: DefaultSearchLag, -time.Minute: DefaultSearchLag, time.Second: time.Second, 3 * time.Hour: 3 * time.Hour} {
		if got := searchLagOf(collect.Target{SearchLag: lag}); got != want {
			t.Errorf("searchLagOf(SearchLag %s) = %s, want %s", lag, got, want)
		}
	}
}

// Target.SearchLag moves the training re-scan's cutoff: Search is paged
// newest first down to the stored window less the lag, so a shorter lag
// reads fewer pages and a longer one more; stored jobs fill in the rest
// either way.
func TestTrainingSearchLagMovesTheCutoff(t *testing.T) {
	until := created
	tests := []struct {
		lag   time.Duration
		pages []string
	}{
		{0, []string{"", "p2"}},                       // default hour: job-mid (-30m) is inside it, job-old-1 (-2h) not
		{10 * time.Minute, []string{""}},              // job-mid is already past the cutoff
		{150 * time.Minute, []string{"", "p2", "p3"}}, // job-old-1 is inside the lag too
	}
	for _, tt := range tests {
		t.Run(tt.lag.String(), func(t *testing.T) {
			var pages []string
			api := &fakeAPI{t: t, search: func(in *sm.SearchInput) (*sm.SearchOutput, error) {
				pages = append(pages, aws.ToString(in.NextToken))
				switch aws.ToString(in.NextToken) {
				case "":
					return &sm.SearchOutput{Results: []types.SearchRecord{jobAt("job-new", until.Add(2*time.Hour)), jobAt("job-mid", until.Add(-30*time.Minute))}, NextToken: aws.String("p2")}, nil
				case "p2":
					return &sm.SearchOutput{Results: []types.SearchRecord{jobAt("job-old-1", until.Add(-2*time.Hour))}, NextToken: aws.String("p3")}, nil
				}
				return &sm.SearchOutput{Results: []types.SearchRecord{jobAt("job-old-2", until.Add(-48*time.Hour))}}, nil
			}}
			tgt := target
			tgt.SearchLag = tt.lag
			tgt.Known = knownFake{until: until, records: map[string]map[string]inventory.Resource{kindTrainingJob: {
				arnOf("training-job", "job-mid"):   storedJob("job-mid", until.Add(-30*time.Minute)),
				arnOf("training-job", "job-old-1"): storedJob("job-old-1", until.Add(-2*time.Hour)),
				arnOf("training-job", "job-old-2"): storedJob("job-old-2", until.Add(-48*time.Hour)),
			}}}
			inv := runWith(t, trainingCollector(api), tgt)
			assertEqual(t, "pages", pages, tt.pages)
			assertEqual(t, "jobs", names(inv), []string{"job-mid", "job-new", "job-old-1", "job-old-2"})
			assertEqual(t, "gaps", inv.Gaps, []inventory.Gap{})
		})
	}
}

// Target.SearchLag moves the cutoff of the immutable kinds read with
// Search (tuning and customization jobs) as of training jobs, and the
// window of the mutable kinds' recent listing (feature groups, model
// cards).
func TestSearchKindsLagMovesTheCutoff(t *testing.T) {
	until := created.Add(24 * time.Hour)
	for _, fx := range searchFixtures() {
		t.Run(fx.kind, func(t *testing.T) {
			if !fx.immutable {
				for _, lag := range []time.Duration{time.Second, 3 * time.Hour} {
					calls := &callLog{}
					f := searchFake{calls: calls, search: func(*sm.SearchInput) (*sm.SearchOutput, error) {
						return &sm.SearchOutput{Results: []types.SearchRecord{fx.record("a", created)}}, nil
					}}
					tgt := target
					tgt.SearchLag = lag
					before := time.Now()
					fx.run(t, tgt, f)
					if len(calls.recent) != 1 || calls.recent[0] == nil ||
						calls.recent[0].Before(before.Add(-lag)) || calls.recent[0].After(time.Now().Add(-lag)) {
						t.Errorf("lag %s: recent listing CreationTimeAfter = %v, want %s before the scan", lag, calls.recent, lag)
					}
				}
				return
			}
			for _, tt := range []struct {
				lag   time.Duration
				pages []string
			}{
				{0, []string{""}},                   // default hour: "old" (-2h) is past the cutoff
				{10 * time.Minute, []string{""}},    // so it is with a shorter lag
				{3 * time.Hour, []string{"", "p2"}}, // inside a longer one: the next page is read
			} {
				var pages []string
				f := fx.twoPageSearch(until, &pages)
				tgt := target
				tgt.SearchLag = tt.lag
				tgt.Known = knownFake{until: until, records: map[string]map[string]inventory.Resource{fx.kind: {
					fx.arn("old"):   fx.stored("old", until.Add(-2*time.Hour)),
					fx.arn("older"): fx.stored("older", until.Add(-48*time.Hour)),
				}}}
				inv := fx.run(t, tgt, f)
				assertEqual(t, "pages (lag "+tt.lag.String()+")", pages, tt.pages)
				assertEqual(t, "resources (lag "+tt.lag.String()+")", names(inv), []string{"new", "old", "older"})
			}
		})
	}
}
